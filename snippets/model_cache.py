"""Fit a scikit-learn model once, keep it on disk, and reuse it.

Some fits on MNIST take minutes. ``fit(model, X, y)`` fits a fresh copy of ``model`` and saves
it under ``.cache/models/`` (or the folder in ``MODEL_CACHE``), keyed by everything that
determines the result: the model's class and parameters, the exact training arrays, the
versions of scikit-learn and NumPy, the machine code they were told to use and the number of
BLAS threads (a sum split over two threads rounds differently from one over one). The next
call with the same inputs, from any chapter, loads it instead of fitting again; two processes
that need the same model at once (the site runs chapters side by side) wait for one fit.

Warnings raised by the fit (a ConvergenceWarning, say) are kept with the model and raised
again when it is loaded, so you see the same output either way. The seconds the original fit
took are kept too.

The cache holds pickles, which can run code when loaded: only ever load a cache you made.
"""

import os
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.base import clone
from threadpoolctl import threadpool_info

CACHE_DIR = Path(os.environ.get("MODEL_CACHE", ".cache/models"))


def fit(model, X, y):
    """Return ``(fitted_model, fit_seconds)``; the model passed in is left unfitted."""
    key = joblib.hash([
        type(model).__module__, type(model).__qualname__, model.get_params(deep=True),
        sklearn.__version__, np.__version__, X, y,
        # which machine code does the arithmetic (see snippet_engine/numerics.py)
        os.environ.get("OPENBLAS_CORETYPE"), os.environ.get("NPY_DISABLE_CPU_FEATURES"),
        blas_threads(),
    ])
    path = CACHE_DIR / f"{type(model).__name__}-{key}.joblib"
    with only_one_fit(path):
        fitted, seconds, caught = _load_or_fit(path, model, X, y)
    for message, category, filename, lineno in caught:
        warnings.warn_explicit(message, category, filename, lineno)
    return fitted, seconds


def blas_threads():
    """The thread count of each BLAS library loaded, e.g. ``[2]``."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@contextmanager
def only_one_fit(path):
    """Hold a lock next to ``path``: a second process asking for the same model waits for
    the first one's fit, then loads it. (Where ``fcntl`` is missing, as on Windows, it
    fits again instead of waiting.)"""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load_or_fit(path, model, X, y):
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
    return fitted, seconds, caught
