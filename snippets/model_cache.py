"""Fit a scikit-learn model once, keep it on disk, and reuse it.

Some fits on MNIST take minutes, and so do some predictions (a kernel SVM or
k-nearest neighbours on 10,000 test images) and cross-validations.
``fit(model, X, y)`` fits a fresh copy of ``model`` and keeps it under
``.cache/models/`` (or the folder in ``MODEL_CACHE``); ``remember(f, ...)``
does the same for the result of any call, such as ``model.predict`` or
``cross_val_score``. Each is keyed by everything that determines the result:
the model's class and parameters or the function's code, the exact arrays
passed, the versions of scikit-learn and NumPy, the machine code they were
told to use and the number of BLAS threads (a sum split over two threads
rounds differently from one over one). The next call with the same inputs,
from any chapter, loads the result instead of computing it again; two
processes that need the same result at once (the site can run chapters side
by side) wait for one computation.

Warnings raised the first time (a ConvergenceWarning, say) are kept and raised
again on loading, so you see the same output either way. So are the seconds
the first computation took: a page shows the time the work took, not the time
it took to load.

What a function reads other than its arguments (a global variable, a file) is
not part of the key: pass it as an argument.

The cache holds pickles, which can run code when loaded: only ever load a
cache you made.
"""

import marshal
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
    """Return ``(fitted_model, fit_seconds)``; ``model`` is left unfitted."""
    key = joblib.hash([
        type(model).__module__, type(model).__qualname__,
        model.get_params(deep=True), sklearn.__version__, np.__version__, X, y,
        *_machine(),
    ])
    path = CACHE_DIR / f"{type(model).__name__}-{key}.joblib"
    return _load_or_compute(path, lambda: clone(model).fit(X, y))


def remember(function, *args, **kwargs):
    """Return ``(function(*args, **kwargs), seconds)``, computed only once.

    For example ``remember(model.predict, X_test)`` or
    ``remember(cross_val_score, model, X, y, cv=5)``.
    """
    key = joblib.hash([
        _identity(function), args, kwargs,
        sklearn.__version__, np.__version__, *_machine(),
    ])
    name = getattr(function, "__qualname__", type(function).__qualname__)
    path = CACHE_DIR / f"{name.replace('<', '').replace('>', '')}-{key}.joblib"
    return _load_or_compute(path, lambda: function(*args, **kwargs))


def blas_threads():
    """The thread count of each BLAS library loaded, e.g. ``[2]``."""
    return [lib["num_threads"] for lib in threadpool_info()
            if lib["user_api"] == "blas"]


def _machine():
    # which machine code does the arithmetic (see snippet_engine/numerics.py)
    return [os.environ.get("OPENBLAS_CORETYPE"),
            os.environ.get("NPY_DISABLE_CPU_FEATURES"), blas_threads()]


def _identity(function):
    """What decides a call's result besides its arguments: for a method, the
    object it belongs to (a fitted model, with all it learned); for a function,
    its name and its compiled code, so that editing it computes afresh."""
    if hasattr(function, "__self__") and hasattr(function, "__func__"):
        return [_identity(function.__func__), function.__self__]
    code = getattr(function, "__code__", None)
    if code is None:  # a class or a C function: its name says it all
        return [getattr(function, "__module__", None),
                getattr(function, "__qualname__", repr(function))]
    return [function.__module__, function.__qualname__, _code(code)]


def _code(code):
    """A code object's instructions and constants, without the file name and
    line numbers (a notebook and a script of the same code agree)."""
    constants = [_code(c) if hasattr(c, "co_code") else marshal.dumps(c)
                 for c in code.co_consts]
    return [code.co_code, code.co_names, code.co_varnames, constants]


@contextmanager
def only_one_at_a_time(path):
    """Hold a lock next to ``path``: a second process asking for the same
    result waits for the first one to compute it, then loads it. (Where
    ``fcntl`` is missing, as on Windows, it computes again instead.)"""
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


def _load_or_compute(path, compute):
    with only_one_at_a_time(path):
        if not path.exists():
            _compute_and_save(path, compute)
        # Always the stored copy, also right after computing it: the first
        # run and every later one then hold the very same object.
        result, seconds, caught = joblib.load(path)
    for message, category, filename, lineno in caught:
        warnings.warn_explicit(message, category, filename, lineno)
    return result, seconds


def _compute_and_save(path, compute):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        result = compute()
        seconds = time.perf_counter() - started
    caught = [(str(w.message), w.category, w.filename, w.lineno)
              for w in caught]
    partial = path.with_name(path.name + ".partial")
    joblib.dump((result, seconds, caught), partial)
    os.replace(partial, path)  # a crash mid-write leaves no broken file
