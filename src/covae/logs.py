"""Logging for workflow scripts: one readable line per step, to the rule's log file."""

from __future__ import annotations

import logging
import sys


def setup(path: str | None = None, name: str = "covae") -> logging.Logger:
    """Send the package's log records to ``path`` (the rule's ``log:``) and to stderr."""
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
    return logging.getLogger(name)
