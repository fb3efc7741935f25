"""One row of the site's leaderboard: how good a fitted model is, and what it
costs.

A chapter that trains a model worth comparing ends with a DataFrame named
``leaderboard`` built from these rows. The site's Leaderboard page gathers
every chapter's table from the frozen outputs, so each number there comes from
the run that made that chapter.
"""

import hashlib

import numpy as np

from model_cache import remember


def row(name, features, model, fit_seconds, X_train, X_test, y_test):
    """Score a fitted model on ``(X_test, y_test)``: return
    ``(row, predictions)``.

    The row holds the test accuracy, the fit seconds given, the seconds the
    predictions took (made once, through the model cache), and the size of the
    arrays the model keeps (its learned weights, support vectors or, for
    k-nearest neighbours, the training set itself).
    """
    predicted, predict_seconds = remember(model.predict, X_test)
    accuracy = float((predicted == y_test).mean())
    return {
        "model": name,
        "features": features,
        "training images": len(X_train),
        "test images": len(X_test),
        "test accuracy": accuracy,
        "fit seconds": fit_seconds,
        "predict seconds": predict_seconds,
        "size MB": _array_bytes(model) / 1e6,
    }, predicted


def _array_bytes(model):
    """Bytes of the distinct NumPy arrays a fitted model holds: what it
    learned or stored.

    Counted by content, not by pickling: a model loaded from the cache holds
    copies of arrays that the freshly fitted one shared, so its pickle is
    larger though it is the same model.
    """
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
