"""Reading and writing the pipeline's files, atomically.

A job killed mid-write must leave nothing that looks complete, so every writer here writes a
temporary file in the destination folder and renames it into place (``os.replace`` is atomic
on one file system).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import IO

import numpy as np

# Read once at import: os.umask can only be read by setting it.
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Path:
    """Yield a temporary path beside ``path``; move it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(handle)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextmanager
def atomic_folder(path: str | os.PathLike) -> Path:
    """Yield an empty temporary folder beside ``path``; on success it replaces ``path`` whole
    (a folder of several files, such as a trained run, appears complete or not at all). The
    partial folders a killed writer of ``path`` left are removed first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # What a killed writer of the same folder left (a job is the folder's only writer).
    for stale in path.parent.glob(f".{path.name}.*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial"))
    os.chmod(tmp, 0o777 & ~_UMASK)
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_with(path: str | os.PathLike, writer: Callable[[IO[bytes]], None]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        writer(handle)


def save_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays to an uncompressed ``.npz`` (same arrays give the same bytes)."""
    _write_with(path, lambda handle: np.savez(handle, **arrays))


def save_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text (a JSON file, a table) atomically."""
    _write_with(path, lambda handle: handle.write(text.encode("utf-8")))


def save_record(path: str | os.PathLike, document: Mapping) -> None:
    """Write a JSON record (a run's metrics, its realism summary): keys sorted, indented, so
    the same record gives the same bytes."""
    save_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


class DamagedFile(ValueError):
    """An input file that exists but cannot be read whole; the message names it."""


def _damaged(path: str | os.PathLike, error: BaseException, fix: str | None = None) -> DamagedFile:
    what = f"{type(error).__name__}: {error}".strip().rstrip(":")
    fix = fix or "delete it and rerun snakemake to rebuild it"
    return DamagedFile(f"{path} is damaged or incomplete ({what}); {fix}")


def load_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` into memory; a truncated or corrupt file raises
    :class:`DamagedFile` naming it."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        raise _damaged(path, error) from error


def load_record(path: str | os.PathLike) -> dict:
    """A JSON record (a run's metrics or realism summary); an empty, cut or garbled file raises
    :class:`DamagedFile` naming it."""
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _damaged(path, error) from error
    if not isinstance(document, dict):
        raise _damaged(path, ValueError(f"a JSON {type(document).__name__}, not an object"))
    return document


def load_table(path: str | os.PathLike, **kwargs):
    """A CSV table as a DataFrame; an empty or garbled file raises :class:`DamagedFile`."""
    import pandas as pd

    try:
        table = pd.read_csv(path, **kwargs)
    except FileNotFoundError:
        raise
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise _damaged(path, error) from error
    return table


def palette_png(png: bytes, max_width: int | None = None) -> bytes:
    """The same image as a PNG with an adaptive palette of 256 colours (no dithering), at most
    ``max_width`` pixels wide: figures are line art, text and colour maps, which 256 colours
    hold, at about a third of the bytes of full colour (the scatter plots' anti-aliased points
    compress badly in RGB). Deterministic: the same bytes in, the same bytes out."""
    from PIL import Image

    with Image.open(BytesIO(png)) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
        image = image.convert("RGB")
        if max_width is not None and image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
        image = image.quantize(colors=256, dither=Image.Dither.NONE)
        out = BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()


def save_figure(figure, path: str | os.PathLike, **kwargs) -> None:
    """Save a matplotlib figure atomically, without a timestamp in its metadata; a PNG is
    written with a 256-colour palette (:func:`palette_png`)."""
    suffix = Path(path).suffix
    if suffix.lower() != ".png":
        with atomic_path(path, suffix=suffix) as tmp:
            figure.savefig(tmp, metadata={"Software": None}, **kwargs)
        return
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None}, **kwargs)
    png = palette_png(buffer.getvalue())
    _write_with(path, lambda handle: handle.write(png))


# Interactive figures load plotly.js from this file beside them: offline, and one copy.
PLOTLY_JS = "plotly.min.js"


def save_plotly_js(path: str | os.PathLike) -> None:
    """Write the plotly.js bundle that ships with the plotly package (no network)."""
    from plotly.offline import get_plotlyjs

    save_text(path, get_plotlyjs())


def save_html(figure, path: str | os.PathLike) -> None:
    """Write a plotly figure as HTML that loads plotly.js from ``PLOTLY_JS`` in its folder."""
    # A fixed div id: plotly's default is random, and the same figure must give the same bytes.
    html = figure.to_html(include_plotlyjs=PLOTLY_JS, full_html=True, div_id=Path(path).stem)
    save_text(path, html)
