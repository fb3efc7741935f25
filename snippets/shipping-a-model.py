"""
Shipping a model
================

A model is useful once it leaves the notebook: saved to a file, loaded
somewhere else, asked about a digit it has never seen. This chapter saves a
scikit-learn model two ways, with ``joblib`` and with ``skops``, and shows why
the second is the one to accept from someone else; then it reads the
convolutional network chapter's exported network with NumPy and serves it with
Flask. Run it from a folder holding ``data/mnist.npz`` and the exported
network in ``models/`` (``digit-cnn.json`` and ``digit-cnn.bin``), after
``pip install skops flask pillow scipy``.
"""

# %% model
import os

# One BLAS and OpenMP thread, as this page's run used, set before NumPy and
# scikit-learn load their libraries so that all of them follow it: the
# thread count decides the order of sums, and so the last digits of long fits
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")

from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

# MNIST as four arrays: 60,000 training and 10,000 test images of 28 x 28
# pixels (0 is paper, 255 is ink) and their labels
with np.load("data/mnist.npz") as mnist:
    x_train, y_train = mnist["x_train"], mnist["y_train"]
    x_test, y_test = mnist["x_test"], mnist["y_test"]
# float32, as in the feature engineering chapter, so that the model is the
# same to the last digit
X_train = x_train.reshape(len(x_train), -1) / np.float32(255)
X_test = x_test.reshape(len(x_test), -1) / np.float32(255)

# The feature engineering chapter's SVM: 50 principal components, then an
# RBF kernel.
model = make_pipeline(PCA(n_components=50, random_state=0), SVC(C=10))
model.fit(X_train, y_train)
predicted = model.predict(X_test)
accuracy = (predicted == y_test).mean()
print(f"test accuracy: {accuracy:.4f}")
Path("models").mkdir(exist_ok=True)

# %% joblib
import joblib

joblib.dump(model, "models/pca-svc.joblib")
# only ever a file you made yourself
from_joblib = joblib.load("models/pca-svc.joblib")
# The first thousand test digits: enough to see it is the same model, and a
# tenth of the time of all ten thousand.
print("same predictions on 1,000 test digits:",
      np.array_equal(from_joblib.predict(X_test[:1000]), predicted[:1000]))

# %% skops
import skops.io as sio

sio.dump(model, "models/pca-svc.skops")
# Before loading, ask which types the file would create that skops does not
# trust.
print("untrusted types:", sio.get_untrusted_types(file="models/pca-svc.skops"))
from_skops = sio.load("models/pca-svc.skops")
print("same predictions on 1,000 test digits:",
      np.array_equal(from_skops.predict(X_test[:1000]), predicted[:1000]))

# %% untrusted
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer


def flatten(images):  # a function of our own inside the pipeline
    return images.reshape(len(images), -1) / 255


small = make_pipeline(FunctionTransformer(flatten),
                      LogisticRegression(max_iter=200))
small.fit(x_train[:1000], y_train[:1000])
sio.dump(small, "models/small.skops")
untrusted = sio.get_untrusted_types(file="models/small.skops")
print("untrusted types:", untrusted)
try:
    sio.load("models/small.skops")
except sio.exceptions.UntrustedTypesFoundException as refused:
    print("refused:", refused)
# Read the list, decide you trust it, and say so by name:
reloaded = sio.load("models/small.skops", trusted=untrusted)
print("loaded once trusted:",
      np.array_equal(reloaded.predict(x_test), small.predict(x_test)))

# %% web-runtime
import json

from numpy.lib.stride_tricks import sliding_window_view


def load_network(json_path):
    """The exported layers, each kernel and bias cut out of the .bin file
    (little-endian float32; offsets and shapes counted in numbers)."""
    spec = json.loads(Path(json_path).read_text())
    weights = np.fromfile(Path(json_path).with_name(spec["weights"]),
                          dtype="<f4")

    def cut(where):
        size = int(np.prod(where["shape"]))
        start = where["offset"]
        return weights[start:start + size].reshape(where["shape"])

    return [{**layer, **{name: cut(layer[name]) for name in ("kernel", "bias")
                         if name in layer}}
            for layer in spec["layers"]]


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {"linear": lambda x: x, "relu": lambda x: np.maximum(x, 0),
               "softmax": softmax}


def forward(layers, x):
    """Ten probabilities for each image of x, shape (n, 28, 28, 1)."""
    for layer in layers:
        if layer["op"] == "conv2d":
            kernel = layer["kernel"]  # (3, 3, channels in, channels out)
            if layer["padding"] == "same":  # zeros around: the size is kept
                pad = kernel.shape[0] // 2
                x = np.pad(x, [(0, 0), (pad, pad), (pad, pad), (0, 0)])
            # every 3 x 3 patch: (n, rows, columns, channels in, 3, 3)
            patches = sliding_window_view(x, kernel.shape[:2], axis=(1, 2))
            x = np.tensordot(patches, kernel,
                             axes=([4, 5, 3], [0, 1, 2])) + layer["bias"]
        elif layer["op"] == "maxpool2d":
            size = layer["size"]
            n, rows, cols, channels = x.shape
            x = x[:, :rows // size * size, :cols // size * size].reshape(
                n, rows // size, size, cols // size, size, channels
            ).max(axis=(2, 4))
        elif layer["op"] == "flatten":  # channels last, row by row, as Keras
            x = x.reshape(len(x), -1)
        elif layer["op"] == "dense":
            x = x @ layer["kernel"] + layer["bias"]
        x = ACTIVATIONS[layer.get("activation", "linear")](x)
    return x


network = load_network("models/digit-cnn.json")
test_images = (x_test / 255).astype(np.float32)[..., np.newaxis]
# 100 images at a time: np.tensordot copies the patches, about 4.5 GB for
# the second convolution on all 10,000 images
web_probabilities = np.concatenate(
    [forward(network, test_images[i:i + 100])
     for i in range(0, len(test_images), 100)])
web_predicted = web_probabilities.argmax(axis=1)
web_accuracy = (web_predicted == y_test).mean()
print(f"the exported network in NumPy, test accuracy: {web_accuracy:.4f}")

# %% drawing
import io

import matplotlib.pyplot as plt
from PIL import Image, ImageDraw
from scipy import ndimage


def to_mnist_like(drawing):
    """A 28 x 28 image of ink in [0, 1], made from a drawing (a PIL image of
    dark ink on light paper) as MNIST's digits were made."""
    # transparent parts count as paper: lay the drawing on white first
    paper = Image.new("RGBA", drawing.size, "white")
    flat = Image.alpha_composite(paper, drawing.convert("RGBA"))
    ink = 1 - np.asarray(flat.convert("L"), dtype=np.float32) / 255
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:  # no ink: nothing to scale or centre
        return np.zeros((28, 28), dtype=np.float32)
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    # the longer side to 20 pixels, each new pixel the mean of what it covers
    scale = 20 / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)),
            max(1, round(crop.shape[0] * scale)))  # (width, height)
    small = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BOX))
    # the centre of mass on pixel (14, 14), where MNIST's digits have theirs
    centre_row, centre_col = ndimage.center_of_mass(small)
    top = min(max(round(14 - centre_row), 0), 28 - small.shape[0])
    left = min(max(round(14 - centre_col), 0), 28 - small.shape[1])
    image = np.zeros((28, 28), dtype=np.float32)
    image[top:top + small.shape[0], left:left + small.shape[1]] = small
    return image


# A 7 drawn as two thick strokes on the app's 280 x 280 pad: dark ink on white
# paper.
pad = Image.new("RGBA", (280, 280), "white")
pen = ImageDraw.Draw(pad)
pen.line([(90, 70), (190, 70), (120, 220)], fill="black", width=18,
         joint="curve")
image = to_mnist_like(pad)
probabilities = forward(network, image[np.newaxis, :, :, np.newaxis])[0]
print("read as", probabilities.argmax(),
      f"with probability {probabilities.max():.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
left.imshow(np.asarray(pad.convert("L")), cmap="gray")
left.set_title("the pad, 280 × 280", fontsize=10)
right.imshow(image, cmap="gray")
right.set_title("what the network sees, 28 × 28", fontsize=10)
for ax in (left, right):
    ax.axis("off")
plt.show()

# %% app
from flask import Flask, jsonify, request
from PIL import UnidentifiedImageError

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 512 * 1024  # larger bodies: 413


@app.post("/predict")
def predict():
    if request.mimetype != "image/png":
        return jsonify(error="send the drawing as image/png"), 415
    try:  # reads the chunks before the pixels: the size, not the image
        drawing = Image.open(io.BytesIO(request.get_data()))
    except Image.DecompressionBombError:  # a header claiming ~179 Mpixels+
        return jsonify(error="the image is far too large"), 422
    # Pillow reports a damaged PNG as one of these (ValueError: a text chunk
    # that inflates too far)
    except (UnidentifiedImageError, OSError, ValueError):
        return jsonify(error="the body is not a readable PNG"), 400
    if drawing.format != "PNG":
        return jsonify(error="the body is not a PNG"), 400
    if drawing.size != (280, 280):  # checked before decoding any pixel
        return jsonify(error="the pad is 280 x 280 pixels"), 422
    try:
        drawing.load()
    # truncated or corrupt, or a text chunk after the pixels that inflates
    # too far
    except (OSError, ValueError):
        return jsonify(error="the body is not a readable PNG"), 400
    image = to_mnist_like(drawing.convert("RGBA"))
    if not image.any():
        return jsonify(error="the drawing is empty: draw a digit first"), 422
    probabilities = forward(network, image[np.newaxis, :, :, np.newaxis])[0]
    return jsonify(digit=int(probabilities.argmax()),
                   probabilities=probabilities.tolist())


# requests without a server
client = app.test_client()
png = io.BytesIO()
pad.save(png, format="PNG")
answer = client.post("/predict", data=png.getvalue(), content_type="image/png")
print(answer.status_code, "digit:", answer.json["digit"])

empty = io.BytesIO()
Image.new("RGBA", (280, 280), "white").save(empty, format="PNG")
for body, content_type in [(empty.getvalue(), "image/png"),
                           (b"hello", "image/png"),
                           (png.getvalue(), "text/plain")]:
    answer = client.post("/predict", data=body, content_type=content_type)
    print(answer.status_code, answer.json["error"])

# %% original-debug
import html
import re

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.test import Client

# The source tutorial's Flask sketch ends with app.run(debug=True), which
# starts a server. Without one: a small app with a bug, wrapped in Werkzeug's
# debugger as debug=True wraps it, and a request to the page that fails.
demo = Flask("demo")
demo.debug = True  # as debug=True sets it: errors go to the debugger


@demo.get("/broken")
def broken():
    secret = "only the server should know this"
    return len(secret) / 0  # the bug


visitor = Client(DebuggedApplication(demo, evalex=True))
# (errors_stream: the traceback the debugger also logs, kept out of the way)
answer = visitor.get("/broken", errors_stream=io.StringIO())
page = html.unescape(answer.get_data(as_text=True))
print("status:", answer.status_code)
print("a page of the Werkzeug debugger:", "Werkzeug Debugger" in page)
print("the route's source code in it:", 'secret = "only the server' in page)
print("a Python console in it:", "EVALEX = true" in page)
print(" ".join(re.search(r"The console is locked.*?runs the server\.",
                         page, re.S)[0].split()))

# %% claims tags=["site"]
import json


# What the page's sentences state about this run, checked by every build,
# some against values frozen by the chapters it builds on
def frozen_value(chapter, name):
    manifest = json.loads(Path(f"outputs/{chapter}/manifest.json").read_text())
    return next(section["values"][name] for section in manifest["sections"]
                if name in section["values"])


keras_accuracy = frozen_value("convolutional-network", "deeper_accuracy")
# 95 % Wilson intervals of the two test accuracies the page states
from scipy.stats import binomtest

svm_interval = binomtest(int((predicted == y_test).sum()),
                         len(y_test)).proportion_ci(method="wilson")
web_interval = binomtest(int((web_predicted == y_test).sum()),
                         len(y_test)).proportion_ci(method="wilson")
svm_low, svm_high = svm_interval.low, svm_interval.high
web_low, web_high = web_interval.low, web_interval.high
bad_requests = [(empty.getvalue(), "image/png"), (b"hello", "image/png"),
                (png.getvalue(), "text/plain")]
import struct
import zlib


def with_chunk(png_bytes, kind, data, before):
    """png_bytes with one more chunk, inserted before the chunk named."""
    at = png_bytes.index(before) - 4  # a chunk starts with its length
    crc = struct.pack(">I", zlib.crc32(kind + data))
    return (png_bytes[:at] + struct.pack(">I", len(data)) + kind + data + crc
            + png_bytes[at:])


# a compressed text chunk that inflates to 16 MB, past Pillow's limit,
# before the pixels (read by Image.open) and after them (read by load)
text_bomb = b"note\x00\x00" + zlib.compress(bytes(2**24))
for before in (b"IDAT", b"IEND"):
    bad_requests.append((with_chunk(png.getvalue(), b"zTXt", text_bomb,
                                    before), "image/png"))
bad_statuses = [client.post("/predict", data=body,
                            content_type=content_type).status_code
                for body, content_type in bad_requests]
claims = {
    "same_accuracy_as_feature_engineering": float(accuracy) == frozen_value(
        "feature-engineering", "svc_plain"),
    "joblib_same_predictions": bool(np.array_equal(
        from_joblib.predict(X_test[:1000]), predicted[:1000])),
    "skops_trusts_the_pipeline": sio.get_untrusted_types(
        file="models/pca-svc.skops") == [],
    "only_flatten_untrusted": untrusted == ["__main__.flatten"],
    "web_matches_keras": float(web_accuracy) == keras_accuracy,
    "drawn_seven_read_as_seven": int(probabilities.argmax()) == 7,
    "bad_requests_get_4xx": all(400 <= code < 500 for code in bad_statuses),
    "debugger_shows_source_and_console": bool(
        'secret = "only the server' in page and "EVALEX = true" in page),
}
