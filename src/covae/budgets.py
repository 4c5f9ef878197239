"""Every claim judged at each training budget, and the verdicts that change with it.

Each budget's claims table (:func:`covae.claims.judge`) already carries its one-sided p-values,
Holm-adjusted over every claim of that budget (the family the paper reports), and the adjusted
verdict. Here the budgets are stacked, and a claim whose verdict differs between them is marked
budget-dependent: the conclusion hangs on how long the models trained.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from covae import claims

KEYS = ["claim", "dataset", "subject"]
COLUMNS = [
    *KEYS, "budget", "metric", "criterion", "low", "high", "n", "k", "estimator", "estimate",
    "ci_low", "ci_high", "p_holds", "p_holds_holm", "p_fails", "p_fails_holm", "seeds_needed",
    "verdict", "verdict_unadjusted", "budget_dependent", "statement",
]  # fmt: skip


def by_budget(verdicts: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per claim x data set x subject x budget (``verdicts`` maps each budget's name to
    its claims table), with ``budget_dependent``: whether the adjusted verdict of that claim,
    data set and subject differs between the budgets."""
    frame = pd.concat(
        [table.assign(budget=budget) for budget, table in verdicts.items()], ignore_index=True
    )
    distinct = frame.groupby(KEYS)["verdict"].transform("nunique")
    frame["budget_dependent"] = distinct > 1
    return frame[COLUMNS]


def verdict_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """How many claims got each adjusted verdict at each budget (one row per budget)."""
    rows = [
        claims.verdict_counts(block).assign(budget=budget)
        for budget, block in frame.groupby("budget", sort=False)
    ]
    return pd.concat(rows, ignore_index=True)[["budget", *claims.VERDICTS]]
