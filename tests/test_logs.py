"""covae.logs: a job's own lines on the console and in its log; native stderr in the log only."""

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

SCRIPT = textwrap.dedent(
    """
    import os, sys, warnings
    from covae import logs

    log = logs.setup(sys.argv[1])
    os.write(2, b"a native library's start-up line\\n")  # as TensorFlow's C++ writes it
    log.info("a step of the job")
    warnings.warn("a warning")
    print("printed to stderr", file=sys.stderr)
    raise ValueError("the job failed")
    """
)


def test_native_stderr_goes_to_the_log_and_the_jobs_own_lines_to_both(tmp_path):
    log = tmp_path / "job.log"
    log.write_text("an earlier run's log\n")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 1
    written = log.read_text()
    assert "an earlier run's log" not in written  # a new job starts a new log
    for line in ("a native library's start-up line", "a step of the job", "a warning",
                 "printed to stderr", "Traceback", "ValueError: the job failed"):  # fmt: skip
        assert line in written, line
    # The console shows the job's progress and its error, not the native chatter.
    assert "a step of the job" in result.stderr and "ValueError: the job failed" in result.stderr
    assert "a native library's start-up line" not in result.stderr
    assert "printed to stderr" not in result.stderr
    # Lines are whole: the two writers share one appending descriptor.
    assert written.index("a native library's") < written.index("a step of the job")


def test_without_a_log_file_everything_stays_on_the_console():
    result = subprocess.run(
        [sys.executable, "-c", "from covae import logs; logs.setup().info('a step')"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0 and "a step" in result.stderr
