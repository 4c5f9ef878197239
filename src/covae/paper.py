"""The paper: every number read from ``results/tables``, rendered to Markdown and to HTML.

:func:`study_table`, :func:`runtime_table` and :func:`provenance_table` turn the config, the
``benchmark:`` files and the software into tables like the others, so that the template reads
numbers from tables only. :class:`Tables` is what the template sees; :func:`fmt` is the one way
a number is written, which lets a test find every number of the paper in the table it came
from. :func:`render_markdown` fills the template (an unknown name is an error, never an empty
string); :func:`to_html` converts the Markdown and embeds the figures, so the HTML opens offline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markdown_it import MarkdownIt

from covae import claims
from covae.heatmaps import entropy_floor
from covae.io import palette_png
from covae.names import MODELS
from covae.names import label as reader_label
from covae.tables import to_markdown

PACKAGES = ("numpy", "scipy", "pandas", "scikit-learn", "matplotlib", "tensorflow", "keras",
            "snakemake")  # fmt: skip
# The stages whose jobs write a benchmark file, in the order of the data flow.
STAGES = ("data", "train", "encode", "paths", "evaluate", "realism", "embed", "tables")


def fmt(value: Any) -> str:
    """A number as the paper writes it: integers in full, 3 significant digits otherwise."""
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def counted(value: Any, noun: str, plural: str | None = None) -> str:
    """``value`` and its noun, singular for one ("1 seed", "5 seeds")."""
    number = float(value)
    word = noun if number == 1 else (plural or noun + "s")
    return f"{fmt(value)} {word}"


def with_article(value: Any) -> str:
    """``value`` after "a" or "an", as it is read aloud ("a 3", "an 8", "an 80", "an 11")."""
    text = fmt(value)
    head = text.lstrip("-").replace(",", "")
    spoken_vowel = head[:1] in "8" or re.match(r"1[18](\D|$|\d{3}(\D|$))", head) is not None
    if head[:1].isalpha():
        spoken_vowel = head[:1].lower() in "aeio"
    return f"{'an' if spoken_vowel else 'a'} {text}"


def listed(items: Iterable[Any], conjunction: str = "and") -> str:
    """Items as English lists them: "a", "a and b", "a, b and c" (or "a, b or c")."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


# --- the tables only the paper needs -------------------------------------------------------


def study_table(
    config: Mapping[str, Any], data: Mapping[str, Mapping[str, np.ndarray]]
) -> pd.DataFrame:
    """The settings of the run and the sizes of its data, one row per quantity."""
    rows: list[tuple[str, Any, str]] = []
    grid, scale, cor = (config["data"][k] for k in ("grid", "scale", "correlation"))
    t_set = config["data"]["student_t"]
    for name, arrays in data.items():
        factors, is_test = arrays["factors"], arrays["is_test"]
        floor = float(entropy_floor(arrays["images"][~is_test]).mean())
        rows += [
            (f"{name}.images", len(factors), f"images of the {name} set"),
            (f"{name}.test_images", int(is_test.sum()), "held-out test images"),
            (f"{name}.entropy_floor", floor, "least summed cross-entropy, nats/training image"),
        ]
        if np.isfinite(factors[:, 3]).all():
            heavy = float(np.mean(factors[:, 3] == t_set["df_heavy"]))
            rows.append((f"{name}.heavy_share", heavy, "share of images with df = df_heavy"))
        rows += [
            (f"{name}.scales", np.unique(factors[:, 0]).size, "values of var_x (and of var_y)"),
            (f"{name}.correlations", np.unique(factors[:, 2]).size, "values of cor"),
        ]
    axis = np.arange(grid["start"], grid["stop"], grid["step"])
    training, model = config["training"], config["model"]
    rows += [
        ("grid.points", axis.size, "grid points per image axis"),
        ("grid.start", grid["start"], "first grid point"),
        ("grid.step", grid["step"], "grid spacing"),
        ("scale.min", scale["start"], "smallest var_x, var_y"),
        ("scale.step", scale["step"], "spacing of var_x, var_y"),
        ("cor.min", cor["start"], "smallest cor"),
        ("cor.step", cor["step"], "spacing of cor"),
        ("df.heavy", t_set["df_heavy"], "df of heavy-tailed images"),
        ("df.light", t_set["df_light"], "df of the others"),
        ("df.threshold", t_set["threshold"], "(var_x + var_y)^2 - U(0, noise) above this: heavy"),
        ("df.noise_max", t_set["noise_max"], "the noise's upper bound"),
        ("test_fraction", config["data"]["test_fraction"], "share of images held out"),
        ("latent_dim", model["latent_dim"], "size of the code"),
        ("beta", model["beta"], "weight of the KL term"),
        ("batch_size", training["batch_size"], "images per step"),
        *_schedule_rows(training["schedule"]),
        (
            "convergence.tolerance",
            100 * config["convergence"]["tolerance"],
            "distance above its convergence reference a model may keep, %",
        ),
        ("patience", training["patience"], "epochs without a new low of the validation excess"),
        ("validation_fraction", training["validation_fraction"], "share of training rows"),
        ("seeds", len(config["seeds"]), "replicate seeds per model and data set"),
        ("confidence", 100 * config["evaluation"]["confidence"], "level of every interval, %"),
        ("knn.k_min", config["evaluation"]["knn"]["k_min"], "smallest k searched"),
        ("knn.k_max", config["evaluation"]["knn"]["k_max"], "largest k searched"),
        ("knn.folds", config["evaluation"]["knn"]["folds"], "cross-validation folds"),
        ("knn.fixed_k", config["evaluation"]["knn"]["fixed_k"], "the source study's k"),
        ("interpolation.pairs", config["exploration"]["interpolation"]["pairs"], "test pairs"),
        ("interpolation.steps", config["exploration"]["interpolation"]["steps"], "points/line"),
        ("realism.sample", config["exploration"]["realism"]["sample"], "reconstructions fitted"),
        ("hull.threshold", config["exploration"]["hull"]["threshold"], "|var_x - var_y| strip"),
        ("hull.outside", config["exploration"]["hull"]["outside"], "near-hull step, of distance"),
        (
            "evaluation.gap_expected",
            1 - config["evaluation"]["density"]["gap_quantile"],
            "gap fraction of a uniform fill of the hull",
        ),
        (
            "claims.separability.margin",
            config["paper"]["claims"]["separability"]["margin"],
            "equivalence margin of df accuracy",
        ),
        ("wide.latent_dim", config["exploration"]["wide"]["latent_dim"], "the wider code"),
        ("wide.seeds", len(config["exploration"]["wide"]["seeds"]), "seeds of the wider code"),
    ]
    return pd.DataFrame(rows, columns=["quantity", "value", "meaning"])


def _schedule_rows(schedules: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """The study table's rows of each model's learning-rate schedule."""
    meaning = {
        "kind": "learning-rate schedule",
        "peak": "peak learning rate (cosine)",
        "warmup_epochs": "epochs of linear warmup",
        "initial": "initial learning rate (exponential)",
        "decay_steps": "steps per decay",
        "decay_rate": "decay per decay_steps",
        "rate": "constant learning rate",
        "epochs": "epochs trained",
    }
    rows = []
    for model, entry in schedules.items():
        for key, value in entry.items():
            if isinstance(value, Mapping):  # one per data set, and all of them in one row
                rows += [(f"{model}.{key}.{name}", v, meaning[key]) for name, v in value.items()]
                joined = ", ".join(f"{v} ({name})" for name, v in value.items())
                rows.append((f"{model}.{key}", joined, meaning[key]))
            else:
                rows.append((f"{model}.{key}", value, meaning[key]))
    return rows


def runtime_table(benchmarks: Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Wall time per stage from snakemake's ``benchmark:`` files (column ``s``)."""
    seconds: dict[str, list[float]] = {}
    for path in benchmarks:
        parts = Path(path).parts
        stage = next((p for p in parts[parts.index("benchmarks") + 1 :]), "")
        stage = Path(stage).stem
        if stage not in STAGES:
            continue
        seconds.setdefault(stage, []).extend(pd.read_csv(path, sep="\t")["s"].tolist())
    rows = [
        {"stage": stage, "jobs": len(values), "total_s": sum(values),
         "median_s": float(np.median(values)), "max_s": max(values)}
        for stage in STAGES if (values := seconds.get(stage))
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["stage", "jobs", "total_s", "median_s", "max_s"])


def provenance_table(config: Mapping[str, Any], repository: str | os.PathLike) -> pd.DataFrame:
    """Git commit, config hash, platform and package versions of the run."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=repository, capture_output=True,
                                  text=True, check=True).stdout.strip()  # fmt: skip
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown (not a git checkout)"
    # Changes to the code and config, not to the outputs this run is rewriting.
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                ":(exclude)results", ":(exclude)figures")  # fmt: skip
    canonical = json.dumps(config, sort_keys=True, default=str).encode()
    rows = [
        ("git commit", commit + (" (with uncommitted changes)" if dirty else "")),
        ("config sha256", hashlib.sha256(canonical).hexdigest()[:16]),
        ("keras backend", os.environ.get("KERAS_BACKEND", "tensorflow")),
        ("python", platform.python_version()),
        ("platform", f"{platform.system()} {platform.machine()}"),
        ("cpu cores", str(os.cpu_count())),
    ]
    for package in PACKAGES:
        try:
            rows.append((package, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    return pd.DataFrame(rows, columns=["item", "value"])


# --- what the template sees -----------------------------------------------------------------


def _model_name(dataset: str, model: str) -> str:
    """A run's model in words: "the Gaussian set's VAE"."""
    sets = {"gaussian": "the Gaussian set's", "student_t": "the t set's"}
    return f"{sets.get(dataset, dataset)} {model.upper()}"


def within_spread_count(published: pd.DataFrame) -> tuple[int, int]:
    """How many rows of a published-numbers table (``covae.tables.published``) have the source
    study's number between our lowest and highest seed, and of how many (the column reads back
    from CSV as booleans or as text)."""
    inside = published["within_spread"].astype(str).str.lower() == "true"
    return int(inside.sum()), len(inside)


def protocol_table(study: str) -> str:
    """The name under which the paper holds a protocol study's published-numbers table."""
    return f"published_under_{study}"


class Tables:
    """The tables of ``results/tables`` (CSV) with lookups that return formatted numbers."""

    def __init__(
        self,
        folder: str | os.PathLike,
        names: Sequence[str],
        extra: Mapping[str, str | os.PathLike] | None = None,
    ):
        """``names``: tables of ``folder``; ``extra``: name -> CSV path, loaded where it exists."""
        self.frames = {name: pd.read_csv(Path(folder) / f"{name}.csv") for name in names}
        for name, path in (extra or {}).items():
            if Path(path).exists():
                self.frames[name] = pd.read_csv(path)

    def row(self, table: str, **where: Any) -> pd.Series:
        frame = self.frames[table]
        mask = np.ones(len(frame), dtype=bool)
        for column, value in where.items():
            mask &= (frame[column] == value).to_numpy()
        if mask.sum() != 1:
            raise KeyError(f"{table}: {mask.sum()} rows match {where}")
        return frame[mask].iloc[0]

    def value(self, table: str, column: str = "mean", **where: Any) -> float:
        return self.row(table, **where)[column]

    def num(self, table: str, column: str = "mean", **where: Any) -> str:
        return fmt(self.value(table, column, **where))

    def ci(self, table: str, **where: Any) -> str:
        """``mean [low, high]`` (the interval is missing with one seed)."""
        row = self.row(table, **where)
        if not np.isfinite(row["ci_low"]):
            return fmt(row["mean"])
        return f"{fmt(row['mean'])} [{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"

    def diff(self, dataset: str, metric: str) -> str:
        """VAE - AE of ``paired`` with its interval."""
        row = self.row("paired", dataset=dataset, metric=metric)
        if not np.isfinite(row["ci_low"]):
            return fmt(row["difference"])
        return f"{fmt(row['difference'])} [{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"

    def study(self, quantity: str) -> str:
        value = self.value("study", "value", quantity=quantity)
        try:  # the column holds words (a schedule's kind) beside numbers, so CSV reads text
            value = float(value)
        except ValueError:
            pass
        return fmt(value)

    def unconverged(self) -> list[str] | None:
        """The "data set model" pairs whose test error is shown to be more than the convergence
        tolerance above their reference: the whole interval of the distance over seeds lies
        above it (with one seed, no interval: the value itself). A mean above the tolerance
        whose interval reaches below it is the seeds' spread around a reference that is itself
        one seed's run, not a sign of undertraining. None without a convergence reference, or
        when the training table has no distances from it (tables made before the reference
        existed)."""
        if not self.has("convergence_summary"):
            return None
        tolerance = float(self.value("study", "value", quantity="convergence.tolerance")) / 100
        frame = self.frames["training"]
        distances = frame[frame["metric"] == "training.reference_distance"]
        if distances.empty:
            return None
        low = distances["ci_low"] if "ci_low" in distances else distances["mean"]
        far = distances[low.fillna(distances["mean"]) > tolerance]
        return [f"{row.dataset} {row.model}" for row in far.itertuples()]

    def unconverged_models(self) -> str:
        """:meth:`unconverged` as English ("every model", "the Gaussian set's VAE and the t
        set's AE")."""
        far = self.unconverged() or []
        pairs = {tuple(item.split()) for item in far}
        if len(pairs) == 4:
            return "every model"
        return listed(_model_name(d, m) for d, m in sorted(pairs))

    def doubling(self) -> dict[str, str]:
        """The next doubling (``doubling``: the study's runs beside the same runs trained for
        more epochs) in words: the two lengths, each model's distance from its doubled run
        ("+4.1 % (the Gaussian set's VAE)"), the models not within the tolerance, and how
        many of how many that is ("4 of 4")."""
        frame = self.frames["doubling"]
        who = [_model_name(row.dataset, row.model) for row in frame.itertuples()]
        far = [w for w, ok in zip(who, frame["within_tolerance"], strict=True) if not ok]
        return {
            "count": f"{len(far)} of {len(frame)}",
            "epochs": listed(dict.fromkeys(fmt(e) for e in frame["epochs"])),
            "doubled": listed(dict.fromkeys(fmt(e) for e in frame["epochs_doubled"])),
            "distances": listed(
                f"{100 * d:+.1f} % ({w})" for d, w in zip(frame["distance"], who, strict=True)
            ),
            "far": listed(far),
        }

    def kept_epochs(self, last: int = 10) -> dict[str, str] | None:
        """The next doubling seen from the last epoch of the study's runs. The study's models
        are the convergence reference's runs (the same protocol and seed) at the epoch their
        guard kept, so each reference curve (``convergence``, the run named in
        ``convergence_summary``) holds the kept epoch's test error and the last epoch's. In
        words: the kept epochs, each kept error's distance from its run's last error, each
        doubled run's error measured from that last error, the models not within the tolerance
        of it and how many of how many, those beyond it only from the epoch kept, and how far
        the error moves from one epoch to the next over the curve's ``last`` epochs (the
        largest move, per model). None without these tables, or where a model's error is on no
        epoch of its reference curve of as many epochs (the study then trains another protocol
        or seed than the reference)."""
        if not {"doubling", "convergence", "convergence_summary"} <= set(self.frames):
            return None
        tolerance = float(self.value("study", "value", quantity="convergence.tolerance")) / 100
        curves, summary = self.frames["convergence"], self.frames["convergence_summary"]
        rows = []
        for row in self.frames["doubling"].itertuples():
            pair = (summary["dataset"] == row.dataset) & (summary["model"] == row.model)
            if not pair.any():
                return None
            reference = summary.loc[pair, "reference_run"].iloc[0]
            curve = curves[(curves["dataset"] == row.dataset) & (curves["model"] == row.model)
                           & (curves["run"] == reference)].sort_values("epoch")  # fmt: skip
            error = curve["test_error_z_mean"].to_numpy()
            on = np.flatnonzero(np.isclose(error, row.test_error_z_mean, rtol=1e-9, atol=0.0))
            if curve.empty or curve["epoch"].max() != row.epochs or len(on) != 1:
                return None
            moves = np.abs(error[-last:][1:] / error[-last:][:-1] - 1)
            rows.append({
                "who": _model_name(row.dataset, row.model),
                "kept": int(curve["epoch"].iloc[on[0]]),
                "offset": row.test_error_z_mean / error[-1] - 1,
                "distance": error[-1] / row.test_error_z_mean_doubled - 1,
                "move": float(moves.max()) if len(moves) else float("nan"),
                "kept_far": not row.within_tolerance,
            })  # fmt: skip
        # As the doubling table judges: beyond it where more than the tolerance above.
        far = [r["who"] for r in rows if r["distance"] > tolerance]
        # Beyond the tolerance from the epoch kept (the doubling table), within it from the last.
        kept_only = [r["who"] for r in rows if r["kept_far"] and r["who"] not in far]
        return {
            "kept": listed(fmt(r["kept"]) for r in rows),
            "offsets": listed(f"{100 * r['offset']:+.1f} % ({r['who']})" for r in rows),
            "distances": listed(f"{100 * r['distance']:+.1f} % ({r['who']})" for r in rows),
            "far": listed(far),
            "count": f"{len(far)} of {len(rows)}",
            "kept_only": listed(kept_only),
            "last": fmt(last),
            "moves": listed(f"{100 * r['move']:.1f} % ({r['who']})" for r in rows),
        }

    def unshowable(self) -> dict[str, Any] | None:
        """The claim rows that no values of their seeds could show either way
        (:func:`covae.claims.unshowable`), or None: the claims (in backticks), their seed count
        and the seeds their test needs."""
        summary = claims.unshowable_summary(self.frames["claims"])
        if summary is None:
            return None
        return {**summary, "claims": [f"`{key}`" for key in summary["claims"]]}

    def claims_table(self) -> str:
        """The claims as one Markdown table: each claim's statement once (on its first row),
        then per data set and subject its criterion, estimate with interval, seeds where it is
        true, the Holm-adjusted p-values that it holds and fails, and the verdict (said to be
        out of reach where no values of the seeds could show it)."""
        frame = self.frames["claims"]
        unshowable = set(claims.unshowable(frame).index)
        rows, seen = [], set()
        for row in frame.itertuples():
            first = row.claim not in seen
            seen.add(row.claim)
            interval = ""
            if np.isfinite(row.ci_low):
                interval = f" [{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
            rows.append({
                "claim": f"**{row.claim}**: {row.statement}" if first else "",
                "data set": row.dataset, "subject": row.subject, "criterion": row.criterion,
                "estimate": f"{fmt(row.estimate)}{interval} ({row.estimator})",
                "true in": f"{fmt(row.k)} of {fmt(row.n)}",
                "p holds / fails (Holm)": f"{fmt(row.p_holds_holm)} / {fmt(row.p_fails_holm)}",
                "verdict": f"*{row.verdict}*"
                + (f" (cannot be shown on {fmt(row.n)} seeds)" if row.Index in unshowable else ""),
            })  # fmt: skip
        return to_markdown(pd.DataFrame(rows)).rstrip("\n")

    def verdict(self, claim: str, dataset: str, subject: str) -> str:
        """The verdict of one claim row ("not judged" where the claims table has none)."""
        frame = self.frames["claims"]
        rows = frame[(frame["claim"] == claim) & (frame["dataset"] == dataset)
                     & (frame["subject"] == subject)]  # fmt: skip
        return str(rows["verdict"].iloc[0]) if len(rows) else "not judged"

    def budgets(self) -> dict[str, Any]:
        """The claims at each training budget (``claims_by_budget`` and its counts): the
        budgets, a Markdown table of verdict counts per budget, the claims whose adjusted
        verdict changes with the budget (and a Markdown table of their verdicts, one column per
        budget), and those that hold at every budget ("key (subject; data set)")."""
        frame = self.frames["claims_by_budget"]
        names = list(dict.fromkeys(frame["budget"]))
        verdict = frame["verdict"].str.replace(r" \(one seed\)", "", regex=True)
        label = frame["claim"] + " (" + frame["subject"] + "; " + frame["dataset"] + ")"
        by_claim = frame.assign(label=label, verdict=verdict).groupby("label", sort=False)
        dependent = [key for key, block in by_claim if block["verdict"].nunique() > 1]
        stable = [key for key, block in by_claim
                  if len(block) == len(names) and (block["verdict"] == "holds").all()]  # fmt: skip
        changes = ""  # every verdict the same at every budget: nothing to tabulate
        if dependent:
            table = (
                frame.assign(label=label, verdict=verdict)[lambda f: f["label"].isin(dependent)]
                .pivot(
                    index=["label", "claim", "dataset", "subject"],
                    columns="budget",
                    values="verdict",
                )
                .reindex(dependent, level="label")
                .reset_index()
                .drop(columns="label")
                .rename(columns={"dataset": "data set"})
                .reindex(columns=["claim", "data set", "subject", *names])
            )
            changes = to_markdown(table.fillna("-")).rstrip("\n")
        return {
            "names": names,
            "counts": to_markdown(self.frames["claims_by_budget_counts"]),
            "dependent": dependent,
            "changes": changes,
            "stable": stable,
        }

    def by_setting(self, table: str, metrics: Sequence[str], keys: Sequence[str]) -> str:
        """A Markdown table of ``table`` with one row per metric and one column per combination
        of ``keys`` (e.g. latent dim, data set, model), holding the means."""
        frame = self.frames[table]
        frame = frame[frame["metric"].isin(metrics)]
        wide = frame.pivot_table(index="metric", columns=list(keys), values="mean", sort=False)
        wide = wide.reindex([m for m in metrics if m in wide.index])
        wide.columns = [" ".join(str(part) for part in column) for column in wide.columns]
        return to_markdown(wide.reset_index(), number=fmt).rstrip("\n")

    def wide_value(self, model: str, metric: str, dataset: str = "student_t") -> str:
        """The wider code's mean of ``metric`` (the ``wide`` table's largest latent dim; every
        run of the workflow has the table)."""
        frame = self.frames["wide"]
        dim = frame["latent_dim"].max()
        return self.ci("wide", latent_dim=dim, dataset=dataset, model=model, metric=metric)

    def wide_lower(self, metric: str, dataset: str = "student_t") -> str:
        """Which model's wider code has the lower mean of ``metric``: ``vae``, ``ae`` or
        ``neither`` (equal)."""
        dim = self.frames["wide"]["latent_dim"].max()
        vae, ae = (self.value("wide", latent_dim=dim, dataset=dataset, model=m, metric=metric)
                   for m in ("vae", "ae"))  # fmt: skip
        return "vae" if vae < ae else "ae" if ae < vae else "neither"

    def convergence_choice(self) -> dict[str, Any]:
        """The committed convergence study's reference run and chosen protocol (None where no
        run cheaper than the reference is within tolerance on every pair)."""
        frame = self.frames["convergence_summary"]
        chosen = frame.loc[frame["chosen"].astype(bool), "run"]
        reference = str(frame["reference_run"].iloc[0])
        return {
            "reference": reference,
            "reference_batch": int(frame.loc[frame["run"] == reference, "batch_size"].iloc[0]),
            "chosen": str(chosen.iloc[0]) if len(chosen) else None,
        }

    def protocols(self) -> list[str]:
        """The further studies of other protocols whose published-numbers tables were loaded
        (:func:`protocol_table`), in the order given."""
        prefix = protocol_table("")
        return [name[len(prefix) :] for name in self.frames if name.startswith(prefix)]

    def within_spread(self, table: str) -> tuple[int, int]:
        """How many of the source study's published numbers in ``table`` (``published`` or a
        protocol study's) lie between our lowest and highest seed, and of how many."""
        return within_spread_count(self.frames[table])

    def has(self, table: str) -> bool:
        """Whether ``table`` was loaded (the committed convergence study may be absent)."""
        return table in self.frames

    def sweep(self) -> dict[str, Any]:
        """The settings of a sweep of the code (the ``sweep`` table): its latent dims and betas
        as the paper writes them, and the most seeds of any setting."""
        frame = self.frames["sweep"]
        return {
            "latent_dims": [fmt(v) for v in sorted(frame["latent_dim"].unique())],
            "betas": [fmt(v) for v in sorted(frame["beta"].unique())],
            "seeds": int(frame["n"].max()),
        }

    def sweep_table(self, dataset: str, metrics: Sequence[str]) -> str:
        """A Markdown table of the sweep on ``dataset``: one row per model and setting (the AE,
        which has no beta, once per latent dim), one column per metric of ``metrics`` that the
        data set has, each ``mean [low, high]`` over the setting's seeds."""
        frame = self.frames["sweep"]
        frame = frame[frame["dataset"] == dataset]
        shown = [metric for metric in metrics if (frame["metric"] == metric).any()]
        settings = frame[["model", "latent_dim", "beta"]].drop_duplicates()
        order = settings["model"].map(MODELS.index).rename("order")
        settings = settings.join(order).sort_values(["order", "latent_dim", "beta"])
        rows = []
        for model, latent_dim, beta, _ in settings.itertuples(index=False):
            setting = {"model": model, "latent dim": fmt(latent_dim),
                       "beta": fmt(beta) if model == "vae" else "-"}  # fmt: skip
            where = {"dataset": dataset, "model": model, "latent_dim": latent_dim, "beta": beta}
            for metric in shown:
                setting[metric] = self.ci("sweep", metric=metric, **where)
            rows.append(setting)
        return to_markdown(pd.DataFrame(rows)).rstrip("\n")

    def measured(self, table: str, metric: str) -> bool:
        """Whether ``table`` has rows of ``metric`` (the hull, plane and gap paths, and so
        their metrics, exist only for a 3-D code)."""
        return bool((self.frames[table]["metric"] == metric).any())

    def markdown(self, table: str, columns: Sequence[str] | None = None,
                 query: str | None = None) -> str:  # fmt: skip
        """A Markdown table of ``table``'s rows (``query``: a pandas filter) and columns."""
        frame = self.frames[table]
        if query:
            frame = frame.query(query)
        if columns:
            frame = frame[list(columns)]
        return to_markdown(frame, number=fmt).rstrip("\n")


def render_markdown(template: str | os.PathLike, **context: Any) -> str:
    """Fill the Jinja template; an unknown name raises instead of rendering as nothing."""
    path = Path(template)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(path.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters.update(
        fmt=fmt, counted=counted, a=with_article, listed=listed, label=reader_label
    )
    environment.globals.update(protocol_table=protocol_table)
    text = environment.get_template(path.name).render(**context)
    unresolved = re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text)
    if unresolved:
        raise ValueError(f"unresolved template code in the paper: {unresolved[:3]}")
    return text


STYLE = """
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5;
       font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; }
img { max-width: 100%; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.4rem; text-align: left;
         overflow-wrap: anywhere; }  /* long names wrap, so a wide table fits the page */
th { background: #f4f4f4; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def reading_copy(png: bytes, max_width: int) -> bytes:
    """A PNG for reading on screen: at most ``max_width`` pixels wide, 256 colours."""
    return palette_png(png, max_width)


# Width of the figures embedded in the HTML paper: 35 figures at 900 px made a 5.2 MB page,
# over the repository's 5 MB limit for a tracked file; at 800 px it is ~4.4 MB (the Markdown
# paper links the full-size figures).
HTML_FIGURE_WIDTH = 800


def to_html(
    markdown: str, base: str | os.PathLike, title: str, max_width: int = HTML_FIGURE_WIDTH
) -> str:
    """A self-contained HTML page of ``markdown``: every image is read from disk (relative to
    ``base``, the folder of the Markdown file) and embedded as a reading copy (see
    :func:`reading_copy`; the page's column is about 900 pixels wide, and the full figures stay
    in ``figures/``), so nothing is fetched and the page stays a few MB."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)

    def embed(match: re.Match[str]) -> str:
        source = html.unescape(match.group(1))
        if re.match(r"[a-z]+://", source):
            raise ValueError(f"the paper links a remote image: {source}")
        path = Path(base) / source
        if path.suffix != ".png":
            raise ValueError(f"the paper embeds PNG figures only: {source}")
        data = base64.b64encode(reading_copy(path.read_bytes(), max_width)).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^"]+)"', embed, body)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
