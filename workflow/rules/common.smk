# Shared by every stage: the cross-key config check, wildcard constraints, the final targets.
import covae.config
from snakemake.exceptions import WorkflowError

try:
    covae.config.check(config)
except covae.config.ConfigError as error:
    raise WorkflowError(f"Invalid configuration: {error}") from None

DATASETS = ["gaussian", "student_t"]
MODELS = ["vae", "ae"]


wildcard_constraints:
    dataset="|".join(DATASETS),
    model="|".join(MODELS),
    seed=r"\d+",


def all_outputs():
    """Every file that `snakemake` with no target builds (extended stage by stage)."""
    return [
        *expand("figures/heatmaps_{dataset}.png", dataset=DATASETS),
        *expand("figures/training_{dataset}.png", dataset=DATASETS),
        *expand(
            "figures/{figure}_{dataset}.png",
            figure=["reconstruction_errors", "reconstructions", "metrics"],
            dataset=DATASETS,
        ),
        *expand("results/tables/{table}.{ext}", table=TABLES, ext=["csv", "md"]),
    ]
