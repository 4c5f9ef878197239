#!/usr/bin/env bash
# Download into .whl/ (ignored by git) the wheels a GPU machine without network needs to run
# `python -m covae.train_missing` under JAX: Keras and what it needs beyond that machine's own
# packages (it has JAX, numpy, scipy, pandas, h5py, rich, absl-py, ml-dtypes, pyyaml), at the
# versions of requirements.lock, for the machine's Python (3.12 by default) on x86-64 Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
python_version=${GPU_PYTHON:-3.12}
mkdir -p .whl
for name in keras namex optree; do
  pin=$(grep -iE "^${name}==" requirements.lock)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version "$python_version" \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl "$pin"
done
ls -1 .whl
