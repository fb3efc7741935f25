"""MNIST for every chapter: read the local copy, or fetch it once from OpenML.

The arrays are exactly the 70,000 rows of OpenML's ``mnist_784`` (version 1),
the data set behind ``fetch_openml("mnist_784", version=1)``: the first 60,000
are the classic training set and the last 10,000 the classic test set. Pixels
are 0 (paper) to 255 (ink).

The file is ``data/mnist.npz`` relative to the folder you run from, or the
path in the environment variable ``MNIST_NPZ``. If it is missing, it is made
from OpenML (this needs a network) and kept, so later runs are offline.
"""

import hashlib
import os
from pathlib import Path

import numpy as np

DATA_FILE = Path(os.environ.get("MNIST_NPZ", "data/mnist.npz"))
KEYS = ("x_train", "y_train", "x_test", "y_test")

# Two fingerprints of the same data. The first is the file this project ships;
# the second is the arrays themselves, so a copy re-made from OpenML (whose zip
# bytes differ) passes too.
FILE_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
ARRAYS_SHA256 = (
    "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
)

HOW_TO_GET_IT = (
    "To get it: copy data/mnist.npz from the Learning from Digits project "
    "(it is committed\n"
    "there), or delete this file and run again with a network, so that\n"
    'fetch_openml("mnist_784", version=1) downloads MNIST and saves it here.'
)


class MnistDataError(RuntimeError):
    """The MNIST file is missing, unreadable or not the expected data."""


def load_mnist(path=None):
    """Return ``(x_train, y_train, x_test, y_test)``: uint8 arrays, images of
    28 x 28."""
    path = Path(path or DATA_FILE)
    if not path.exists():
        _fetch_from_openml(path)
    if _sha256(path.read_bytes()) == FILE_SHA256:
        return _read(path)
    arrays = _read(path)
    if _arrays_sha256(arrays) != ARRAYS_SHA256:
        raise MnistDataError(
            f"{path} is not the MNIST data this site was built with.\n"
            f"Expected file sha256 {FILE_SHA256}\n"
            f"      (or arrays sha256 {ARRAYS_SHA256}).\n{HOW_TO_GET_IT}"
        )
    return arrays


def load_mnist_784(path=None):
    """Return ``X, y`` in OpenML's layout: X is (70000, 784), y holds the
    labels as strings."""
    x_train, y_train, x_test, y_test = load_mnist(path)
    X = np.concatenate([x_train, x_test]).reshape(-1, 28 * 28)
    y = np.concatenate([y_train, y_test]).astype(str).astype(object)
    return X, y


def _read(path):
    try:
        with np.load(path) as archive:
            return tuple(archive[key] for key in KEYS)
    except Exception as error:  # a truncated zip, a wrong format, a missing key
        raise MnistDataError(
            f"{path} could not be read as MNIST "
            f"({type(error).__name__}: {error}).\n"
            f"Expected file sha256 {FILE_SHA256}.\n{HOW_TO_GET_IT}"
        ) from None


def _fetch_from_openml(path):
    from sklearn.datasets import fetch_openml

    try:
        # parser="liac-arff": with the pinned pandas, the default parser
        # fails on MNIST's numeric labels (a TypeError); this one works
        X, y = fetch_openml("mnist_784", version=1, as_frame=False,
                            return_X_y=True, parser="liac-arff")
    except Exception as error:
        raise MnistDataError(
            f"{path} does not exist and OpenML could not be reached "
            f"({type(error).__name__}: {error}).\n"
            f"Expected file sha256 {FILE_SHA256}.\n{HOW_TO_GET_IT}"
        ) from None
    images = np.asarray(X, dtype=np.uint8).reshape(-1, 28, 28)
    labels = np.asarray(y).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    # written aside, then renamed: never a half file
    with open(partial, "wb") as out:
        np.savez_compressed(
            out,
            x_train=images[:60000], y_train=labels[:60000],
            x_test=images[60000:], y_test=labels[60000:],
        )
    os.replace(partial, path)


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _arrays_sha256(arrays):
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()
