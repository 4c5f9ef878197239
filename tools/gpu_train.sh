#!/usr/bin/env bash
# Train the model store's missing runs on a lent GPU machine in one call (JAX, no network) and
# leave them in $OUT as archives of at most 15 MB each (the machine returns up to 8 files of
# 16 MiB). Prepare here with `bash tools/gpu_wheels.sh` (wheels into .whl/), then call the
# device tool with carry [".whl"] and, for a 10-minute call:
#     bash tools/gpu_train.sh 480 12 [--configfile config/seed_protocol.yaml ...]
# (480 s: no run starts that the longest run so far says would end later; 12 runs at once).
# Back here: python -m covae.store import <files_at>/runs-*.tar.gz, then commit model_store/.
set -uo pipefail
budget=${1:-480}
jobs=${2:-12}
shift $(( $# < 2 ? $# : 2 ))
out=${OUT:-gpu_out}
mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site "${GPU_WHEELS:-.whl}"/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD/src KERAS_BACKEND=jax PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
python3 -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
# What training computes under this backend, against the JAX reference recorded on a CPU, for
# the record (other kernels than the sketch's move it by ~0.1 on a CPU; a GPU's: not measured).
echo "training sketch vs the recorded JAX reference (CPU, < 0.01 there): $(
  python3 -m covae.sketch --against tests/data/training_reference.json)"
python3 -m covae.train_missing --out "$out" --work /tmp/train_missing --jobs "$jobs" \
  --budget "$budget" "$@" 2>"$out/train_missing.log"
status=$?
tail -n 3 "$out/train_missing.log"
exit $status
