"""The site's leaderboard rows: how good a fitted model is, and what it costs.

Bookkeeping for the site, not a lesson: only the chapters' site sections (not
shown on the pages, left out of the downloads) import it. A chapter whose
models are worth comparing ends with a DataFrame named ``leaderboard`` of
these rows; the engine gathers every chapter's table into
``outputs/leaderboard.csv`` (``gathered`` in pyproject.toml), which the recap
and the Leaderboard page read.
"""

import hashlib
import time

import numpy as np


def row(name, features, model, fit_seconds, X_train, X_test, y_test):
    """Score a fitted model on ``(X_test, y_test)``: return
    ``(row, predictions)``.

    The row holds the test accuracy, the fit seconds given, the seconds the
    predictions took, and the size of the arrays the model keeps (its learned
    weights, support vectors or, for k-nearest neighbours, the training set
    itself).
    """
    started = time.perf_counter()
    predicted = model.predict(X_test)
    predict_seconds = time.perf_counter() - started
    return {
        "model": name,
        "features": features,
        "training images": len(X_train),
        "test images": len(X_test),
        "test accuracy": float((predicted == y_test).mean()),
        "fit seconds": fit_seconds,
        "predict seconds": predict_seconds,
        "size MB": array_bytes(model) / 1e6,
    }, predicted


class _Network:
    """A Keras classifier as ``row`` takes a model: labels from ``predict``,
    its weights as the arrays it keeps."""

    def __init__(self, network):
        self.network = network

    def predict(self, x):
        scores = self.network.predict(x, batch_size=1000, verbose=0)
        return np.argmax(scores, axis=1)

    def __getstate__(self):
        return {"weights": self.network.get_weights()}


def network_row(name, features, network, fit_seconds, x_train, x_test,
                y_test):
    """``row`` for a trained Keras network."""
    return row(name, features, _Network(network), fit_seconds, x_train,
               x_test, y_test)


def array_bytes(model):
    """Bytes of the distinct NumPy arrays a fitted model holds: what it
    learned or stored, each array counted once by its content."""
    seen, total, stack, visited, kept = set(), 0, [model], set(), []
    while stack:
        item = stack.pop()
        if id(item) in visited:
            continue
        visited.add(id(item))
        kept.append(item)  # alive until the end, so that no id is reused
        if isinstance(item, np.ndarray):
            if item.dtype == object:
                stack.extend(item.ravel().tolist())
                continue
            key = (item.shape, item.dtype.str,
                   hashlib.sha256(np.ascontiguousarray(item)).digest())
            if key not in seen:
                seen.add(key)
                total += item.nbytes
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not isinstance(item, (type, str, bytes, int, float)):
            # a tree's arrays live in its state, not __dict__
            state = item.__getstate__()
            if isinstance(state, dict):
                stack.extend(state.values())
            elif isinstance(state, tuple):
                stack.extend(state)
    return total
