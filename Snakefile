# covae: how a convolutional VAE's latent space differs from a plain autoencoder's.
# This file is the table of contents; each stage lives in workflow/rules/<stage>.smk.
import os
import subprocess
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

import covae.config

min_version("8.0")


# Read first wherever snakemake runs (-d elsewhere too); each --configfile then overrides it
# key by key at every depth (README: "Rerun one thing, change the config").
configfile: Path(workflow.basedir) / "config" / "config.yaml"


def refuse(message):
    """Stop before any job runs, leaving no trace: the empty -d folder snakemake made for
    this run goes too."""
    made = Path.cwd()
    if made.resolve() != Path(workflow.basedir).resolve() and not any(made.iterdir()):
        os.chdir(made.parent)
        made.rmdir()
    raise WorkflowError(message)


try:  # one line per mistake, naming the key and what it allows
    notes = covae.config.prepare(
        config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
    )
except covae.config.ConfigError as error:
    message = covae.config.with_source(
        str(error),
        workflow.overwrite_configfiles,
        workflow.config_settings.config,  # what --config set (overwrite_config adds the files)
    )
    refuse(f"Invalid configuration: {message}")
for note in notes:  # keys of a schedule kind an override replaced
    print(f"covae: {note}", file=sys.stderr)


def committed_outputs_at_risk():
    """The study sections a run in the repository itself would change, where the repository
    holds committed outputs (results/tables tracked by git) that the run would overwrite.
    """
    base = Path(workflow.basedir).resolve()
    if Path.cwd().resolve() != base:
        return []
    tracked = subprocess.run(
        ["git", "-C", str(base), "ls-files", "results/tables"],
        capture_output=True,
        text=True,
    )
    if tracked.returncode != 0 or not tracked.stdout.strip():
        return []
    default = covae.config.parse_numbers(
        covae.config.read_yaml(base / "config" / "config.yaml")
    )
    return covae.config.differs_from_study(config, default)


if changed := committed_outputs_at_risk():
    refuse(
        f"This config differs from config/config.yaml in {', '.join(changed)}, and a run here "
        "would write its tables, figures and paper over the committed study's. Run it in "
        "another folder: the same command with snakemake -d runs/<name> (git ignores runs/)."
    )


# Stages in the order data flows; each file's rules use only what common.smk and the files
# before it define, and each registers its targets in TARGETS for `rule all`.
include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/encode.smk"
include: "workflow/rules/paths.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/realism.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/wide.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/paper.smk"
# Its own target (`snakemake convergence`), not part of `all`: it trains more than the study.
include: "workflow/rules/convergence.smk"


# `snakemake --report report.html`: every figure, the claims and the paper, browsable.
report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        [file for stage in TARGETS.values() for file in stage],
