"""
Shipping a model
================

A model is useful once it leaves the notebook: saved to a file, loaded
somewhere else, asked about a digit it has never seen. This chapter saves a
scikit-learn model two ways, with ``joblib`` and with ``skops``, and shows why
the second is the one to accept from someone else; then it reads the
convolutional network chapter's exported network with NumPy and serves it with
Flask. Run it from a folder holding ``data/mnist.npz``, with ``digit_net.py``,
``mnist_like.py`` and ``draw_app.py`` beside it, the exported network in
``models/`` (``digit-cnn.json`` and ``digit-cnn.bin``), and
``pip install skops flask pillow``.
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
X_train = x_train.reshape(len(x_train), -1) / 255
X_test = x_test.reshape(len(x_test), -1) / 255

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
from digit_net import DigitNet

# The convolutional network chapter exported its deeper network as plain
# numbers.
net = DigitNet.load("models/digit-cnn.json")
web_predicted = net.predict_proba(x_test / 255).argmax(axis=1)
web_accuracy = (web_predicted == y_test).mean()
print(f"the exported network in NumPy, test accuracy: {web_accuracy:.4f}")

# %% drawing
import io

import matplotlib.pyplot as plt
from PIL import Image, ImageDraw

from mnist_like import ink_from_rgba, to_mnist_like

# A 7 drawn as two thick strokes on the app's 280 x 280 pad: dark ink on white
# paper.
pad = Image.new("RGBA", (280, 280), "white")
pen = ImageDraw.Draw(pad)
pen.line([(90, 70), (190, 70), (120, 220)], fill="black", width=18,
         joint="curve")
# crop, scale to 20 px, centre by mass
image = to_mnist_like(ink_from_rgba(np.asarray(pad)))
probabilities = net.predict_proba(image[np.newaxis])[0]
print("read as", probabilities.argmax(),
      f"with probability {probabilities.max():.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
left.imshow(np.asarray(pad.convert("L")), cmap="gray")
left.set_title("drawn on the pad (280 × 280)")
right.imshow(image, cmap="gray")
right.set_title("what the network sees (28 × 28)")
for ax in (left, right):
    ax.axis("off")
plt.show()

# %% app
from draw_app import create_app

# requests without a server
client = create_app("models/digit-cnn.json").test_client()
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

# The source tutorial ran its app with app.run(debug=True), which starts a
# server. Without one: a small app with a bug, wrapped in Werkzeug's debugger
# as debug=True wraps it, and a request to the page that fails.
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
