"""Stale snakemake locks: find them and remove them when no snakemake works in the folder.

A snakemake run killed with SIGKILL (or by a power loss) leaves its locks in
``.snakemake/locks``, and the next run in that folder stops at once: "Directory cannot be
locked ... --unlock". Snakemake cannot tell a stale lock from a live one, but this machine can:
a live run is a snakemake process whose working directory is the folder (snakemake changes into
its ``--directory``). ``python -m covae.locks [FOLDER]`` (what ``make paper`` runs first) removes
the locks only when no such process exists; where processes cannot be listed (no ``/proc``) it
removes nothing and says how to unlock by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

PROC = Path("/proc")


def lock_files(folder: str | os.PathLike) -> list[Path]:
    """The lock files snakemake left in ``folder``."""
    locks = Path(folder) / ".snakemake" / "locks"
    return sorted(locks.glob("*.lock")) if locks.is_dir() else []


def snakemake_processes(folder: str | os.PathLike, proc: Path = PROC) -> list[int] | None:
    """Process ids of the snakemake runs working in ``folder`` (this process excluded); None
    where processes cannot be listed."""
    if not proc.is_dir():
        return None
    target = Path(folder).resolve()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if any(part.endswith(b"snakemake") for part in command[:3]) and cwd == target:
            found.append(int(entry.name))
    return found


def remove_stale(folder: str | os.PathLike = ".", proc: Path = PROC) -> str:
    """Remove ``folder``'s locks if no snakemake runs there; a line saying what was done."""
    locks = lock_files(folder)
    if not locks:
        return "no snakemake locks"
    running = snakemake_processes(folder, proc)
    if running is None:
        return (
            f"{len(locks)} snakemake lock(s) in {folder} and no way to list processes here: "
            "if no snakemake runs in this folder, run `snakemake --unlock`"
        )
    if running:
        return f"snakemake runs in {folder} (pid {', '.join(map(str, running))}); locks kept"
    for lock in locks:
        lock.unlink(missing_ok=True)
    return f"removed {len(locks)} stale snakemake lock(s) (no snakemake runs in {folder})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m covae.locks",
        description="Remove a folder's snakemake locks when no snakemake works in that folder.",
    )
    parser.add_argument("folder", nargs="?", default=".", help="the run's folder (default: .)")
    print(f"covae.locks: {remove_stale(parser.parse_args(argv).folder)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
