"""The statistics behind each kind of claim: ratios on the log scale, bimodal metrics by a sign
test, intervals in range, the shape claim that sees bends, the sensitivity to thresholds."""

import math

import numpy as np
import pandas as pd
import pytest

from covae import claims
from tests.conftest import load_config
from tests.test_paper import _frame

SETTINGS = load_config("config.yaml")["paper"]["claims"]


def _claim(key: str, settings=SETTINGS) -> claims.Claim:
    return next(c for c in claims.seed_claims(settings) if c.key == key)


def _judge(claim, values, dataset="student_t"):
    frame = _frame({(claim.metric, model): v for model, v in values.items()}, dataset)
    return claims.judge(frame, [claim], confidence=0.95)[0].set_index("subject")


@pytest.mark.parametrize("key", ["ae_heavier_tail", "ae_worse_tail"])
def test_a_tail_claim_is_a_ratio_of_the_two_models_judged_on_the_log_scale(key):
    claim = _claim(key)
    assert "seed_protocol" in claim.metric and claim.scale == "log"
    vae = np.array([2.2, 2.3, 2.1, 2.25, 2.2])
    heavier = vae * np.array([1.5, 1.6, 1.4, 1.55, 1.5])  # the AE's tail about 1.5x the VAE's
    row = _judge(claim, {"vae": vae, "ae": heavier}).loc["vae / ae"]
    assert row["verdict"] == "holds" and row["estimator"] == "geometric mean"
    assert row["estimate"] == pytest.approx(np.exp(np.mean(np.log(vae / heavier))))
    assert 0 < row["ci_low"] < row["estimate"] < row["ci_high"] < 1
    assert _judge(claim, {"vae": heavier, "ae": vae}).loc["vae / ae", "verdict"] == "fails"


def test_a_ratio_interval_stays_at_or_above_one_where_the_ratio_cannot_be_below():
    # Ratios of ranges (larger over smaller) are >= 1; a t-interval of such noisy values
    # reached below 0. On the log scale, cut to the range, it cannot.
    claim = _claim("plane_upper_one_variance")
    values = [1.0, 1.1, 30.0, 1.2, 9.0]
    row = _judge(claim, {"vae": values}).loc["vae"]
    linear = np.mean(values) - 2.776 * np.std(values, ddof=1) / math.sqrt(5)
    assert linear < 0  # what a t-interval of the raw ratios would say
    assert 1 <= row["ci_low"] <= row["estimate"] <= row["ci_high"]
    assert row["verdict"] == "not shown"


def test_a_share_interval_stays_in_zero_one():
    claim = claims.Claim("share", "a share", "knn.z_mean.scaled.test_accuracy", low=0.5,
                         datasets=("gaussian",), models=("vae",))  # fmt: skip
    row = _judge(claim, {"vae": [0.99, 0.999, 0.6, 1.0, 0.97]}, "gaussian").loc["vae"]
    assert 0 <= row["ci_low"] < row["ci_high"] <= 1


def test_a_bimodal_metric_gets_a_median_and_an_interval_inside_its_values():
    claim = _claim("cor_spans_hull")
    assert claim.test == "median"
    bimodal = [0.1, 1.0, 0.12, 0.98, 1.02, 0.09, 0.99, 1.0, 0.11]
    row = _judge(claim, {"vae": bimodal}).loc["vae"]
    assert row["estimator"] == "median" and row["estimate"] == pytest.approx(0.98)
    assert min(bimodal) <= row["ci_low"] <= row["ci_high"] <= max(bimodal)
    assert row["verdict"] == "not shown"  # 5 of 9 above: no side shown
    # A t-interval over the same values would straddle the middle of the two modes.
    assert row["ci_low"] < 0.5 < row["ci_high"]


def test_a_median_claim_holds_and_fails_with_enough_seeds_and_never_with_five():
    claim = _claim("cor_spans_hull")
    above = [0.95, 1.0, 0.9, 0.97, 0.93, 0.99, 0.96, 0.94, 1.01]
    below = [0.2, 0.25, 0.3, 0.2, 0.22, 0.1, 0.12, 0.15, 0.3]
    assert _judge(claim, {"vae": above, "ae": below})["verdict"].to_dict() == {
        "vae": "holds", "ae": "fails"}  # fmt: skip
    # Five seeds all above: a sign test's smallest one-sided p is 1/32 > 0.025.
    row = _judge(claim, {"vae": above[:5]}).loc["vae"]
    assert row["p_holds"] == pytest.approx(1 / 32) and row["verdict"] == "not shown"
    assert row["verdict_unadjusted"] == "not shown"  # no 95 % interval from five seeds


@pytest.mark.parametrize("n", [2, 5, 6, 9])
def test_the_p_floor_is_the_smallest_p_the_claims_test_can_give_on_its_seeds(n):
    # Oracle: every seed far beyond the boundary gives exactly the floor for a sign test, no
    # arrangement of the seeds' sides gives less, and a t-test goes below any floor above 0.
    median, mean = _claim("cor_spans_hull"), _claim("df_separable")
    row = _judge(median, {"vae": np.linspace(5.0, 5.1, n)}).loc["vae"]
    assert row["p_holds"] == pytest.approx(claims.p_floor(n, "median")) == pytest.approx(0.5**n)
    spread = np.linspace(-1.0, 1.0, n)
    for signs in np.array(np.meshgrid(*[[-1, 1]] * n)).reshape(n, -1).T[:64]:
        p_holds, p_fails = claims.claim_p_values(signs + 0.8 + 1e-3 * spread, 0.8, math.inf,
                                                 test="median")  # fmt: skip
        assert min(p_holds, p_fails) >= claims.p_floor(n, "median") - 1e-12
    assert claims.p_floor(n, "mean") == 0.0
    assert _judge(mean, {"vae": 0.9 + 1e-3 * spread}).loc["vae", "p_holds"] < 0.5**n
    assert math.isnan(claims.p_floor(1, "median"))


def test_a_median_claim_needs_six_seeds_at_95_and_five_at_90_percent():
    assert claims.seeds_needed("median", 0.95) == 6  # 1/32 > 0.025 > 1/64
    assert claims.seeds_needed("median", 0.90) == 5  # 1/32 < 0.05
    assert claims.seeds_needed("mean", 0.95) == 2
    claim = _claim("cor_spans_hull")
    above = [0.95, 1.0, 0.9, 0.97, 0.93, 0.99]
    five = _judge(claim, {"vae": above[:5]}).reset_index()
    six = _judge(claim, {"vae": above}).reset_index()
    assert five.loc[0, "seeds_needed"] == 6
    assert claims.unshowable(five)["claim"].tolist() == ["cor_spans_hull"]
    assert claims.unshowable(six).empty and six.loc[0, "verdict"] == "holds"
    t_claim = _claim("df_separable")
    assert claims.unshowable(_judge(t_claim, {"vae": [0.9, 0.91]}).reset_index()).empty
    assert claims.unshowable(_judge(claim, {"vae": above[:1]}).reset_index()).empty  # one seed


def test_the_df_claim_is_one_sided_so_a_better_accuracy_holds():
    claim = _claim("df_separable")
    assert math.isinf(claim.high)
    better = [0.89, 0.9, 0.88, 0.89, 0.9]
    worse = [0.6, 0.62, 0.58, 0.61, 0.6]
    assert _judge(claim, {"vae": better, "ae": worse})["verdict"].to_dict() == {
        "vae": "holds", "ae": "fails"}  # fmt: skip


def test_shared_neighbours_are_all_for_a_relabelled_copy_many_for_a_bent_one_none_for_noise():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(3000, 3))
    bent = np.column_stack([np.exp(1.5 * codes[:, 0]), codes[:, 1] ** 3, np.tanh(codes[:, 2])])
    unrelated = rng.normal(size=(3000, 3))
    assert claims.neighbour_overlap(codes, codes[:, [2, 0, 1]] * [1.0, -3.0, 5.0], 10) == 1.0
    assert claims.neighbour_overlap(codes, bent, 10) > 0.3
    rotated = codes @ np.linalg.qr(rng.normal(size=(3, 3)))[0]
    assert claims.neighbour_overlap(codes, rotated, 10) > 0.9  # axes standardized: not 1
    assert claims.neighbour_overlap(codes, unrelated, 10) < 0.01


def test_the_same_neighbours_claim_holds_for_a_bent_cloud_and_fails_for_an_unrelated_one():
    rng = np.random.default_rng(1)
    codes = {}
    for seed in range(5):
        base = rng.normal(size=(2000, 3))
        codes[("gaussian", "vae", seed)] = base
        codes[("gaussian", "ae", seed)] = np.column_stack(
            [np.exp(base[:, 0]), base[:, 1] ** 3, base[:, 2]])  # fmt: skip
        codes[("student_t", "vae", seed)] = base
        codes[("student_t", "ae", seed)] = rng.normal(size=(2000, 3))
    frame = claims.similarity_frame(codes, neighbours=10)
    verdicts, _ = claims.judge(frame, [_claim("same_neighbours")], confidence=0.95)
    got = verdicts.set_index("dataset")["verdict"].to_dict()
    assert got == {"gaussian": "holds", "student_t": "fails"}


def test_holm_adjusts_every_kind_of_claim_in_one_family():
    # A level, a paired and an equivalence claim, each shown on its own (family of one), all
    # adjusted together: three claims, so the smallest p is multiplied by 3.
    level = claims.Claim("level", "l", "m.level", low=0.5, datasets=("gaussian",),
                         models=("vae",))  # fmt: skip
    paired = claims.Claim("paired", "p", "m.paired", low=0, paired=True, datasets=("gaussian",))
    band = claims.Claim("band", "b", "m.band", low=-0.02, high=0.02, paired=True,
                        datasets=("gaussian",))  # fmt: skip
    frame = _frame({
        ("m.level", "vae"): [0.7, 0.72, 0.69, 0.71, 0.7],
        ("m.paired", "vae"): [0.5, 0.52, 0.51, 0.5, 0.53],
        ("m.paired", "ae"): [0.4, 0.41, 0.4, 0.42, 0.4],
        ("m.band", "vae"): [0.80, 0.81, 0.80, 0.82, 0.81],
        ("m.band", "ae"): [0.801, 0.811, 0.799, 0.821, 0.812],
    })  # fmt: skip
    verdicts, _ = claims.judge(frame, [level, paired, band], confidence=0.95)
    p = verdicts["p_holds"].to_numpy()
    order = np.argsort(p)
    expected = np.maximum.accumulate(np.minimum(1, (3 - np.arange(3)) * p[order]))
    np.testing.assert_allclose(verdicts["p_holds_holm"].to_numpy()[order], expected)
    assert (verdicts["verdict"] == "holds").all()


def test_each_thresholded_claim_is_judged_at_half_and_double_its_threshold():
    # cor's R^2 on the code at about 0.6: fails at 0.8, holds at half (0.4), fails at 1.6.
    claim = _claim("cor_one_direction")
    frame = _frame({(claim.metric, "vae"): [0.6, 0.61, 0.59, 0.6, 0.62]}, "gaussian")
    table = claims.sensitivity(frame, SETTINGS, confidence=0.95)
    row = table.set_index(["claim", "subject"]).loc[("cor_one_direction", "vae")]
    assert row["setting"] == "direction_r2"
    assert (row["half value"], row["as set value"], row["double value"]) == (0.4, 0.8, 1.6)
    assert (row["at half"], row["as set"], row["at double"]) == ("holds", "fails", "fails")
    # Every claim with a setting appears, and only those.
    with_setting = {c.key for c in claims.seed_claims(SETTINGS) if c.setting}
    assert set(table["claim"]) <= with_setting
    assert isinstance(table, pd.DataFrame)


def test_the_claims_figure_names_claims_in_words_and_shades_where_they_hold():
    import matplotlib.colors as mcolors

    from covae import draw_claims

    assert draw_claims.readable("ae_lower_error_sampled") == "AE lower error sampled"
    assert draw_claims.readable("df_similar") == "df similar"
    claim = _claim("ae_heavier_tail")
    verdicts, seeds = claims.judge(
        _frame({(claim.metric, "vae"): [2.2, 2.3, 2.1, 2.25, 2.2],
                (claim.metric, "ae"): [3.3, 3.5, 3.0, 3.4, 3.2]}, "gaussian"),
        [claim], confidence=0.95)  # fmt: skip
    fig = draw_claims.claims_chart(verdicts, seeds, title="t")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"  # a ratio
    label = " ".join(text.get_text() for text in ax.texts)
    assert label.startswith("AE heavier tail · vae / ae: holds")
    shaded = [
        p for p in ax.patches if mcolors.to_hex(p.get_facecolor()[:3]) == draw_claims.TRUE_REGION
    ]
    assert len(shaded) == 1
    low, high = ax.get_xlim()
    x0, x1 = shaded[0].get_x(), shaded[0].get_x() + shaded[0].get_width()
    assert x0 == pytest.approx(low) and x1 == pytest.approx(1.0)  # true below a ratio of 1
    # Far from the grey a reader could not see (RGB 245).
    assert min(mcolors.to_rgb(draw_claims.TRUE_REGION)) < 0.7
