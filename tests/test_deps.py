"""The package modules a workflow script reaches, as the Snakefile lists them for each rule, and
what a job or a snakemake call imports before it does any work."""

import json
import re
import subprocess
import sys

from covae import deps
from tests.conftest import ROOT

SCRIPTS = ROOT / "workflow" / "scripts"


def test_imports_are_followed_through_the_package(tmp_path):
    package = tmp_path / "covae"
    package.mkdir()
    (package / "a.py").write_text("from covae import b\nimport numpy\n")
    (package / "b.py").write_text("import covae.c as c\n")
    (package / "c.py").write_text("from covae.a import thing  # a cycle ends\n")
    (package / "d.py").write_text("")
    script = tmp_path / "script.py"
    script.write_text("from covae import a, io_missing\n")
    assert deps.direct_imports(script, package) == {"a"}
    assert deps.modules_of(script, package) == ["a", "b", "c"]
    other = tmp_path / "other.py"
    other.write_text("from covae.d import x\n")
    assert deps.modules_of(other, package) == ["d"]


def test_real_scripts_reach_the_modules_the_review_found_missing():
    # These scripts import more than their figure module, which hand-kept lists missed.
    assert {"draw_latent", "style", "names"} <= set(deps.modules_of(SCRIPTS / "plot_latent.py"))
    assert "tables" in deps.modules_of(SCRIPTS / "render_paper.py")
    assert "training" not in deps.modules_of(SCRIPTS / "plot_metrics.py")


# What the train rule's jobs import: what determines a model's weights (data, model, training
# loop), the model store, and the file and log helpers. Any other module edited leaves every
# training job alone (the rerun boundary the model store relies on).
TRAINING_MODULES = ["heatmaps", "io", "logs", "models", "names", "protocol", "store", "training"]


def test_training_reaches_exactly_what_determines_the_weights():
    assert deps.modules_of(SCRIPTS / "train.py") == TRAINING_MODULES


def test_figures_reach_only_their_own_family_and_the_style():
    for script in SCRIPTS.glob("plot_*.py"):
        reached = set(deps.modules_of(script))
        families = {module for module in reached if module.startswith("draw_")}
        assert len(families) == 1, (script.name, families)
        assert "style" in reached
        if script.name != "plot_convergence.py":
            assert "convergence" not in reached, script.name
        assert not {"training", "metrics", "probes"} & reached, script.name


def test_every_rule_with_a_script_lists_its_code_as_derived():
    rules = "".join(path.read_text() for path in (ROOT / "workflow" / "rules").glob("*.smk"))
    checked = set()
    # (a rule defined under a condition, such as the sweep's figure, is indented)
    for block in re.split(r"(?m)^(?=[ \t]*(?:rule |use rule ))", rules):
        # a rule of its own, or one made from the figure template (its script in params.script)
        script = re.search(r'script:\n\s+"\.\./scripts/(\w+)\.py"', block) or re.search(
            r'\n\s+script="(\w+)",', block
        )
        if block.lstrip().startswith(("rule ", "use rule ")) and script:
            assert f'code=code_of("{script.group(1)}.py")' in block, block.splitlines()[0]
            checked.add(script.group(1))
    assert checked == {path.stem for path in SCRIPTS.glob("*.py")}  # every script is some rule's


def test_only_the_jobs_that_run_a_model_import_keras():
    """Keras (and TensorFlow behind it) costs seconds per job: the figure, table and paper
    jobs must not reach it through some helper they happen to import."""
    package = ROOT / "src" / "covae"
    keras_modules = {
        path.stem for path in package.glob("*.py") if "import keras" in path.read_text()
    }
    assert {"models", "training"} <= keras_modules
    with_keras = {
        script.name
        for script in SCRIPTS.glob("*.py")
        if "import keras" in script.read_text() or keras_modules & set(deps.modules_of(script))
    }
    assert with_keras == {
        "train.py", "encode_images.py", "decode_paths.py", "lr_range.py", "convergence_run.py",
        "export_decoder.py",
    }  # fmt: skip


HEAVY = ("scipy.stats", "seaborn", "sklearn", "keras", "tensorflow")


def _loaded_by(code: str) -> list[str]:
    """Which of ``HEAVY`` a fresh interpreter has imported after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_every_snakemake_call_starts_without_scipy_stats_seaborn_or_keras():
    """Each snakemake call (a dry run too) imports the package modules the Snakefile and its
    rule files import; scipy.stats alone adds ~0.6 s to each. The oracle: drawing a density,
    as a data job does, loads it."""
    files = [ROOT / "Snakefile", *(ROOT / "workflow" / "rules").glob("*.smk")]
    text = "\n".join(path.read_text() for path in files)
    modules = set(re.findall(r"(?m)^import (covae\.\w+)", text))
    for module, names in re.findall(r"(?m)^from (covae(?:\.\w+)?) import ([\w, ]+)$", text):
        modules |= (
            {module} if module != "covae" else {f"covae.{n.strip()}" for n in names.split(",")}
        )
    modules = sorted(modules)
    assert "covae.config" in modules and "covae.deps" in modules
    assert _loaded_by(f"import {', '.join(modules)}") == []
    assert _loaded_by("from covae import heatmaps\nheatmaps._standard_distribution(3.0)") == [
        "scipy.stats"
    ]


def test_figure_jobs_load_seaborn_only_for_the_colour_map_they_draw_with():
    # The latent-space and data figures import the style; only seaborn's icefire map (the
    # light-tailed t images) needs seaborn itself.
    start = "from covae import style, draw_latent, draw_data"
    assert "seaborn" not in _loaded_by(f"{start}\nstyle.colour_map(style.HEAVY_TAIL_CMAP)")
    drawn = f"{start}\nassert style.colour_map(style.LIGHT_TAIL_CMAP).name == 'icefire'"
    assert "seaborn" in _loaded_by(drawn)
