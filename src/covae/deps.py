"""Which modules of the package a workflow script uses: its ``covae`` imports, followed
through the package's own imports. The Snakefile lists them as each rule's inputs, so an edit
of a module reruns exactly the jobs whose scripts reach it (snakemake itself only tracks the
script file)."""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def direct_imports(path: str | os.PathLike, package: Path = PACKAGE) -> set[str]:
    """Modules of ``package`` that the Python file at ``path`` imports by name
    (``import covae.x``, ``from covae import x``, ``from covae.x import y``)."""
    found = Path(path).stat()
    # Parsed once per version of the file: the Snakefile asks for every rule's script, and
    # their imports reach the same modules again and again.
    return set(_direct_imports(str(path), found.st_mtime_ns, found.st_size, package))


@functools.cache
def _direct_imports(path: str, mtime_ns: int, size: int, package: Path) -> frozenset[str]:
    tree = ast.parse(Path(path).read_text(), filename=path)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("covae.")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "covae":
                names |= {alias.name for alias in node.names}
            elif node.module.startswith("covae."):
                names.add(node.module.split(".")[1])
    return frozenset(name for name in names if (package / f"{name}.py").exists())


def modules_of(path: str | os.PathLike, package: Path = PACKAGE) -> list[str]:
    """Every module of ``package`` that the file at ``path`` reaches, transitively, sorted."""
    seen: set[str] = set()
    todo = direct_imports(path, package)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo |= direct_imports(package / f"{name}.py", package) - seen
    return sorted(seen)
