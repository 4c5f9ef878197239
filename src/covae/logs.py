"""Logging for workflow scripts: one readable line per step, to the rule's log file."""

from __future__ import annotations

import logging
import sys


def setup(path: str | None = None, name: str = "covae") -> logging.Logger:
    """Send the package's log records to ``path`` (the rule's ``log:``) and to stderr; an
    uncaught exception of the script is logged there too, with its traceback."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if path:
        handlers.append(logging.FileHandler(path, mode="w"))
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
        # The job's log gets the error too (snakemake points the user at it), not only stderr.
        if not issubclass(kind, KeyboardInterrupt):
            logger.critical("%s: %s", kind.__name__, error, exc_info=(kind, error, traceback))
        for handler in handlers[1:]:
            handler.flush()
        if previous is not sys.__excepthook__:
            previous(kind, error, traceback)

    sys.excepthook = log_uncaught
    return logger
