"""The MNIST file: the one the site was built with, and clear errors when it is not."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

import mnist_data
from mnist_data import MnistDataError, load_mnist

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "mnist.npz"


def test_file_checksum_matches_readme_and_loader():
    readme = (ROOT / "data" / "README.md").read_text()
    published = re.search(r"sha256: `([0-9a-f]{64})`", readme)[1]
    actual = hashlib.sha256(DATA.read_bytes()).hexdigest()
    assert actual == published == mnist_data.FILE_SHA256


def test_contents_match_the_published_checks():
    x_train, y_train, x_test, y_test = load_mnist(DATA)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert round(float(x_train.mean()), 4) == 33.3184


def offline(*args, **kwargs):
    raise OSError("no network")


def test_missing_file_without_network_explains_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr("sklearn.datasets.fetch_openml", offline)
    missing = tmp_path / "mnist.npz"
    with pytest.raises(MnistDataError) as caught:
        load_mnist(missing)
    message = str(caught.value)
    assert str(missing) in message and "does not exist" in message
    assert mnist_data.FILE_SHA256 in message and "copy data/mnist.npz" in message
    assert not missing.exists()


def test_truncated_file_is_named_with_its_checksum(tmp_path):
    broken = tmp_path / "mnist.npz"
    broken.write_bytes(DATA.read_bytes()[:100_000])
    with pytest.raises(MnistDataError) as caught:
        load_mnist(broken)
    assert caught.value.__suppress_context__  # our message, not a zipfile traceback
    assert f"{broken} could not be read as MNIST" in str(caught.value)
    assert mnist_data.FILE_SHA256 in str(caught.value)


def test_other_data_is_refused(tmp_path):
    x_train, y_train, x_test, y_test = load_mnist(DATA)
    x_train = x_train.copy()
    x_train[0, 0, 0] = 1  # one pixel
    other = tmp_path / "mnist.npz"
    np.savez_compressed(other, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    with pytest.raises(MnistDataError, match="is not the MNIST data this site was built with"):
        load_mnist(other)


def test_missing_file_is_fetched_from_openml_once_and_kept(tmp_path, monkeypatch):
    x_train, y_train, x_test, y_test = load_mnist(DATA)
    calls = []

    def fake_fetch_openml(name, *, version, as_frame, return_X_y, parser):
        calls.append((name, version, as_frame, return_X_y, parser))
        X = np.concatenate([x_train, x_test]).reshape(-1, 784).astype(np.float64)
        y = np.concatenate([y_train, y_test]).astype(str).astype(object)
        return X, y

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fake_fetch_openml)
    path = tmp_path / "data" / "mnist.npz"
    arrays = load_mnist(path)
    # the pinned pandas breaks the default parser on numeric labels: liac-arff
    assert calls == [("mnist_784", 1, False, True, "liac-arff")]
    assert path.exists() and not list(path.parent.glob("*.partial"))
    assert all(np.array_equal(a, b) for a, b in zip(arrays, (x_train, y_train, x_test, y_test)))
    load_mnist(path)  # the kept copy passes the checks with no second download
    assert len(calls) == 1


def test_openml_layout_has_string_labels():
    X, y = mnist_data.load_mnist_784(DATA)
    assert X.shape == (70000, 784) and y.dtype == object and y[36001] == "2"
