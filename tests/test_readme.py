"""The README and the documentation: short, numbers from the committed tables, links that
resolve."""

import re

import pandas as pd

from covae import readme
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", ROOT / "config" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_short():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


def test_the_readmes_results_are_what_the_committed_tables_give():
    text = (ROOT / "README.md").read_text()
    block = text.split(readme.START)[1].split(readme.END)[0].strip()
    expected = readme.results(ROOT / "results" / "tables", readme.protocol_tables(ROOT))
    assert block == expected.strip()


def test_the_readme_compares_the_published_numbers_under_a_protocol_study_that_ran(tmp_path):
    # A protocol study's published table with one number inside our range of seeds: the
    # sentence counts it, against the main study's count; without the table, no sentence.
    tables = ROOT / "results" / "tables"
    ours = pd.read_csv(tables / "published.csv")
    under = ours.assign(within_spread=[i == 0 for i in range(len(ours))])
    path = tmp_path / "published.csv"
    under.to_csv(path, index=False)
    block = readme.results(tables, {"source_protocol": path})
    main = int(ours["within_spread"].sum())
    assert (f"the further study `source_protocol`: its losses, schedules and epochs on our "
            f"seeds), 1 of its {len(ours)} published numbers lies between our lowest and "
            f"highest seed ({main} under the main") in block  # fmt: skip
    assert "Gaussian VAE's mean test reconstruction error was 0.322, ours" in block
    assert "source_protocol" not in readme.results(tables, {"source_protocol": tmp_path / "no"})


def test_the_results_block_follows_the_tables(tmp_path):
    # The oracle's other side: a changed table changes the block.
    tables = tmp_path / "tables"
    tables.mkdir()
    for path in (ROOT / "results" / "tables").glob("*.csv"):
        (tables / path.name).write_text(path.read_text())
    before = readme.results(tables)
    errors = pd.read_csv(tables / "reconstruction.csv")
    row = (errors["dataset"] == "gaussian") & (errors["model"] == "vae")
    row &= errors["metric"] == "reconstruction.z_mean.mean"
    assert row.sum() == 1
    errors.loc[row, "mean"] = errors.loc[row, "mean"] + 1.0
    errors.to_csv(tables / "reconstruction.csv", index=False)
    after = readme.results(tables)
    assert after != before
    assert after.splitlines()[2] != before.splitlines()[2]  # the reconstruction row changed
    assert after.splitlines()[3:] == before.splitlines()[3:]


def test_every_relative_link_of_the_documentation_resolves():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} -> {target}"


def test_the_user_documentation_holds_no_development_history():
    for page in PAGES:
        text = page.read_text()
        for phrase in ("this round", "last round", "issue 1", "issue 2", "the round after"):
            assert phrase not in text.lower(), f"{page.relative_to(ROOT)}: {phrase!r}"


def _by_budget(short_verdict):
    rows = [
        ("ae_lower_error", "gaussian", "vae - ae", "main", "holds"),
        ("ae_lower_error", "gaussian", "vae - ae", "short", short_verdict),
        ("df_separable", "student_t", "vae", "main", "fails"),
        ("df_separable", "student_t", "vae", "short", "fails"),
    ]
    frame = pd.DataFrame(rows, columns=["claim", "dataset", "subject", "budget", "verdict"])
    frame["budget_dependent"] = (
        frame.groupby(["claim", "dataset", "subject"])["verdict"].transform("nunique") > 1
    )
    return frame


def test_the_readme_names_each_budget_dependent_verdict_and_only_those():
    changed = readme.budget_sentence(_by_budget("not shown"))
    assert "1 of 2 verdicts agree" in changed
    assert "1 depends on the budget, of the claims `ae_lower_error` (gaussian)" in changed
    assert "df_separable" not in changed
    same = readme.budget_sentence(_by_budget("holds"))
    assert "2 of 2 verdicts agree; none depends on the budget." in same


def test_the_readme_says_which_not_shown_verdicts_no_seeds_could_have_shown(tmp_path):
    tables = ROOT / "results" / "tables"
    block = readme.results(tables)
    assert (
        "4 of the 36 not shown could not have been shown on 5 seeds whatever their values: "
        "`cor_spans_hull`, bimodal over seeds and so judged by a sign test, needs 6."
    ) in block
    # The same claims on six seeds: within reach, nothing to say.
    for path in tables.glob("*.csv"):
        frame = pd.read_csv(path)
        if path.stem == "claims":
            frame["n"] = 6
        frame.to_csv(tmp_path / path.name, index=False)
    assert "could not have been shown" not in readme.results(tmp_path)


def test_the_readme_states_the_level_the_study_table_gives(tmp_path):
    tables = ROOT / "results" / "tables"
    assert "Means over 5 seeds with 95 % t-intervals." in readme.results(tables)
    for path in tables.glob("*.csv"):
        frame = pd.read_csv(path)
        if path.stem == "study":
            frame.loc[frame["quantity"] == "confidence", "value"] = "90.0"
        frame.to_csv(tmp_path / path.name, index=False)
    assert "Means over 5 seeds with 90 % t-intervals." in readme.results(tmp_path)
