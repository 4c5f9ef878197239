"""The model store: the committed studies' trained models, tracked in git, each filed under a
fingerprint of everything that determines its weights.

A train job computes its run's fingerprint (:func:`fingerprint`) and looks it up (:func:`find`):
a stored model of the same fingerprint is copied into the run's folder in seconds instead of
training for most of an hour; any other run trains. Only :func:`publish` and
:func:`import_archive` (``python -m covae.store publish|import``) write into the store; a train
job only reads it.

The fingerprint holds
  * ``data``: the data settings of the run's data set (the Student-t rule only for the t set);
  * ``model``: the settings the model uses (``latent_dim``; ``beta`` and ``loss`` for the VAE,
    ``ae_loss`` for the AE);
  * ``training``: the schedule's own settings, batch size, validation fraction and patience
    (a patience of at least the epochs never stops a run, so it is recorded as the epochs);
  * ``seed``, and ``code``: :data:`covae.protocol.CODE_VERSION`, the version of what the
    training code computes. A test trains a few steps and compares the weights with those
    recorded for that version (:mod:`covae.sketch`, ``tests/data/training_reference.json``):
    moving or renaming code keeps the store, and changing what training computes fails that
    test until the version is raised, which retrains every run.
Backend, host and time are provenance: recorded, never compared (weights trained elsewhere
differ in round-off and random streams, not in what was asked for).

Layout: ``<store>/<dataset>/<model>/seed<seed>/<digest>/`` holds ``encoder.keras``,
``decoder.keras``, ``history.csv`` and ``fingerprint.json`` (the fingerprint, the sha256 of each
file, the provenance). A run's folder under ``results/`` carries the same ``fingerprint.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import platform
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from covae import heatmaps, io, names, protocol

log = logging.getLogger("covae.store")

RECORD = "fingerprint.json"
FILES = ("encoder.keras", "decoder.keras", "history.csv")
# The store of the repository this module was checked out with (src/covae/store.py).
DEFAULT_STORE = Path(__file__).resolve().parents[2] / "model_store"


class StoreError(RuntimeError):
    """A store entry or run folder that cannot be trusted; the message names the file and
    what to do."""


def fingerprint(config: Mapping[str, Any], dataset: str, model: str, seed: int) -> dict:
    """What determines the weights of one run: the ``data``, ``model`` and ``training``
    settings it uses, its seed, and the training code's version."""
    spec = protocol.TrainSpec.from_config(config, model, dataset)
    data = dataclasses.asdict(heatmaps.DataSpec.from_config(config["data"]))
    if dataset != "student_t":
        del data["df_rule"]
    settings: dict[str, Any] = {"latent_dim": spec.latent_dim}
    if model == "vae":
        settings |= {"beta": spec.beta, "loss": spec.loss}
    else:
        settings["ae_loss"] = spec.ae_loss
    patience = spec.patience if spec.patience is None else min(spec.patience, spec.epochs)
    return _plain(
        {
            "dataset": dataset,
            "model": model,
            "seed": int(seed),
            "data": data,
            "settings": settings,
            "training": {
                "schedule": spec.schedule.settings(),
                "batch_size": spec.batch_size,
                "validation_fraction": spec.validation_fraction,
                "patience": patience,
            },
            "code": protocol.CODE_VERSION,
        }
    )


def _plain(value):
    """``value`` as JSON reads it back (tuples become lists), so a fingerprint compares equal
    to its own record."""
    return json.loads(json.dumps(value))


def digest(print_: Mapping) -> str:
    """The first 16 hex digits of the sha256 of the fingerprint's canonical JSON."""
    text = json.dumps(print_, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def entry_of(store: str | os.PathLike, print_: Mapping) -> Path:
    """The folder of the store that holds (or would hold) the run of this fingerprint."""
    run = names.run_folder(print_["dataset"], print_["model"], print_["seed"])
    return Path(store) / run / digest(print_)


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def provenance(history_seconds: float | None = None) -> dict:
    """Where and how a run trained: backend, device, Keras version, machine, time."""
    import keras

    from covae import training

    return {
        "backend": keras.backend.backend(),
        "device": training.device(),
        "keras": keras.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
        **({} if history_seconds is None else {"train_seconds": round(history_seconds, 1)}),
    }


def seal(folder: str | os.PathLike, print_: Mapping, origin: Mapping) -> dict:
    """Write ``fingerprint.json`` into a trained run's ``folder``: the fingerprint, its digest,
    the sha256 of each of the run's files, and its ``provenance`` (``origin``)."""
    folder = Path(folder)
    record = {
        "fingerprint": dict(print_),
        "digest": digest(print_),
        "files": {name: _sha256(folder / name) for name in FILES},
        "provenance": dict(origin),
    }
    io.save_record(folder / RECORD, record)
    return record


def read_record(folder: str | os.PathLike) -> dict:
    """The ``fingerprint.json`` of a run folder or store entry, checked: it parses, holds its
    keys, and its digest is that of its fingerprint."""
    path = Path(folder) / RECORD
    fix = (
        f"restore it (git checkout -- {Path(folder)}) or delete {Path(folder)} to train the run "
        "again"
    )
    try:
        record = json.loads(path.read_text())
        print_, files, stated = record["fingerprint"], record["files"], record["digest"]
    except FileNotFoundError:
        raise StoreError(f"{path} is missing: {fix}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise StoreError(f"{path} is damaged ({type(error).__name__}: {error}); {fix}") from None
    if not isinstance(files, Mapping) or set(files) != set(FILES):
        raise StoreError(f"{path} lists files {sorted(files)}, not {sorted(FILES)}; {fix}")
    if digest(print_) != stated:
        raise StoreError(
            f"{path}: its fingerprint does not give its digest {stated} (edited by hand?); {fix}"
        )
    return record


def verify(folder: str | os.PathLike, record: Mapping | None = None) -> dict:
    """Check every file of a run folder or store entry against the sha256 its record gives;
    a missing, truncated or altered file raises :class:`StoreError` naming it."""
    folder = Path(folder)
    record = read_record(folder) if record is None else record
    for name, expected in record["files"].items():
        path = folder / name
        if not path.exists():
            raise StoreError(f"{path} is missing; restore it or delete {folder} to retrain")
        if _sha256(path) != expected:
            raise StoreError(
                f"{path} is damaged: its sha256 is not the one recorded in {folder / RECORD} "
                f"(truncated or changed after training); restore it (git checkout -- {folder}) "
                f"or delete {folder} to train the run again"
            )
    return record


def _differences(a: Mapping, b: Mapping, prefix: str = "") -> list[str]:
    keys = sorted(set(a) | set(b))
    out = []
    for key in keys:
        left, right = a.get(key), b.get(key)
        if isinstance(left, Mapping) and isinstance(right, Mapping):
            out += _differences(left, right, f"{prefix}{key}.")
        elif left != right:
            out.append(f"{prefix}{key} ({left!r} stored, {right!r} asked)")
    return out


def find(store: str | os.PathLike | None, print_: Mapping) -> Path | None:
    """The store entry holding this fingerprint's model, checked whole; ``None`` (with a log
    line saying why) when the run must train. A damaged entry raises :class:`StoreError`."""
    if store is None:
        log.info("no model store in use: training")
        return None
    entry = entry_of(store, print_)
    if not entry.is_dir():
        log.info("not in the model store %s (fingerprint %s): training", store, digest(print_))
        return None
    record = read_record(entry)
    if record["fingerprint"] != _plain(print_):
        changed = ", ".join(_differences(record["fingerprint"], _plain(print_)))
        log.warning(
            "%s holds another run's model (its fingerprint differs in %s): training this run",
            entry,
            changed,
        )
        return None
    verify(entry, record)
    return entry


def take(entry: str | os.PathLike, folder: str | os.PathLike) -> dict:
    """Copy a checked store entry's files into a run's (temporary) folder; return its record."""
    entry, folder = Path(entry), Path(folder)
    for name in (*FILES, RECORD):
        shutil.copyfile(entry / name, folder / name)
    return read_record(folder)


def _load_check(folder: Path) -> None:
    """Both models load (a file can be whole by its sha256 and still not be a model, if it was
    damaged before it was sealed)."""
    import keras

    for name in ("encoder.keras", "decoder.keras"):
        try:
            keras.models.load_model(folder / name, compile=False)
        except Exception as error:  # noqa: BLE001 (any failure: the file is not a model)
            raise StoreError(
                f"{folder / name} does not load as a Keras model ({type(error).__name__}: "
                f"{error}); delete {folder} and train the run again"
            ) from None


def runs_under(root: str | os.PathLike) -> list[Path]:
    """Every finished run folder under ``root``: one holding ``fingerprint.json`` (partial
    folders, whose names start with a dot, are skipped)."""
    root = Path(root)
    found = [
        p.parent
        for p in root.rglob(RECORD)
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(found)


def publish(
    sources: Iterable[str | os.PathLike], store: str | os.PathLike
) -> list[tuple[str, str]]:
    """Copy every finished run under ``sources`` into ``store``, checked: its files match its
    record and load. A fingerprint already stored keeps the stored model (the one the committed
    tables came from). Returns (run folder, what happened) pairs."""
    done = []
    for source in sources:
        runs = runs_under(source)
        if not runs:
            raise StoreError(
                f"{source} holds no finished run (no {RECORD} under it): train first, e.g. "
                "snakemake --until train"
            )
        for run in runs:
            record = verify(run)
            entry = entry_of(store, record["fingerprint"])
            if entry.exists():
                stored = read_record(entry)
                same = stored["files"] == record["files"]
                done.append((str(run), "already stored" if same else "kept the stored model"))
                continue
            _load_check(run)
            with io.atomic_folder(entry) as partial:
                take(run, partial)
                verify(partial)
            done.append((str(run), f"published as {entry}"))
    return done


def import_archive(archive: str | os.PathLike, store: str | os.PathLike) -> list[tuple[str, str]]:
    """Publish the runs of an archive (``.tar.gz`` of run folders, as the GPU command writes)
    into ``store``, each checked as :func:`publish` checks it."""
    with tempfile.TemporaryDirectory() as unpacked:
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(unpacked, filter="data")
        except (tarfile.TarError, EOFError, OSError) as error:
            raise StoreError(
                f"{archive} is not a readable archive ({type(error).__name__}: {error}); "
                "copy it again from the machine that trained it"
            ) from None
        return publish([unpacked], store)


def entries(store: str | os.PathLike) -> list[dict]:
    """One row per store entry: where it is, its run, schedule, and how it trained."""
    rows = []
    for entry in runs_under(store):
        record = read_record(entry)
        print_, origin = record["fingerprint"], record["provenance"]
        rows.append(
            {
                "entry": str(entry.relative_to(store)),
                "schedule": print_["training"]["schedule"],
                "batch_size": print_["training"]["batch_size"],
                "latent_dim": print_["settings"]["latent_dim"],
                "backend": origin.get("backend"),
                "train_seconds": origin.get("train_seconds"),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m covae.store",
        description="The model store: publish finished runs, import a GPU machine's archive, "
        "list or check the entries.",
    )
    parser.add_argument(
        "--store", default=str(DEFAULT_STORE), help="the store (default: %(default)s)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    publish_cmd = commands.add_parser("publish", help="copy the finished runs under folders in")
    publish_cmd.add_argument("folders", nargs="+", help="results folders (e.g. results, runs/x)")
    import_cmd = commands.add_parser("import", help="check and add the runs of archives")
    import_cmd.add_argument("archives", nargs="+", help=".tar.gz files of run folders")
    commands.add_parser("list", help="one line per stored run")
    commands.add_parser("check", help="verify every entry's files against its record")
    args = parser.parse_args(argv)
    if args.command in ("list", "check") and not Path(args.store).is_dir():
        parser.error(f"--store {args.store}: no such folder (publish or import creates one)")
    try:
        if args.command in ("publish", "import"):
            done = (
                publish(args.folders, args.store)
                if args.command == "publish"
                else [
                    row for archive in args.archives for row in import_archive(archive, args.store)
                ]
            )
            for run, what in done:
                print(f"{run}: {what}")
            print(f"{sum('published' in what for _, what in done)} of {len(done)} runs added")
        elif args.command == "list":
            rows = [
                {
                    "run": row["entry"],
                    "schedule": protocol.Schedule(**row["schedule"]).describe(),
                    "batch": row["batch_size"],
                    "code dims": row["latent_dim"],
                    "backend": row["backend"],
                    "trained": (
                        "?" if row["train_seconds"] is None else f"{row['train_seconds']:.0f} s"
                    ),
                }
                for row in entries(args.store)
            ]
            if rows:
                widths = {key: max(len(key), *(len(str(r[key])) for r in rows)) for key in rows[0]}
                for row in [dict(zip(widths, widths, strict=True)), *rows]:
                    print("  ".join(str(row[key]).ljust(widths[key]) for key in widths).rstrip())
            print(f"{len(rows)} run{'' if len(rows) == 1 else 's'} in {args.store}")
        else:
            runs = runs_under(args.store)
            for entry in runs:
                verify(entry)
            entries_ = "entry" if len(runs) == 1 else "entries"
            print(f"{len(runs)} {entries_} of {args.store} match their records")
    except StoreError as error:
        print(f"covae.store: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped early (`list | head`): stop quietly, as a shell tool does. What
        # stdout still buffers goes to /dev/null, so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
