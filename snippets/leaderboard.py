"""One row of the site's leaderboard: how good a fitted model is, and what it costs.

A chapter that trains a model worth comparing ends with a DataFrame named ``leaderboard``
built from these rows. The site's Leaderboard page gathers every chapter's table from the
frozen outputs, so each number there comes from the run that made that chapter.
"""

import pickle
import time


def row(name, features, model, fit_seconds, X_train, X_test, y_test):
    """Score a fitted model on ``(X_test, y_test)``: return ``(row, predictions)``.

    The row holds the test accuracy, the fit seconds given, the predict seconds measured
    here, and the size of the pickled model.
    """
    started = time.perf_counter()
    predicted = model.predict(X_test)
    predict_seconds = time.perf_counter() - started
    accuracy = float((predicted == y_test).mean())
    return {
        "model": name,
        "features": features,
        "training images": len(X_train),
        "test images": len(X_test),
        "test accuracy": accuracy,
        "fit seconds": fit_seconds,
        "predict seconds": predict_seconds,
        "size MB": _pickled_bytes(model) / 1e6,
    }, predicted


class _ByteCounter:
    """A file that only counts: a big model is measured without a copy of it in memory."""

    def __init__(self):
        self.bytes = 0

    def write(self, data):
        self.bytes += memoryview(data).nbytes


def _pickled_bytes(model):
    counter = _ByteCounter()
    pickle.dump(model, counter, protocol=pickle.HIGHEST_PROTOCOL)
    return counter.bytes
