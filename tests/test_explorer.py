"""The explorer page: its forward pass against Keras, in numpy and in a real browser, and what
the page holds."""

import html
import json
import re
import shutil
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from covae import explorer, models

PLOTLY = Path(__file__).resolve().parents[1] / "figures" / "plotly.min.js"


def _decoder(seed: int = 1):
    """The study's decoder with random weights large enough to make every layer matter."""
    decoder = models.build_decoder(3)
    rng = np.random.default_rng(seed)
    for weight in decoder.weights:
        weight.assign(rng.normal(0, 0.2, weight.shape).astype("float32"))
    return decoder


def test_the_numpy_forward_pass_is_the_keras_decoder():
    decoder = _decoder()
    layers = explorer.export_decoder(decoder)
    assert [layer["kind"] for layer in layers] == ["dense", "reshape", *["conv_transpose"] * 4]
    assert [layer.get("stride") for layer in layers[2:]] == [1, 3, 3, 1]
    codes = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")
    expected = np.asarray(decoder(codes))
    got = np.stack([explorer.forward(layers, code) for code in codes])
    assert got.shape == expected.shape == (5, 36, 36, 1)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_layer_the_page_cannot_run_is_refused_by_name():
    import keras

    codes = keras.Input(shape=(3,))
    odd = keras.Model(codes, keras.layers.Dense(4, activation="tanh", name="odd")(codes))
    with pytest.raises(ValueError, match="odd: activation 'tanh'"):
        explorer.export_decoder(odd)
    images = keras.Input(shape=(4, 4, 1))
    conv = keras.Model(images, keras.layers.Conv2D(2, 3, name="plain")(images))
    with pytest.raises(ValueError, match="plain: a Conv2D layer"):
        explorer.export_decoder(conv)


def _page(tmp_path, decoder, count=200, dataset="gaussian", df=200.0, far=None):
    rng = np.random.default_rng(3)
    codes = rng.normal(size=(count, 3))
    if far is not None:
        codes[0] = far
    parts = {"decoder": explorer.export_decoder(decoder), "codes": codes,
             "paths": {"hull": codes[:9], "gap": codes[9:14]}}  # fmt: skip
    factors = np.column_stack([rng.uniform(0.1, 5, (count, 2)), rng.uniform(-1, 1, count),
                               np.full(count, df)])  # fmt: skip
    text = explorer.page(dataset, {"vae": parts, "ae": parts}, rng.uniform(size=(count, 36, 36)),
                         factors, seed=0, plotly_js="plotly.min.js")  # fmt: skip
    page = tmp_path / f"explorer_{dataset}.html"
    page.write_text(text)
    shutil.copy(PLOTLY, tmp_path / "plotly.min.js")
    return page, text


def test_the_page_holds_its_data_loads_nothing_from_a_network_and_stays_small(tmp_path):
    # As many test codes as the study has (2,375 per set): a sample of them is shown.
    page, text = _page(tmp_path, _decoder(), count=2375)
    assert len(text.encode()) < 5_000_000
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", text)
    assert sources == ["plotly.min.js"]  # beside the page, as the other interactive views
    data = json.loads(re.search(r'type="application/json">(.*?)</script>', text, re.S).group(1))
    assert len(data["models"]["vae"]["codes"]) == explorer.POINTS
    assert len(data["factors"]["cor"]) == explorer.POINTS
    assert set(data["models"]["ae"]["paths"]) == {"hull", "gap"}
    assert "__" not in re.sub(r"<script id=\"covae-data\".*?</script>", "", text, flags=re.S)


def test_the_gaussian_set_s_infinite_df_is_left_out_of_the_factors(tmp_path):
    _, text = _page(tmp_path, _decoder(), df=np.inf)
    data = json.loads(re.search(r'type="application/json">(.*?)</script>', text, re.S).group(1))
    assert set(data["factors"]) == {"var_x", "var_y", "cor"}


def _in_browser(chromium, page: Path, fragment: str) -> dict:
    """Open the page at ``#fragment`` headless and read what its self-test wrote."""
    url = page.as_uri() + "#" + urllib.parse.quote(fragment)
    result = explorer.headless(chromium, url, "--dump-dom")
    found = re.search(r'<pre id="test-output">(.*?)</pre>', result.stdout, re.S)
    assert found and found.group(1), result.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.slow
def test_the_page_decodes_a_code_as_keras_does_in_a_real_browser(tmp_path, chromium):
    decoder = _decoder()
    page, _ = _page(tmp_path, decoder)
    codes = [[0.1, 0.2, 0.3], [1.5, -1.0, 0.5], [-2.0, 0.0, 2.0]]
    got = _in_browser(chromium, page, "decode=" + json.dumps({"model": "vae", "codes": codes}))
    decoded = np.array(got["pixels"]).reshape(3, 36, 36, 1)
    expected = np.asarray(decoder(np.array(codes, dtype="float32")))
    assert np.abs(decoded - expected).max() < 1e-4


@pytest.mark.slow
def test_a_far_code_does_not_stretch_the_cloud_s_axes(tmp_path, chromium):
    # One code 100 away from 199 standard-normal ones: the axes span the bulk, and the page
    # counts the code it leaves beyond them; without the far code, the axes hold nearly all.
    decoder = _decoder()
    page, _ = _page(tmp_path, decoder, far=[100.0, 0.0, 0.0])
    got = _in_browser(chromium, page, "ranges=vae")
    low, high = got["ranges"][0]
    assert -5 < low < -2 and 2 < high < 5 and got["outside"] >= 1
    (tmp_path / "plain").mkdir()
    plain, _ = _page(tmp_path / "plain", decoder)
    again = _in_browser(chromium, plain, "ranges=vae")
    assert again["outside"] <= 2 and again["ranges"][0][1] < 5  # the tails of 200 normal draws


@pytest.mark.slow
def test_moving_a_slider_redecodes_the_image(tmp_path, chromium):
    page, _ = _page(tmp_path, _decoder())
    got = _in_browser(chromium, page, "slider=ae")
    assert got["moved"] > 0.01 and got["canvas_sum"] > 0


@pytest.mark.slow
def test_the_screenshot_shows_both_models(tmp_path, chromium):
    page, _ = _page(tmp_path, _decoder())
    shot = tmp_path / "shot.png"
    explorer.screenshot(page, shot, chromium=chromium)
    from PIL import Image

    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert image.shape == (1000, 1400)
    assert image.std() > 10  # drawn, not blank
