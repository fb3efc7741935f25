"""snippets/model_cache.py: a fit or a call runs once, and only an identical one reuses it."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from site_support import ROOT

sys.path.insert(0, str(ROOT / "snippets"))
import model_cache  # noqa: E402


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(model_cache, "CACHE_DIR", tmp_path / "models")
    return tmp_path / "models"


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 4))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


def define(source, filename="chapter.py"):
    """A function ``twice`` compiled from ``source``, as a chapter would define it."""
    namespace = {"__name__": "__main__"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["twice"]


CALLS = []


def counted(a, b=1):
    CALLS.append((a, b))
    return np.full(3, a * b)


def test_a_call_runs_once_and_returns_its_first_result_and_seconds(cache):
    CALLS.clear()
    first = model_cache.remember(counted, 2, b=3)
    again = model_cache.remember(counted, 2, b=3)
    assert CALLS == [(2, 3)]
    assert np.array_equal(first[0], [6, 6, 6]) and np.array_equal(again[0], first[0])
    assert again[1] == first[1] >= 0
    assert [p.name.split("-")[0] for p in cache.glob("*.joblib")] == ["counted"]


def test_other_arguments_or_keywords_compute_afresh():
    CALLS.clear()
    model_cache.remember(counted, 2, b=3)
    model_cache.remember(counted, 3, b=3)
    model_cache.remember(counted, 2, b=4)
    model_cache.remember(counted, np.arange(3))
    model_cache.remember(counted, np.arange(3) + 0.0)  # same values, other dtype
    assert len(CALLS) == 5


def test_an_edited_function_computes_afresh_but_a_moved_one_does_not(cache):
    original = define("def twice(x):\n    return 2 * x\n")
    edited = define("def twice(x):\n    return 3 * x\n")
    # the same code lower down in another file, as in the notebook download
    moved = define("\n\n\ndef twice(x):\n    return 2 * x\n", filename="chapter.ipynb")
    assert model_cache.remember(original, 5)[0] == 10
    assert model_cache.remember(edited, 5)[0] == 15
    assert model_cache.remember(moved, 5)[0] == 10
    assert len(list(cache.glob("twice-*.joblib"))) == 2


def test_predictions_of_a_model_fitted_now_and_of_it_loaded_later_share_one_entry(cache):
    X, y = data()
    fitted, _ = model_cache.fit(LogisticRegression(), X, y)
    first, _ = model_cache.remember(fitted.predict, X)
    loaded, _ = model_cache.fit(LogisticRegression(), X, y)
    again, _ = model_cache.remember(loaded.predict, X)
    assert np.array_equal(first, again)
    assert len(list(cache.glob("*.predict-*.joblib"))) == 1
    other, _ = model_cache.fit(LogisticRegression(C=0.01), X, y)
    model_cache.remember(other.predict, X)  # another model: its own predictions
    assert len(list(cache.glob("*.predict-*.joblib"))) == 2


def test_a_library_function_is_keyed_by_its_arguments(cache):
    X, y = data()
    folds, _ = model_cache.remember(cross_val_score, LogisticRegression(), X, y, cv=3)
    assert np.array_equal(folds, cross_val_score(LogisticRegression(), X, y, cv=3))
    model_cache.remember(cross_val_score, LogisticRegression(C=0.01), X, y, cv=3)
    assert len(list(cache.glob("cross_val_score-*.joblib"))) == 2


def warns(x):
    warnings.warn(f"careful with {x}", UserWarning)
    return x


def test_warnings_of_the_first_call_are_raised_again_when_loaded():
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert model_cache.remember(warns, 7)[0] == 7
        assert [str(w.message) for w in caught] == ["careful with 7"]


def test_a_failed_call_stores_nothing(cache):
    with pytest.raises(ZeroDivisionError):
        model_cache.remember(lambda x: 1 / x, 0)
    assert not list(cache.glob("*.joblib"))
