"""Shared by the draw-a-digit tests: where the real model is, and stand-in models to test with.

The forward-pass tests use random weights written in the exported format, so they run
before (and without) a trained network; the accuracy and parity tests use the real files.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
# DIGIT_CNN points the tests and the site build (draw_demo.py) at another export, for
# example random weights while the real network is still training.
MODEL_JSON = Path(os.environ.get("DIGIT_CNN", ROOT / "models" / "digit-cnn.json"))
SIZE = 280  # the drawing canvas, in pixels (the page's canvas and the app's check)


def real_model():
    """The exported network, or a failure that says how to make it (never a skip)."""
    missing = [p for p in (MODEL_JSON, MODEL_JSON.with_suffix(".bin")) if not p.exists()]
    if missing:
        pytest.fail(f"the trained network is missing ({', '.join(map(str, missing))}): "
                    "run the convolutional-network chapter (make outputs), which exports it")
    return MODEL_JSON


def write_random_model(folder, channels=(16, 16, 32, 32), hidden=128, padding="same", seed=0):
    """A network of the exported layout with random (He-scaled) weights; returns its .json.

    ``channels`` are the convolutions, a 2 x 2 pooling after every second one.
    """
    rng = np.random.default_rng(seed)
    blobs, layers, size, cin = [], [], 28, 1

    def add(shape, fan_in):
        array = rng.normal(0, np.sqrt(2 / fan_in), shape).astype("<f4")
        entry = {"offset": sum(b.size for b in blobs), "shape": list(shape)}
        blobs.append(array.ravel())
        return entry

    for number, cout in enumerate(channels, start=1):
        layers.append({"op": "conv2d", "padding": padding, "activation": "relu",
                       "kernel": add((3, 3, cin, cout), 9 * cin), "bias": add((cout,), 9 * cin)})
        size, cin = (size if padding == "same" else size - 2), cout
        if number % 2 == 0:
            layers.append({"op": "maxpool2d", "size": 2})
            size //= 2
    flat = size * size * cin
    layers += [{"op": "flatten"},
               {"op": "dense", "activation": "relu",
                "kernel": add((flat, hidden), flat), "bias": add((hidden,), flat)},
               {"op": "dense", "activation": "softmax",
                "kernel": add((hidden, 10), hidden), "bias": add((10,), hidden)}]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "digit-cnn.bin").write_bytes(np.concatenate(blobs).tobytes())
    path = folder / "digit-cnn.json"
    path.write_text(json.dumps({"input": [28, 28, 1], "dtype": "float32",
                                "weights": "digit-cnn.bin", "layers": layers}, indent=1))
    return path


def stroke_image(strokes, width=18, size=SIZE):
    """RGBA pixels of black strokes on white, as the page's canvas draws them (near enough).

    ``strokes`` are lists of (x, y) points in canvas pixels.
    """
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), "white")
    draw = ImageDraw.Draw(image)
    for points in strokes:
        draw.line(points, fill="black", width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps, as the canvas's lineCap
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), "black")
    return np.asarray(image)


# Strokes of three digits on the 280 x 280 canvas, as a person might draw them.
DIGIT_STROKES = {
    1: [[(140, 40), (142, 140), (144, 240)]],
    0: [[(140, 40), (95, 70), (80, 140), (95, 210), (140, 240), (185, 210), (200, 140),
         (185, 70), (140, 40)]],
    7: [[(70, 50), (210, 50), (170, 130), (130, 240)]],
}
