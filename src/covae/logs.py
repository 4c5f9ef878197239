"""Logging for workflow scripts: one readable line per step, to the rule's log file and to the
console; everything else the job's process writes to stderr goes to the log file alone.

"Everything else" is mostly TensorFlow's C++ start-up lines ("Could not find cuda drivers",
"oneDNN custom operations are on"): they are printed before TensorFlow reads any setting that
could silence them, so no environment variable hides them. :func:`setup` points the process's
file descriptor 2 at the log file instead, which a script that imports Keras calls before that
import. Nothing is lost: the lines, any warning and any traceback are in the job's log, which
snakemake prints when a job fails (``show-failed-logs`` in the profiles).
"""

from __future__ import annotations

import logging
import os
import sys


def setup(path: str | None = None, name: str = "covae") -> logging.Logger:
    """Send the package's log records to ``path`` (the rule's ``log:``) and to the console;
    with ``path``, the rest of the process's stderr (native libraries' output, anything
    printed to stderr) goes to ``path`` only. An uncaught exception of the script is logged
    to both, with its traceback."""
    console = sys.stderr
    if path:
        sys.stderr.flush()
        # One descriptor in append mode for the file handler and for fd 2 alike, so the two
        # never overwrite each other's lines.
        log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        console = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
        os.dup2(log_fd, 2)
        os.close(log_fd)
        sys.stderr = os.fdopen(
            2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False
        )
    handlers: list[logging.Handler] = [logging.StreamHandler(console)]
    if path:
        handlers.append(logging.StreamHandler(sys.stderr))  # fd 2, now the log file
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logging.captureWarnings(True)
    logger = logging.getLogger(name)
    previous = sys.excepthook

    def log_uncaught(kind, error, traceback):
        if not issubclass(kind, KeyboardInterrupt):
            logger.critical("%s: %s", kind.__name__, error, exc_info=(kind, error, traceback))
        for handler in handlers:
            handler.flush()
        if previous is not sys.__excepthook__:
            previous(kind, error, traceback)

    sys.excepthook = log_uncaught
    return logger
