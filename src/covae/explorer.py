"""The latent-space explorer: an offline page that decodes any point of a model's code in the
browser (``figures/explorer_{dataset}.html``).

:func:`export_decoder` turns a Keras decoder (Dense, Reshape, Conv2DTranspose layers) into a
JSON-ready list of layers with base64 float32 weights; :func:`forward` is the same forward pass
in numpy, line for line what the page's JavaScript computes (``explorer.html`` beside this
module), and the tests hold both to Keras. :func:`page` fills the page with both models'
decoders, the first seed's test codes, the test images and their factors, and the paths of the
traversals. The page loads plotly.js from beside it (``covae.io.PLOTLY_JS``), as the other
interactive views do, and needs no network and no server.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from covae import names
from covae.names import FACTOR_NAMES

TEMPLATE = Path(__file__).with_name("explorer.html")
# Test images shown (a seeded sample where there are more): their codes make the cloud and the
# nearest-image lookup; 1,200 of them keep the page near 3.5 MB (each image is 1,296 bytes).
POINTS = 1200
# The traversals drawn on the cloud (covae.traversals names), in the order of the menu.
PATHS = ("hull", "near_hull", "plane_upper", "plane_lower", "gap", "correlation_line",
         "variance_line", "rotation")  # fmt: skip


def _b64(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode("ascii")


def _array(text: str, shape) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").reshape(shape)


def export_decoder(decoder) -> list[dict[str, Any]]:
    """The decoder's layers as plain data: dense (kernel in x units), reshape, and
    conv_transpose (kernel (k, k, out, in) as Keras keeps it, stride, 'same' padding), each
    with its activation; weights as base64 little-endian float32."""
    layers = []
    for layer in decoder.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind == "Reshape":
            layers.append({"kind": "reshape", "shape": list(layer.target_shape)})
            continue
        activation = layer.get_config().get("activation", "linear")
        if activation not in ("relu", "sigmoid", "linear"):
            raise ValueError(f"{layer.name}: activation {activation!r} has no page code")
        kernel, bias = (np.asarray(w) for w in layer.get_weights())
        if kind == "Dense":
            layers.append({"kind": "dense", "activation": activation, "shape": list(kernel.shape),
                           "kernel": _b64(kernel), "bias": _b64(bias)})  # fmt: skip
        elif kind == "Conv2DTranspose":
            config = layer.get_config()
            if config["padding"] != "same" or config["data_format"] != "channels_last":
                raise ValueError(f"{layer.name}: only 'same' padding, channels last")
            layers.append({"kind": "conv_transpose", "activation": activation,
                           "shape": list(kernel.shape), "stride": int(config["strides"][0]),
                           "kernel": _b64(kernel), "bias": _b64(bias)})  # fmt: skip
        else:
            raise ValueError(f"{layer.name}: a {kind} layer has no page code")
    return layers


def _activate(values: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(values, 0)
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-values))
    return values


def forward(layers: list[Mapping[str, Any]], code: np.ndarray) -> np.ndarray:
    """One code through the exported layers: the image (height, width, channels), in float64
    as the page computes it. A transposed convolution with stride s and kernel k writes input
    pixel i's contribution of kernel tap t to output pixel i * s + t - floor(max(k - s, 0) / 2)
    (TensorFlow's 'same')."""
    values = np.asarray(code, dtype=np.float64)
    for layer in layers:
        if layer["kind"] == "reshape":
            values = values.reshape(layer["shape"])
            continue
        kernel = _array(layer["kernel"], layer["shape"]).astype(np.float64)
        bias = _array(layer["bias"], (-1,)).astype(np.float64)
        if layer["kind"] == "dense":
            values = values @ kernel + bias
        else:
            size, _, outputs, _ = kernel.shape
            stride = layer["stride"]
            height, width, _ = values.shape
            pad = max(size - stride, 0) // 2
            result = np.zeros((height * stride, width * stride, outputs)) + bias
            for row in range(size):
                for col in range(size):
                    contribution = values @ kernel[row, col].T  # (h, w, out)
                    rows = np.arange(height) * stride + row - pad
                    cols = np.arange(width) * stride + col - pad
                    keep_r = (rows >= 0) & (rows < height * stride)
                    keep_c = (cols >= 0) & (cols < width * stride)
                    result[np.ix_(rows[keep_r], cols[keep_c])] += contribution[keep_r][:, keep_c]
            values = result
        values = _activate(values, layer["activation"])
    return values


def page(
    dataset: str,
    models: Mapping[str, Mapping[str, Any]],
    images: np.ndarray,
    factors: np.ndarray,
    *,
    seed: int,
    plotly_js: str,
) -> str:
    """The explorer page of one data set. ``models`` maps each model to its ``decoder``
    (:func:`export_decoder`), ``codes`` (z_mean of the test images, rows as ``images``) and
    ``paths`` (name to path codes); ``images``: the test images (n, 36, 36) in [0, 1];
    ``factors``: (n, 4) var_x, var_y, cor, df (infinite on the Gaussian set). Beyond
    :data:`POINTS` test images, a sample of them (the same rows for both models) is shown."""
    rows = shown_rows(len(images), seed)
    images = np.asarray(images, dtype=np.float64)[rows]
    factors = np.asarray(factors)[rows]
    pixels = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    data = {
        "dataset": dataset,
        "seed": int(seed),
        "size": int(images.shape[1]),
        "images": base64.b64encode(pixels.tobytes()).decode("ascii"),
        # A factor that does not vary as a number (df of the Gaussian set is infinite) is left out.
        "factors": {
            name: [float(v) for v in factors[:, i]]
            for i, name in enumerate(FACTOR_NAMES)
            if np.all(np.isfinite(factors[:, i]))
        },  # fmt: skip
        "models": {
            model: {
                "decoder": parts["decoder"],
                "codes": np.round(np.asarray(parts["codes"], dtype=float)[rows], 5).tolist(),
                "paths": {
                    name: np.round(np.asarray(codes, dtype=float), 5).tolist()
                    for name, codes in parts["paths"].items()
                },  # fmt: skip
            }
            for model, parts in models.items()
        },
    }
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    title = f"covae explorer: {names.label(dataset)}"
    html = TEMPLATE.read_text()
    for key, value in (("__TITLE__", title), ("__PLOTLY__", plotly_js),
                       ("__DATA__", text.replace("</", "<\\/"))):  # fmt: skip
        html = html.replace(key, value)
    return html


def shown_rows(count: int, seed: int) -> np.ndarray:
    """The rows the page shows: all of ``count`` up to :data:`POINTS`, else a seeded sample in
    their order."""
    if count <= POINTS:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, POINTS, replace=False))


def headless(chromium: str, url: str, *options: str, wait_ms: int = 20000):
    """Run headless Chromium on ``url`` with ``options`` (``--dump-dom``, ``--screenshot=``...),
    letting the page's scripts run for ``wait_ms`` of virtual time; the finished process."""
    import subprocess

    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         f"--virtual-time-budget={wait_ms}", *options, url],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def screenshot(
    page: str | Path, png: str | Path, *, chromium: str = "chromium", size=(1400, 1000)
) -> None:
    """A PNG of the page as headless Chromium draws it (for README, beside the page)."""
    result = headless(
        chromium, Path(page).resolve().as_uri(), "--hide-scrollbars",
        f"--window-size={size[0]},{size[1]}", f"--screenshot={Path(png).resolve()}",
    )  # fmt: skip
    if result.returncode != 0 or not Path(png).is_file():
        raise RuntimeError(f"chromium could not draw {page}: {result.stderr[-500:]}")


def main(argv: list[str] | None = None) -> int:
    """``python -m covae.explorer screenshot PAGE PNG``: draw a page with headless Chromium."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m covae.explorer")
    commands = parser.add_subparsers(dest="command", required=True)
    draw = commands.add_parser("screenshot", help="draw an explorer page with headless Chromium")
    draw.add_argument("page", help="the page (.html)")
    draw.add_argument("png", help="the picture to write (.png)")
    args = parser.parse_args(argv)
    screenshot(args.page, args.png)
    print(f"drew {args.page} to {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
