"""Fit a scikit-learn model once, keep it on disk, and reuse it.

Some fits on MNIST take minutes. ``fit(model, X, y)`` fits a fresh copy of ``model`` and saves
it under ``.cache/models/`` (or the folder in ``MODEL_CACHE``), keyed by everything that
determines the result: the model's class and parameters, the exact training arrays, the
versions of scikit-learn and NumPy, and the machine code they were told to use. The next call with the same inputs, from any chapter,
loads it instead of fitting again.

Warnings raised by the fit (a ConvergenceWarning, say) are kept with the model and raised
again when it is loaded, so you see the same output either way. The seconds the original fit
took are kept too.

The cache holds pickles, which can run code when loaded: only ever load a cache you made.
"""

import os
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.base import clone

CACHE_DIR = Path(os.environ.get("MODEL_CACHE", ".cache/models"))


def fit(model, X, y):
    """Return ``(fitted_model, fit_seconds)``; the model passed in is left unfitted."""
    key = joblib.hash([
        type(model).__module__, type(model).__qualname__, model.get_params(deep=True),
        sklearn.__version__, np.__version__, X, y,
        # which machine code does the arithmetic (see snippet_engine.PINNED_NUMERICS)
        os.environ.get("OPENBLAS_CORETYPE"), os.environ.get("NPY_DISABLE_CPU_FEATURES"),
    ])
    path = CACHE_DIR / f"{type(model).__name__}-{key}.joblib"
    if path.exists():
        fitted, seconds, caught = joblib.load(path)
    else:
        fitted = clone(model)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = time.perf_counter()
            fitted.fit(X, y)
            seconds = time.perf_counter() - started
        caught = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        joblib.dump((fitted, seconds, caught), partial)
        os.replace(partial, path)  # a crash mid-write never leaves a broken model behind
    for message, category, filename, lineno in caught:
        warnings.warn_explicit(message, category, filename, lineno)
    return fitted, seconds
