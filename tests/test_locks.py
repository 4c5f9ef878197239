"""Stale snakemake locks are removed only where no snakemake works in the folder."""

import os

from covae import locks


def _folder_with_locks(tmp_path):
    folder = tmp_path / "run"
    (folder / ".snakemake" / "locks").mkdir(parents=True)
    for name in ("0.input.lock", "0.output.lock"):
        (folder / ".snakemake" / "locks" / name).write_text("results/x\n")
    return folder


def _process(proc, pid, command, cwd):
    entry = proc / str(pid)
    entry.mkdir(parents=True)
    (entry / "cmdline").write_bytes(b"\0".join(part.encode() for part in command) + b"\0")
    os.symlink(cwd, entry / "cwd")


def test_locks_of_a_folder_where_snakemake_runs_are_kept(tmp_path):
    folder, proc = _folder_with_locks(tmp_path), tmp_path / "proc"
    _process(proc, 4242, ["/venv/bin/python3", "/venv/bin/snakemake", "--cores", "2"], folder)
    assert locks.snakemake_processes(folder, proc) == [4242]
    assert "locks kept" in locks.remove_stale(folder, proc)
    assert len(locks.lock_files(folder)) == 2


def test_locks_are_removed_when_snakemake_runs_only_elsewhere_or_not_at_all(tmp_path):
    folder, proc = _folder_with_locks(tmp_path), tmp_path / "proc"
    _process(proc, 7, ["python", "-m", "snakemake"], tmp_path)  # another folder
    _process(proc, 8, ["python", "train.py"], folder)  # not snakemake
    assert locks.snakemake_processes(folder, proc) == []
    assert locks.remove_stale(folder, proc).startswith("removed 2 stale snakemake lock(s)")
    assert locks.lock_files(folder) == []
    assert locks.remove_stale(folder, proc) == "no snakemake locks"


def test_without_a_process_list_nothing_is_removed(tmp_path):
    folder = _folder_with_locks(tmp_path)
    message = locks.remove_stale(folder, tmp_path / "no-proc")
    assert "snakemake --unlock" in message
    assert len(locks.lock_files(folder)) == 2


def test_the_real_process_list_sees_no_snakemake_in_a_fresh_folder(tmp_path):
    assert locks.snakemake_processes(tmp_path) == []
