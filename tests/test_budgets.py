"""Holm's adjustment and the one-sided tests behind every verdict, and the claims at each
training budget."""

import math

import numpy as np
import pandas as pd
import pytest

from covae import budgets, claims
from tests.conftest import ROOT


def test_holm_matches_its_definition_on_a_known_family():
    # m = 4: sorted p 0.01, 0.02, 0.03, 0.04 -> 0.04, 0.06, 0.06 (monotone), 0.06
    adjusted = claims.holm([0.03, 0.01, math.nan, 0.04, 0.02])
    np.testing.assert_allclose(adjusted, [0.06, 0.04, math.nan, 0.06, 0.06])


def test_holm_never_lowers_a_p_value_and_caps_at_one():
    p = np.random.default_rng(0).uniform(size=50)
    adjusted = claims.holm(p)
    assert np.all(adjusted >= p) and np.all(adjusted <= 1)
    assert claims.holm([0.5, 0.9]).tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("values", "low", "high", "holds"),
    [
        ([0.9, 1.0, 1.1, 1.0, 0.95], 0.5, math.inf, True),  # clearly above the threshold
        ([0.1, 0.0, 0.05, 0.12, 0.02], 0.5, math.inf, False),  # clearly below
        ([0.84, 0.85, 0.86, 0.85, 0.85], 0.8, 0.9, True),  # inside the band
        ([0.5, 1.2, 0.8, 0.95, 0.3], 0.8, 0.9, None),  # all over the place
    ],
)
def test_the_one_sided_tests_agree_with_where_the_values_lie(values, low, high, holds):
    p_holds, p_fails = claims.claim_p_values(values, low, high)
    if holds is True:
        assert p_holds < 0.01 and p_fails > 0.5
    elif holds is False:
        assert p_fails < 0.01 and p_holds > 0.5
    else:
        assert p_holds > 0.05 and p_fails > 0.05


def test_no_spread_and_one_seed():
    assert claims.claim_p_values([1.0, 1.0, 1.0], 0.5, math.inf) == (0.0, 1.0)
    assert claims.claim_p_values([0.1, 0.1], 0.5, math.inf) == (1.0, 0.0)
    assert all(math.isnan(p) for p in claims.claim_p_values([1.0], 0.5, math.inf))


def _judged(values_by_claim, seeds=(0, 1, 2, 3, 4)):
    """claims.judge on a synthetic frame: one level claim per (key, values) on the VAE."""
    rows = []
    claim_list = []
    for key, values in values_by_claim.items():
        metric = f"test.{key}"
        claim_list.append(claims.Claim(key, key, metric, low=0.5, models=("vae",),
                                       datasets=("gaussian",)))  # fmt: skip
        rows += [{"dataset": "gaussian", "model": "vae", "seed": s, "metric": metric, "value": v}
                 for s, v in zip(seeds, values, strict=True)]  # fmt: skip
    return claims.judge(pd.DataFrame(rows), claim_list, 0.95)


def test_a_family_of_one_gives_the_intervals_verdict():
    for values in (
        [0.6, 0.7, 0.65, 0.62, 0.68],
        [0.1, 0.2, 0.15, 0.3, 0.2],
        [0.3, 0.8, 0.5, 0.9, 0.2],
    ):
        verdicts, _ = _judged({"one": values})
        assert verdicts["verdict"].tolist() == verdicts["verdict_unadjusted"].tolist()
        assert verdicts["p_holds_holm"].tolist() == verdicts["p_holds"].tolist()


def test_holm_turns_a_marginal_verdict_of_a_large_family_into_not_shown():
    # A claim that just holds on its own (t ~ 3.9, p ~ 0.009 one-sided) among 20 undecided
    # ones: it has the family's smallest p, so Holm multiplies it by 21.
    marginal = [0.52, 0.60, 0.55, 0.62, 0.56]
    undecided = {f"undecided{i}": [0.3, 0.8, 0.5, 0.9, 0.2] for i in range(20)}
    verdicts, _ = _judged({"marginal": marginal, **undecided})
    frame = budgets.by_budget({"main": verdicts}).set_index("claim")
    assert frame.loc["marginal", "verdict_unadjusted"] == "holds"
    assert frame.loc["marginal", "verdict"] == "not shown"
    assert frame.loc["marginal", "p_holds_holm"] > frame.loc["marginal", "p_holds"]
    assert frame.loc["marginal", "p_holds_holm"] == pytest.approx(
        21 * frame.loc["marginal", "p_holds"]
    )
    assert (frame.drop("marginal")["verdict"] == "not shown").all()


def test_holm_leaves_the_largest_p_of_a_rejected_family_as_it_is():
    # Step-down: once every smaller p is rejected, the largest is tested at the full level.
    clear = {f"clear{i}": [0.9, 0.95, 1.0, 0.92, 0.97] for i in range(20)}
    verdicts, _ = _judged({"marginal": [0.52, 0.60, 0.55, 0.62, 0.56], **clear})
    frame = budgets.by_budget({"main": verdicts}).set_index("claim")
    assert (frame["verdict"] == "holds").all()


def test_a_verdict_that_changes_with_the_budget_is_marked():
    long_v, _ = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.9, 0.8, 0.85, 0.9, 0.95]})
    short_v, _ = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.1, 0.2, 0.1, 0.15, 0.2]})
    frame = budgets.by_budget({"main": long_v, "short": short_v})
    assert len(frame) == 4 and set(frame["budget"]) == {"main", "short"}
    dependent = frame.groupby("claim")["budget_dependent"].all()
    assert dependent.to_dict() == {"a": False, "b": True}
    b = frame[frame["claim"] == "b"].set_index("budget")["verdict"]
    assert b.to_dict() == {"main": "holds", "short": "fails"}


def test_the_paper_lists_budget_dependent_and_stable_claims(tmp_path):
    from covae import paper, tables

    long_v, _ = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.9, 0.8, 0.85, 0.9, 0.95]})
    short_v, _ = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.1, 0.2, 0.1, 0.15, 0.2]})
    frame = budgets.by_budget({"main": long_v, "short": short_v})
    tables.save_table(frame, tmp_path / "claims_by_budget.csv")
    tables.save_table(budgets.verdict_counts(frame), tmp_path / "claims_by_budget_counts.csv")
    summary = paper.Tables(tmp_path, ["claims_by_budget", "claims_by_budget_counts"]).budgets()
    assert summary["names"] == ["main", "short"]
    assert summary["dependent"] == ["b (vae; gaussian)"]
    assert summary["changes"].splitlines() == [
        "| claim | data set | subject | main | short |",
        "|---|---|---|---|---|",
        "| b | gaussian | vae | holds | fails |",
    ]
    assert summary["stable"] == ["a (vae; gaussian)"]
    assert summary["counts"].splitlines()[0] == "| budget | holds | fails | not shown |"
    assert summary["counts"].splitlines()[2:] == ["| main | 2 | 0 | 0 |", "| short | 1 | 1 | 0 |"]


def test_the_paper_says_none_where_no_verdict_depends_on_the_budget(tmp_path):
    from covae import paper, tables

    same, _ = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.1, 0.2, 0.1, 0.15, 0.2]})
    frame = budgets.by_budget({"main": same, "short": same})
    tables.save_table(frame, tmp_path / "claims_by_budget.csv")
    tables.save_table(budgets.verdict_counts(frame), tmp_path / "claims_by_budget_counts.csv")
    t = paper.Tables(tmp_path, ["claims_by_budget", "claims_by_budget_counts"])
    summary = t.budgets()
    assert summary["dependent"] == [] and summary["changes"] == ""
    assert summary["stable"] == ["a (vae; gaussian)"]
    section = (ROOT / "workflow" / "templates" / "paper.md").read_text()
    section = section[section.index("**Budget-dependent**") : section.index("**Holds at every")]
    (tmp_path / "section.md").write_text("{% set b = t.budgets() %}\n" + section)
    text = paper.render_markdown(tmp_path / "section.md", t=t)
    assert "(the adjusted verdict differs between budgets):\nnone." in text


def test_the_budget_chart_marks_a_changed_verdict_and_a_claim_its_seeds_cannot_show():
    from covae import draw_claims

    long_v, long_s = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.9, 0.8, 0.85, 0.9, 0.95]})
    short_v, short_s = _judged({"a": [0.9, 0.95, 1.0, 0.92, 0.97], "b": [0.1, 0.2, 0.1, 0.15, 0.2]})
    for verdicts in (long_v, short_v):  # claim a as a sign test would have it: 6 seeds needed
        verdicts.loc[verdicts["claim"] == "a", ["verdict", "seeds_needed"]] = ["not shown", 6]
    frame = budgets.by_budget({"main": long_v, "short": short_v})
    seeds = pd.concat([long_s.assign(budget="main"), short_s.assign(budget="short")])
    fig = draw_claims.claims_by_budget_chart(frame, seeds, title="t")
    labels = [" ".join(text.get_text() for text in ax.texts) for ax in fig.axes]
    assert labels == [
        "A · vae: not shown / not shown (value > 0.5; its test needs 6 seeds)",
        "B · vae: holds / fails (value > 0.5)  BUDGET-DEPENDENT",
    ]
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["short", "main"]
