# covae: how a convolutional VAE's latent space differs from a plain autoencoder's.
# This file is the table of contents; each stage lives in workflow/rules/<stage>.smk.
from pathlib import Path

from snakemake.utils import min_version, validate

from covae.config import parse_numbers

min_version("8.0")


# Read first wherever snakemake runs (-d elsewhere too); each --configfile then overrides it
# key by key at every depth (README: "Rerun one thing, change the config").
configfile: Path(workflow.basedir) / "config" / "config.yaml"


parse_numbers(config)  # `--config seeds=[0,1]` passes "0", "1" as strings
validate(config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/explore.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/convergence.smk"


# `snakemake --report report.html`: every figure, the claims and the paper, browsable.
report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        all_outputs(),
