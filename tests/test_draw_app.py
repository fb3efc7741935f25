"""Draw a digit: the MNIST-like preprocessing, the NumPy network and the Flask app.

The network's arithmetic is checked with random weights against a slow reference; the
app's every answer with random weights too (what it predicts does not matter there); the
accuracy with the real network, which must exist (a missing one fails, it is not skipped).
"""

import io
import json
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.signal import correlate

import mnist_like
from digit_net import DigitNet, ModelFileError
from draw_support import DIGIT_STROKES, SIZE, real_model, stroke_image, write_random_model
from mnist_data import load_mnist

ROOT = Path(__file__).resolve().parent.parent


def png(rgba, **save):
    out = io.BytesIO()
    Image.fromarray(rgba).save(out, format=save.pop("format", "PNG"), **save)
    return out.getvalue()


@pytest.fixture(scope="module")
def random_json(tmp_path_factory):
    return write_random_model(tmp_path_factory.mktemp("random-cnn"))


# ----------------------------------------------------------------------------- mnist_like


def blank(height=SIZE, width=SIZE):
    return np.zeros((height, width))


def test_a_drawn_shape_lands_centred_by_mass_with_its_longer_side_20():
    ink = blank()
    ink[30:230, 200:260] = 1.0  # a tall bar in the top right corner: 200 x 60
    image = mnist_like.to_mnist_like(ink)
    assert image.shape == (28, 28) and image.dtype == np.float32
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20 and cols[-1] - cols[0] + 1 == 6  # 60 * 20 / 200
    ys, xs = np.indices(image.shape)
    assert abs((ys * image).sum() / image.sum() - 14) <= 0.5
    assert abs((xs * image).sum() / image.sum() - 14) <= 0.5
    assert image.min() == 0 and image.max() == 1


def test_scaling_averages_areas_so_edges_are_grey():
    ink = blank(40, 40)
    ink[:, 0:3] = ink[:, 37:40] = 1.0  # two bars 3 pixels wide, 40 apart; halved: 1.5 wide
    image = mnist_like.to_mnist_like(ink)
    columns = image.max(axis=0)
    assert columns[5:25].tolist() == [1.0, 0.5] + [0] * 16 + [0.5, 1.0]  # mass at 9.5 + 5


def test_a_small_drawing_is_scaled_up_and_the_aspect_ratio_kept():
    ink = blank(100, 100)
    ink[10:15, 50:60] = 1.0  # 5 x 10, wider than tall
    image = mnist_like.to_mnist_like(ink)
    assert (image > 0).sum(axis=1).max() == 20 and (image > 0).any(axis=1).sum() == 10


def test_a_digit_heavy_at_one_end_stays_whole_in_the_frame():
    ink = blank(100, 100)
    ink[0:10, 0:100] = 1.0  # a thick top bar, then a thin line down: its mass is at the top
    ink[10:100, 50] = 1.0
    image = mnist_like.to_mnist_like(ink)
    rows = np.flatnonzero(image.any(axis=1))
    assert rows[0] == 8 and rows[-1] == 27  # centred by mass, the line would leave the frame
    assert image.sum() == pytest.approx(ink.sum() / 25)  # all the ink, scaled by 1/5 twice


def test_mnist_digits_are_already_mnist_like():
    _, _, x_test, _ = load_mnist()
    images = x_test[:200] / 255
    same = [np.array_equal(mnist_like.to_mnist_like(i), i.astype(np.float32)) for i in images]
    assert np.mean(same) >= 0.99


def test_ink_from_rgba_is_pillows_grey_over_white_paper():
    rgba = np.array([[[255, 255, 255, 255], [0, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128],
                      [10, 200, 30, 255]]], dtype=np.uint8)
    ink = mnist_like.ink_from_rgba(rgba)
    grey = np.asarray(Image.fromarray(rgba[..., :3]).convert("L"), dtype=float)
    assert ink[0, :3].tolist() == [0, 1, 0]
    assert ink[0, 3] == pytest.approx(128 / 255)
    assert ink[0, 4] == (255 - grey[0, 4]) / 255


@pytest.mark.parametrize("ink, cause", [
    (blank(), "empty"),
    (np.zeros((28, 28, 3)), "shape"),
    (np.zeros(784), "shape"),
    (np.zeros((0, 5)), "between 1 and"),
    (np.zeros((5000, 10)), "between 1 and"),
    (np.full((28, 28), 255.0), r"\[0, 1\].*divide by 255"),
    (np.full((28, 28), np.nan), "not finite"),
    (np.full((28, 28), "x"), "real numbers"),
])
def test_bad_drawings_raise_a_drawing_error_that_names_the_cause(ink, cause):
    with pytest.raises(mnist_like.DrawingError, match=cause) as raised:
        mnist_like.to_mnist_like(ink)
    assert isinstance(raised.value, ValueError)
    if cause == "empty":
        assert isinstance(raised.value, mnist_like.EmptyDrawingError)


def test_bad_rgba_raises_a_drawing_error():
    with pytest.raises(mnist_like.DrawingError, match="RGBA"):
        mnist_like.ink_from_rgba(np.zeros((28, 28, 3), dtype=np.uint8))
    with pytest.raises(mnist_like.DrawingError, match="uint8"):
        mnist_like.ink_from_rgba(np.zeros((28, 28, 4)))


# ----------------------------------------------------------------------------- digit_net


def reference_forward(spec, weights, image):
    """The network the slow, obvious way: float64, scipy's correlate, explicit loops."""
    x = image.astype(np.float64)[:, :, None]
    for layer in spec["layers"]:
        take = lambda key: weights[layer[key]["offset"]:][  # noqa: E731
            :int(np.prod(layer[key]["shape"]))].reshape(layer[key]["shape"]).astype(np.float64)
        if layer["op"] == "conv2d":
            kernel, bias = take("kernel"), take("bias")
            if layer["padding"] == "same":
                x = np.pad(x, ((1, 1), (1, 1), (0, 0)))
            x = np.stack([bias[o] + sum(correlate(x[:, :, c], kernel[:, :, c, o], mode="valid")
                                        for c in range(x.shape[2]))
                          for o in range(kernel.shape[3])], axis=-1)
        elif layer["op"] == "maxpool2d":
            h, w = x.shape[0] // 2, x.shape[1] // 2
            x = np.array([[[max(x[2 * i + a, 2 * j + b, c] for a in (0, 1) for b in (0, 1))
                            for c in range(x.shape[2])] for j in range(w)] for i in range(h)])
        elif layer["op"] == "flatten":
            x = np.array([x[i, j, c] for i in range(x.shape[0]) for j in range(x.shape[1])
                          for c in range(x.shape[2])])
        else:
            x = take("kernel").T @ x + take("bias")
        activation = layer.get("activation", "linear")
        if activation == "relu":
            x = np.maximum(x, 0)
        elif activation == "softmax":
            x = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    return x


@pytest.mark.parametrize("padding, channels", [("same", (3, 4, 5, 6)), ("valid", (2, 3, 4, 2))])
def test_forward_pass_matches_a_slow_reference(tmp_path, padding, channels):
    path = write_random_model(tmp_path, channels=channels, hidden=12, padding=padding, seed=3)
    spec = json.loads(path.read_text())
    weights = np.fromfile(path.with_name(spec["weights"]), dtype="<f4")
    images = np.random.default_rng(1).random((3, 28, 28))
    got = DigitNet.load(path).predict_proba(images)
    want = np.array([reference_forward(spec, weights, image) for image in images])
    assert got.dtype == np.float32 and got.shape == (3, 10)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_full_size_random_network_gives_probabilities(random_json):
    net = DigitNet.load(random_json)
    probabilities = net.predict_proba(np.random.default_rng(2).random((5, 28, 28)))
    assert probabilities.shape == (5, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert net.predict(np.zeros((2, 28, 28))).shape == (2,)


def broken(tmp_path, random_json, change):
    folder = tmp_path / "broken"
    folder.mkdir()
    spec = json.loads(random_json.read_text())
    weights = random_json.with_name("digit-cnn.bin").read_bytes()
    spec, weights = change(spec, weights)
    (folder / "digit-cnn.bin").write_bytes(weights)
    (folder / "digit-cnn.json").write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return folder / "digit-cnn.json"


def set_layer(index, **changes):
    def change(spec, weights):
        spec["layers"][index].update(changes)
        return spec, weights
    return change


@pytest.mark.parametrize("change, cause", [
    (lambda s, w: ("{not json", w), "not valid JSON"),
    (lambda s, w: ({**s, "weights": "../digit-cnn.bin"}, w), "file beside it"),
    (lambda s, w: ({**s, "dtype": "float64"}, w), "float32"),
    (lambda s, w: ({**s, "input": [28, 28, 3]}, w), "input"),
    (lambda s, w: (s, w[:-4]), "do not match|reads numbers"),
    (lambda s, w: (s, w + b"\0\0\0\0"), "do not match"),
    (lambda s, w: (s, w[:-2]), "whole number of float32"),
    (set_layer(0, op="conv3d"), "unknown op 'conv3d'"),
    (set_layer(0, activation="gelu"), "unknown activation"),
    (set_layer(0, padding="causal"), "padding"),
    (set_layer(1, kernel={"offset": 0, "shape": [3, 3, 8, 16]}), "takes 8 channels"),
    (set_layer(0, kernel={"offset": 10 ** 9, "shape": [3, 3, 1, 16]}), "reads numbers"),
    (set_layer(0, kernel={"shape": [3, 3, 1, 16]}), "needs an 'offset'"),
    (set_layer(-1, activation="relu"), "10 softmax"),
])
def test_broken_model_files_raise_a_clear_error(tmp_path, random_json, change, cause):
    with pytest.raises(ModelFileError, match=cause):
        DigitNet.load(broken(tmp_path, random_json, change))


def test_missing_model_files_raise_a_clear_error(tmp_path, random_json):
    with pytest.raises(ModelFileError, match="cannot read the model"):
        DigitNet.load(tmp_path / "nowhere.json")
    path = broken(tmp_path, random_json, lambda s, w: (s, w))
    path.with_name("digit-cnn.bin").unlink()
    with pytest.raises(ModelFileError, match="cannot read the weights .*digit-cnn.bin"):
        DigitNet.load(path)


def test_bad_images_are_refused(random_json):
    net = DigitNet.load(random_json)
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\)"):
        net.predict_proba(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="divide by 255"):
        net.predict_proba(np.full((1, 28, 28), 255))


def test_the_real_network_reads_mnist_like_test_digits():
    _, _, x_test, y_test = load_mnist()
    net = DigitNet.load(real_model())
    images = np.stack([mnist_like.to_mnist_like(image / 255) for image in x_test[::10]])
    assert (net.predict(images) == y_test[::10]).mean() >= 0.98


# ----------------------------------------------------------------------------- the app


@pytest.fixture(scope="module")
def client(random_json):
    from draw_app import create_app

    app = create_app(random_json)
    app.testing = True
    return app.test_client()


def drawing(digit=7):
    return png(stroke_image(DIGIT_STROKES[digit]))


def post(client, body, content_type="image/png"):
    return client.post("/predict", data=body, content_type=content_type)


def assert_serves_a_good_request(client):
    response = post(client, drawing())
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert set(answer) == {"digit", "probabilities", "image28"}
    assert answer["digit"] in range(10) and len(answer["probabilities"]) == 10
    assert sum(answer["probabilities"]) == pytest.approx(1, abs=1e-5)
    assert answer["digit"] == int(np.argmax(answer["probabilities"]))
    assert np.array(answer["image28"]).shape == (28, 28)
    return answer


def test_a_drawing_gets_a_digit_its_probabilities_and_the_image_seen(client, random_json):
    answer = assert_serves_a_good_request(client)
    rgba = stroke_image(DIGIT_STROKES[7])
    expected = mnist_like.to_mnist_like(mnist_like.ink_from_rgba(rgba))
    assert np.array_equal(np.array(answer["image28"], dtype=np.float32), expected)
    np.testing.assert_allclose(answer["probabilities"],
                               DigitNet.load(random_json).predict_proba(expected[None])[0],
                               rtol=1e-6)


def test_the_page_and_the_shared_widget_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and b"mountDrawWidget" in page.data
    for name in ("draw_widget.js", "draw.css"):
        assert client.get(f"/draw/{name}").status_code == 200
    assert not re.search(rb"(src|href)=\"(https?:)?//", page.data), "everything is served locally"
    missing = client.get("/draw/nothing.js")
    assert missing.status_code == 404 and "error" in missing.get_json()


def white_png(size=(SIZE, SIZE)):
    return png(np.full((*size, 4), 255, dtype=np.uint8))


@pytest.mark.parametrize("body, content_type, status, message", [
    (white_png(), "image/png", 422, "empty"),
    (b"not an image at all", "image/png", 400, "not a readable PNG"),
    (b"", "image/png", 400, "not a readable PNG"),
    (white_png()[:200], "image/png", 400, "not a readable PNG"),  # a truncated PNG
    (png(np.zeros((SIZE, SIZE, 3), np.uint8), format="JPEG"), "image/png", 400, "not a PNG"),
    (white_png((SIZE, 100)), "image/png", 422, "280 x 280"),
    (white_png((28, 28)), "image/png", 422, "got 28 x 28"),
    (b"x" * 600_000, "image/png", 413, "."),
    (white_png(), "application/json", 415, "image/png"),
    (white_png(), "", 415, r"^send the drawing as image/png \(the request named no "
                           r"Content-Type\)$"),
    (white_png(), "multipart/form-data; boundary=x", 415, "image/png"),
])
def test_bad_input_gets_a_clear_json_error_and_the_app_keeps_serving(
        client, body, content_type, status, message):
    response = post(client, body, content_type)
    assert response.status_code == status
    assert re.search(message, response.get_json()["error"]), response.get_json()
    assert_serves_a_good_request(client)


def png_claiming(width, height):
    """A small PNG whose header claims a huge image (a decompression bomb's first bytes)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [5_000, 100_000])
def test_a_huge_png_is_refused_before_it_is_decoded(client, side):
    response = post(client, png_claiming(side, side))
    assert response.status_code == 422 and "280 x 280" in response.get_json()["error"]
    assert_serves_a_good_request(client)


def test_get_on_predict_is_a_json_405(client):
    response = client.get("/predict")
    assert response.status_code == 405 and "error" in response.get_json()


def test_the_app_never_enables_the_debugger(random_json):
    from draw_app import create_app

    source = (ROOT / "snippets" / "draw_app.py").read_text()
    assert not re.search(r"debug\s*=\s*True|use_debugger|\.debug\s*=", source)
    assert create_app(random_json).debug is False
    assert re.search(r'\.run\(host="127\.0\.0\.1"', source), "only this computer can reach it"


def test_a_broken_model_stops_the_app_at_start(tmp_path):
    from draw_app import create_app

    with pytest.raises(ModelFileError, match="cannot read the model"):
        create_app(tmp_path / "missing.json")
