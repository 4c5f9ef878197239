"""The training sketch: the code version says what training computes, on any host."""

import json
import os
import subprocess
import sys

import pytest

from covae import protocol, sketch
from tests.conftest import ROOT

REFERENCE = ROOT / "tests" / "data" / "training_reference.json"
# With the sketch's kernels set (sketch.KERNELS), 1 vs 2 TensorFlow threads move a sketch by
# ~2e-5; a 1 % change of the peak rate or of beta moves it by > 0.1.
TOLERANCE = 1e-2


def _sketch(*args, setup="", backend="tensorflow", environ=sketch.KERNELS):
    """The output of ``python -m covae.sketch *args`` in a fresh process with ``environ``,
    ``setup`` run first in it (a change to the training code, as a test makes one)."""
    script = f"import sys\nfrom covae import sketch\n{setup}\nsys.exit(sketch.main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, **environ, "KERAS_BACKEND": backend},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def current_sketch():
    return _sketch()


def test_training_computes_what_its_code_version_says(current_sketch):
    # Fails when a change alters what training computes. Then raise protocol.CODE_VERSION (every
    # stored model then retrains) and record the new reference for each backend:
    #   python -m covae.sketch  (KERAS_BACKEND=jax for the jax entry)
    reference = json.loads(REFERENCE.read_text())["tensorflow"]
    assert reference["code"] == protocol.CODE_VERSION, "record the reference of this version"
    assert reference["kernels"] == sketch.KERNELS == current_sketch["kernels"]
    assert sketch.distance(current_sketch, reference) < TOLERANCE


@pytest.mark.slow
def test_the_sketch_sees_a_change_of_what_training_computes(current_sketch):
    # The oracle's other side: a loss 1 % heavier on the KL term (a change inside the training
    # code, every setting equal) leaves the tolerance far behind.
    heavier = (
        "from covae import models; original = models.vae_loss; "
        "models.vae_loss = lambda *a, beta=1.0, **k: original(*a, beta=beta * 1.01, **k)"
    )
    assert sketch.distance(_sketch(setup=heavier), current_sketch) > 10 * TOLERANCE


@pytest.mark.slow
@pytest.mark.full
def test_other_kernels_move_the_sketch_far_beyond_its_tolerance(current_sketch):
    # Why a sketch sets its kernels: TensorFlow's oneDNN kernels (the default on CPUs with VNNI,
    # BF16 or AMX instructions) instead of the sketch's Eigen ones move it by ~0.1 (0.10 on a
    # 2-core AMD EPYC host without AVX-512). The sketch computed here sets no kernels itself.
    compute = "print(json.dumps(sketch.training_sketch())); sys.exit(0)"
    other = _sketch(setup=f"import json\n{compute}", environ={"TF_ENABLE_ONEDNN_OPTS": "1"})
    assert other["kernels"]["TF_ENABLE_ONEDNN_OPTS"] == "1"
    assert sketch.distance(other, current_sketch) > 5 * TOLERANCE


@pytest.mark.slow
@pytest.mark.full
def test_training_under_jax_computes_what_its_reference_says():
    # The GPU machine trains under JAX, whose random streams differ from TensorFlow's: its own
    # reference, checked the same way.
    assert _sketch("--against", str(REFERENCE), backend="jax") < TOLERANCE


def test_the_sketch_sets_its_kernels_and_refuses_once_a_library_has_started_without_them():
    environ = {"TF_ENABLE_ONEDNN_OPTS": "1", "PATH": "/bin"}
    sketch.pin_kernels(environ, started={"numpy"})
    assert environ == {**sketch.KERNELS, "PATH": "/bin"}
    sketch.pin_kernels(environ, started={"tensorflow"})  # already set: nothing to do
    with pytest.raises(sketch.KernelsError, match="TF_ENABLE_ONEDNN_OPTS='1'.*tensorflow starts"):
        sketch.pin_kernels({"TF_ENABLE_ONEDNN_OPTS": "1"}, started={"tensorflow"})
    with pytest.raises(sketch.KernelsError, match="XLA_FLAGS=None.*jax starts"):
        sketch.pin_kernels({"TF_ENABLE_ONEDNN_OPTS": "0"}, started={"jax"})


def test_the_command_names_a_reference_it_cannot_read_before_training(tmp_path, capsys):
    with pytest.raises(SystemExit):
        sketch.main(["--against", str(tmp_path / "missing.json")])
    assert "missing.json" in capsys.readouterr().err
