"""Every claim judged at each training budget, with p-values corrected for multiplicity.

The verdicts of :func:`covae.claims.judge` read one confidence interval per claim, with no
correction for the many claims a paper makes. Here each claim's per-seed values give two
one-sided t-tests: that the claim holds (the mean lies inside its region) and that it fails
(outside). A band's region needs both of its sides (an intersection-union test: the larger
p-value); leaving the band needs one side only (Bonferroni over the two: twice the smaller).
Holm's step-down method adjusts each kind over every claim of one budget, the family the paper
reports, and the verdict reads the adjusted values at the interval's one-sided level, so a
family of one claim gives the interval's verdict. A verdict that differs between budgets is
budget-dependent: the conclusion hangs on how long the models trained.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

KEYS = ["claim", "dataset", "subject"]


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count in the family)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, math.nan)
    finite = np.flatnonzero(~np.isnan(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = order.size
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def _one_sided(values: np.ndarray, boundary: float, alternative: str) -> float:
    """p of a one-sample t-test that the mean lies beyond ``boundary`` on the side
    ``alternative`` ("greater" or "less"); with no spread, 0 or 1 by where the values lie."""
    if values.std() == 0:
        above = values[0] > boundary
        return 0.0 if above == (alternative == "greater") and values[0] != boundary else 1.0
    return float(stats.ttest_1samp(values, boundary, alternative=alternative).pvalue)


def test_claim(values, low: float, high: float) -> tuple[float, float]:
    """(p that the claim holds, p that it fails) for per-seed ``values`` and the region
    [low, high] where the claim is true; NaN with fewer than two seeds."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return math.nan, math.nan
    holds, fails = [], []
    if math.isfinite(low):
        holds.append(_one_sided(values, low, "greater"))
        fails.append(_one_sided(values, low, "less"))
    if math.isfinite(high):
        holds.append(_one_sided(values, high, "less"))
        fails.append(_one_sided(values, high, "greater"))
    return max(holds), min(1.0, len(fails) * min(fails))


def by_budget(
    verdicts: Mapping[str, pd.DataFrame],
    seeds: Mapping[str, pd.DataFrame],
    confidence: float,
) -> pd.DataFrame:
    """One row per claim x data set x subject x budget: n, mean, interval and the unadjusted
    verdict (as :func:`covae.claims.judge` gave them), p-values that the claim holds and that
    it fails, both Holm-adjusted within the budget, the adjusted verdict, and whether the
    adjusted verdict differs between budgets (``budget_dependent``)."""
    alpha = (1 - confidence) / 2  # one-sided: what a two-sided interval leaves on each side
    blocks = []
    for budget, table in verdicts.items():
        per_seed = seeds[budget].groupby(KEYS)["value"].apply(np.asarray)
        rows = table.copy()
        tests = [
            test_claim(per_seed.get(tuple(row[key] for key in KEYS), []), row["low"], row["high"])
            for row in rows.to_dict("records")
        ]
        rows["p_holds"] = [p for p, _ in tests]
        rows["p_fails"] = [p for _, p in tests]
        rows["p_holds_holm"] = holm(rows["p_holds"])
        rows["p_fails_holm"] = holm(rows["p_fails"])
        rows["verdict_unadjusted"] = rows["verdict"]
        rows["verdict"] = [
            "(one seed)"
            if row.n < 2
            else "holds"
            if row.p_holds_holm < alpha
            else "fails"
            if row.p_fails_holm < alpha
            else "not shown"
            for row in rows.itertuples(index=False)
        ]
        rows.insert(3, "budget", budget)
        blocks.append(rows)
    frame = pd.concat(blocks, ignore_index=True)
    distinct = frame.groupby(KEYS)["verdict"].transform("nunique")
    frame["budget_dependent"] = distinct > 1
    columns = [
        *KEYS, "budget", "metric", "criterion", "low", "high", "n", "k", "mean", "ci_low",
        "ci_high", "p_holds", "p_holds_holm", "p_fails", "p_fails_holm", "verdict",
        "verdict_unadjusted", "budget_dependent", "statement",
    ]  # fmt: skip
    return frame[columns]


def verdict_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """How many claims got each adjusted verdict at each budget (one row per budget)."""
    verdict = frame["verdict"].str.removesuffix(" (one seed)")
    counts = pd.crosstab(frame["budget"], verdict)
    names = list(dict.fromkeys(frame["budget"]))
    counts = counts.reindex(index=names, columns=["holds", "fails", "not shown"])
    return counts.fillna(0).astype(int).reset_index()
