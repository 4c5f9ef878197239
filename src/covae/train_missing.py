"""Train every run of a config that the model store lacks, without snakemake, and pack the
trained runs into one archive that ``python -m covae.store import`` checks and takes in.

Made for a machine lent for minutes: a GPU machine with JAX and no network, where the
workflow's tools are not installed (README, "Training on a GPU machine"). It trains several
runs at once, one process each (``--jobs``), and starts no run it cannot finish before
``--budget`` seconds have passed, judging by the runs already done; what finished is archived
either way. The same command runs on a CPU (the tests run it at smoke size under JAX)::

    KERAS_BACKEND=jax python -m covae.train_missing --out trained --jobs 8
    python -m covae.store import trained/runs-*.tar.gz    # back on the repository's machine

Each run trains exactly as a train job of the workflow would (``covae.training.fit``) and is
sealed with the same fingerprint, so the workflow takes it from the store afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from covae import config as configs
from covae import heatmaps, io, names, store

REPOSITORY = Path(__file__).resolve().parents[2]


def plan(
    config: dict[str, Any], store_dir: str | os.PathLike | None, doubling: bool = False
) -> list[dict[str, Any]]:
    """The config's runs that the store does not hold, each with its fingerprint
    (``doubling``: the runs of ``snakemake doubling`` too)."""
    missing = []
    for run in configs.training_runs(config, doubling):
        print_ = store.fingerprint(run["sections"], run["dataset"], run["model"], run["seed"])
        if store.find(store_dir, print_) is None:
            missing.append({**run, "fingerprint": print_})
    return missing


def _setup_worker(threads: int) -> None:
    # Before Keras is imported in this process: one GPU shared by many processes, each taking
    # memory as it needs it (JAX would otherwise reserve 75 % of the device in each).
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["OMP_NUM_THREADS"] = str(threads)


def train_one(run: dict[str, Any], data_path: str, out_root: str) -> dict[str, Any]:
    """Train one run into ``out_root/<root>/models/<dataset>/<model>/seed<seed>/``, sealed with
    its fingerprint and provenance; return a summary line's numbers."""
    from covae import logs, protocol, training

    run_folder = names.run_folder(run["dataset"], run["model"], run["seed"])
    folder = Path(out_root) / run["root"] / "models" / run_folder
    log_path = Path(out_root) / "logs" / f"{run['root'].replace('/', '_')}_{run['dataset']}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    logs.setup(f"{log_path}_{run['model']}_seed{run['seed']}.log")
    spec = protocol.TrainSpec.from_config(run["sections"], run["model"], run["dataset"])
    data = io.load_arrays(data_path)
    images = data["images"][~data["is_test"]]
    start = time.perf_counter()
    model, history = training.fit(run["model"], images, spec, run["seed"])
    seconds = time.perf_counter() - start
    with io.atomic_folder(folder) as partial:
        training.save_run(model, history, partial)
        store.seal(partial, run["fingerprint"], store.provenance(float(history["seconds"].sum())))
    kept = history[history["kept"]].iloc[0]
    return {"epochs": len(history), "seconds": seconds, "val_excess": float(kept["val_excess"])}


def _name(run: dict[str, Any]) -> str:
    return f"{run['root']} {run['dataset']} {run['model']} seed {run['seed']}"


def train_all(
    runs: list[dict[str, Any]], config: dict[str, Any], work: Path, jobs: int, budget: float
) -> list[dict[str, Any]]:
    """Train ``runs`` in ``jobs`` processes; start none that the budget (seconds from now)
    cannot see finished, judging by the longest run so far. Returns one row per finished run."""
    start = time.monotonic()
    data_dir = work / "data"
    for dataset in sorted({run["dataset"] for run in runs}):
        path = data_dir / f"{dataset}.npz"
        if not path.exists():
            spec = heatmaps.DataSpec.from_config(config["data"])
            io.save_arrays(path, heatmaps.make_dataset(spec, dataset, threads=os.cpu_count()))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    todo, running, done = list(runs), {}, []
    longest = 0.0
    context = get_context("spawn")  # a fresh interpreter per worker: no inherited Keras state
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_setup_worker,
                             initargs=(threads,)) as pool:  # fmt: skip
        while todo or running:
            while todo and len(running) < jobs:
                if longest and time.monotonic() - start + longest > budget:
                    left = budget - (time.monotonic() - start)
                    print(f"budget: {len(todo)} runs not started (the longest took "
                          f"{longest:.0f} s, {left:.0f} s left)")  # fmt: skip
                    todo = []
                    break
                run = todo.pop(0)
                data = str(data_dir / f"{run['dataset']}.npz")
                running[pool.submit(train_one, run, data, str(work))] = run
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                run = running.pop(future)
                result = future.result()
                longest = max(longest, result["seconds"])
                done.append({"run": _name(run), **result})
                print(f"[{len(done)}/{len(runs)}] {_name(run)}: {result['epochs']} epochs in "
                      f"{result['seconds']:.0f} s, val excess {result['val_excess']:.2f} nats "
                      f"({time.monotonic() - start:.0f} s elapsed)", flush=True)  # fmt: skip
    return done


def pack(work: Path, out: str | os.PathLike, part_mb: float) -> list[Path]:
    """Write every sealed run under ``work`` into ``out/runs-01.tar.gz``, ``runs-02...``, each
    at most ``part_mb`` MB of run files (a lent machine returns files of limited size)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parts: list[list[Path]] = [[]]
    size = 0
    for run in store.runs_under(work):
        bytes_ = sum(f.stat().st_size for f in run.iterdir())
        if parts[-1] and size + bytes_ > part_mb * 1e6:
            parts.append([])
            size = 0
        parts[-1].append(run)
        size += bytes_
    written = []
    for number, runs in enumerate(p for p in parts if p):
        archive = out / f"runs-{number + 1:02d}.tar.gz"
        with io.atomic_path(archive, suffix=".tar.gz") as partial:
            with tarfile.open(partial, "w:gz") as tar:
                for run in runs:
                    tar.add(run, arcname=str(run.relative_to(work)))
        written.append(archive)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m covae.train_missing", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--configfile", action="append", default=[],
        help="config files merged over config/config.yaml, as snakemake's",
    )  # fmt: skip
    parser.add_argument(
        "--store", default=str(store.DEFAULT_STORE),
        help="the model store whose runs are skipped (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--out", required=True, help="folder for the archives (runs-NN.tar.gz)")
    parser.add_argument(
        "--part-mb", type=float, default=15.0, help="run files per archive, MB (default: 15)"
    )
    parser.add_argument("--work", default="train_missing.work",
                        help="folder for the data and the runs (default: %(default)s)")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="runs trained at once")
    parser.add_argument("--budget", type=float, default=float("inf"),
                        help="seconds after which no run is started (default: none)")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="train at most this many runs")
    parser.add_argument("--doubling", action="store_true",
                        help="also the next doubling's runs (snakemake doubling)")  # fmt: skip
    args = parser.parse_args(argv)
    if not Path(args.store).is_dir():  # a mistyped store would retrain every run
        parser.error(f"--store {args.store}: no such folder (the model store to skip runs of)")
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        schema = False
        print("jsonschema is not installed: the config's schema is not checked here (it is "
              "where snakemake runs); its cross-key checks are")  # fmt: skip
    else:
        schema = True
    try:
        config, notes = configs.load(args.configfile, REPOSITORY, schema=schema)
    except configs.ConfigError as error:
        print(f"invalid configuration: {error}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"covae: {note}")
    runs = plan(config, args.store, args.doubling)
    total = len(configs.training_runs(config, args.doubling))
    runs = runs[: args.limit] if args.limit is not None else runs
    print(f"{total} runs in the config, {total - len(runs)} in the store or left out, "
          f"{len(runs)} to train with {args.jobs} at once")  # fmt: skip
    work = Path(args.work)
    done = train_all(runs, config, work, args.jobs, args.budget) if runs else []
    io.save_record(work / "summary.json", {"trained": done})
    archives = pack(work, args.out, args.part_mb)
    packed = len(store.runs_under(work))
    print(f"{packed} runs packed into {len(archives)} archives in {args.out}; add them with: "
          f"python -m covae.store import {args.out}/runs-*.tar.gz")  # fmt: skip
    print(json.dumps({"trained": len(done), "packed": packed, "archives": len(archives)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
