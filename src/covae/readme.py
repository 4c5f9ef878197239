"""The README's results, written from the committed tables (never typed by hand), so they
follow the tables when a study is rerun: ``python -m covae.readme`` rewrites the part of
README.md between its ``<!-- results:start -->`` and ``<!-- results:end -->`` markers, and a
test checks that the committed README equals what the committed tables give."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from covae import claims as claims_module
from covae import names
from covae.budgets import KEYS
from covae.names import DATASETS

START, END = "<!-- results:start -->", "<!-- results:end -->"
# (quantity, table, metric, data sets): one row each, VAE / AE per data set.
HEADLINE = [
    ("mean test reconstruction error (Frobenius, `z_mean`)", "reconstruction",
     "reconstruction.z_mean.mean", ("gaussian", "student_t")),
    ("nearest-neighbour ratio of the code cloud (1 = uniform fill)", "density",
     "density.nn_ratio", ("gaussian", "student_t")),
    ("linear R² of cor from the code", "factors", "factors.r2_linear.cor",
     ("gaussian", "student_t")),
    ("KNN test accuracy of df (standardized `z_mean`)", "knn",
     "knn.z_mean.scaled.test_accuracy", ("student_t",)),
]  # fmt: skip
VERDICTS = ("holds", "fails", "not shown")


def _number(value: float) -> str:
    return f"{value:.3g}"


def _cell(table: pd.DataFrame, dataset: str, model: str, metric: str) -> str:
    row = table[(table["dataset"] == dataset) & (table["model"] == model)
                & (table["metric"] == metric)]  # fmt: skip
    if row.empty:
        return "-"
    row = row.iloc[0]
    return f"{_number(row['mean'])} [{_number(row['ci_low'])}, {_number(row['ci_high'])}]"


def protocol_tables(root: str | Path) -> dict[str, Path]:
    """The published-numbers table of each further study of the repository's config that
    trains under another protocol (its own losses; ``covae.config.budget_studies``)."""
    from covae import config as configs

    config, _ = configs.load([], root)
    budgets = configs.budget_studies(config)
    return {
        name: Path(root) / configs.study_root(name) / "tables" / "published.csv"
        for name in configs.study_names(config)
        if name not in budgets
    }


def protocol_sentence(name: str, under: pd.DataFrame, ours: pd.DataFrame) -> str:
    """How the source study's published numbers compare with our seeds under its own protocol
    (``under``: the study ``name``'s published table) and under ours."""
    from covae import config as configs
    from covae.paper import within_spread_count

    inside, count = within_spread_count(under)
    main, _ = within_spread_count(ours)
    vae = under[(under["dataset"] == "gaussian") & (under["model"] == "vae")].iloc[0]
    return (
        f"Under the source study's own protocol (the further study `{name}`: its losses, "
        f"schedules and epochs on our seeds), {inside} of its {count} published numbers "
        f"{'lies' if inside == 1 else 'lie'} between our lowest and highest seed ({main} under "
        f"the main study's protocol); its Gaussian VAE's {vae['quantity']} was "
        f"{_number(vae['published'])}, ours {_number(vae['ours_mean'])} "
        f"[{_number(vae['ci_low'])}, {_number(vae['ci_high'])}] "
        f"(`{configs.study_root(name)}/tables/published.csv`)."
    )


def results(tables: str | Path, protocols: dict[str, Path] | None = None) -> str:
    """The README's results block: the headline table (mean [interval] over seeds, VAE /
    AE), the count of claims by verdict, from ``tables`` (results/tables), and for each
    protocol study of ``protocols`` (name -> its published.csv) that ran, how the source
    study's published numbers compare under it."""
    tables = Path(tables)
    lines = [f"| | {' | '.join(map(names.label, DATASETS))} |", "|---|---|---|"]
    for quantity, name, metric, datasets in HEADLINE:
        table = pd.read_csv(tables / f"{name}.csv")
        cells = [
            " / ".join(_cell(table, dataset, model, metric) for model in ("vae", "ae"))
            if dataset in datasets
            else "n/a (one df: every Gaussian image's is infinite)"
            for dataset in DATASETS
        ]
        lines.append(f"| {quantity}, VAE / AE | {cells[0]} | {cells[1]} |")
    claims = pd.read_csv(tables / "claims.csv")
    seeds = int(claims["n"].max())
    counts = claims["verdict"].str.removesuffix(" (one seed)").value_counts()
    verdicts = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    lines += [
        "",
        f"Means over {seeds} seeds with {_confidence(tables)} % t-intervals. The source study's "
        f"{claims['claim'].nunique()} claims, each judged per data set and model (or VAE - AE "
        f"pair), give {len(claims)} verdicts: {verdicts} (`results/tables/claims.csv`)."
        + _unshowable_sentence(claims),
    ]
    if (tables / "claims_by_budget.csv").exists():
        lines += ["", budget_sentence(pd.read_csv(tables / "claims_by_budget.csv"))]
    for name, path in (protocols or {}).items():
        if Path(path).exists():
            ours = pd.read_csv(tables / "published.csv")
            lines += ["", protocol_sentence(name, pd.read_csv(path), ours)]
    return "\n".join(lines)


def _confidence(tables: Path) -> str:
    """The level of every interval, in percent, as the study table of the run states it."""
    study = pd.read_csv(tables / "study.csv").set_index("quantity")["value"]
    return _number(float(study["confidence"]))


def _unshowable_sentence(claims: pd.DataFrame) -> str:
    """The *not shown* verdicts that no values of their seeds could have shown (too few seeds
    for their test: :func:`covae.claims.unshowable`), or nothing."""
    summary = claims_module.unshowable_summary(claims)
    if summary is None:
        return ""
    keys = ", ".join(f"`{key}`" for key in summary["claims"])
    not_shown = int((claims["verdict"] == "not shown").sum())
    return (
        f" {summary['rows']} of the {not_shown} not shown could not have been shown on "
        f"{summary['seeds']} seeds whatever their values: {keys}, bimodal over seeds and so "
        f"judged by a sign test, needs {summary['needed']}."
    )


def budget_sentence(frame: pd.DataFrame) -> str:
    """What ``claims_by_budget`` says in one paragraph: how many verdicts agree at every
    budget, and the claims with a budget-dependent verdict, each with the data sets where it
    changes (the verdicts themselves are in the table and the paper)."""
    budgets = list(dict.fromkeys(frame["budget"]))
    groups = frame.groupby(KEYS, sort=False)
    changed = frame[frame["budget_dependent"]].drop_duplicates(KEYS)
    dependent = [
        f"`{claim}` ({', '.join(dict.fromkeys(block['dataset']))})"
        for claim, block in changed.groupby("claim", sort=False)
    ]
    text = (
        f"Judged at each training budget ({', '.join(f'`{b}`' for b in budgets)}; "
        f"`results/tables/claims_by_budget.csv`), {groups.ngroups - len(changed)} of "
        f"{groups.ngroups} verdicts agree"
    )
    if not dependent:
        return text + "; none depends on the budget."
    return (
        f"{text}; {len(changed)} {'depends' if len(changed) == 1 else 'depend'} on the budget, "
        "of the claims "
        + ", ".join(dependent)
        + " (the paper's *At each training budget* gives each verdict)."
    )


def rewrite(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m covae.readme",
        description="Rewrite README.md's results (between its results markers) from the "
        "committed tables.",
    ).parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    readme = root / "README.md"
    block = results(root / "results" / "tables", protocol_tables(root))
    readme.write_text(rewrite(readme.read_text(), block))
    print(f"rewrote the results of {readme} from {root / 'results' / 'tables'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
