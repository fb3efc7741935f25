"""Train a Keras network once, keep it on disk, and reuse it; score it for
the leaderboard.

``train(network, x, y, seed=..., epochs=..., ...)`` trains a compiled network
and saves it in the Keras format under ``.cache/models/`` (or the folder in
``MODEL_CACHE``), keyed by everything that determines the result: the layers,
the optimizer and loss, the initial weights (which the seed set before
building made), the training arrays, the seed for shuffling and dropout, the
fit arguments, the versions of Keras and PyTorch, the machine code PyTorch was
told to use, its thread count and the environment's thread counts (with
``torch.set_num_threads(2)`` in both runs, one and two OpenMP threads in the
environment trained different weights). The next call with the same inputs
loads the trained copy and the history and seconds of the original run; a
second process asking for the same network meanwhile waits for the first
one's training (``model_cache.only_one_at_a_time``).

The Keras format holds no code to run: it is a zip of a JSON config and
weights, loaded with Keras's safe mode on.
"""

import json
import os
import time
from pathlib import Path

import joblib
import keras
import numpy as np
import torch

from leaderboard import row
from model_cache import only_one_at_a_time

CACHE_DIR = Path(os.environ.get("MODEL_CACHE", ".cache/models"))
# the machine code PyTorch's kernels were pinned to, and the thread counts
# its helper threads start with (see snippet_engine/numerics.py)
TORCH_PINS = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "MKL_CBWR",
              "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def train(network, x, y, *, seed, **fit_args):
    """Return ``(trained_network, history, seconds)``; ``history`` maps a
    metric to its epochs."""
    key = joblib.hash([
        network.to_json(),
        json.dumps(network.get_compile_config(), sort_keys=True, default=str),
        network.get_weights(), x, y, seed, fit_args,
        keras.__version__, torch.__version__, torch.get_num_threads(),
        [os.environ.get(name) for name in TORCH_PINS],
    ])
    path = CACHE_DIR / f"network-{key}.keras"
    with only_one_at_a_time(path):
        return _load_or_train(path, network, x, y, seed, fit_args)


def _load_or_train(path, network, x, y, seed, fit_args):
    record = path.with_suffix(".json")
    if path.exists() and record.exists():
        trained = keras.saving.load_model(path, safe_mode=True)
        saved = json.loads(record.read_text())
        return trained, saved["history"], saved["seconds"]
    keras.utils.set_random_seed(seed)  # shuffling and dropout draw from it
    started = time.perf_counter()
    history = network.fit(x, y, verbose=0, **fit_args).history
    seconds = time.perf_counter() - started
    history = {name: [float(v) for v in values]
               for name, values in history.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}-partial.keras")
    network.save(partial)
    # a crash mid-write never leaves a broken network behind
    os.replace(partial, path)
    record.write_text(json.dumps({"history": history, "seconds": seconds}))
    return network, history, seconds


class _Classifier:
    """What leaderboard.row expects of a model: labels from predict(), arrays
    in its state."""

    def __init__(self, network):
        self.network = network

    def predict(self, x):
        return np.argmax(
            self.network.predict(x, batch_size=1000, verbose=0), axis=1)

    def __getstate__(self):
        # what it is (layers, weights) and what computes with it: the model
        # cache keys its predictions on this
        return {"layers": self.network.to_json(),
                "weights": self.network.get_weights(),
                "threads": torch.get_num_threads()}


def leaderboard_row(name, features, network, fit_seconds, x_train, x_test,
                    y_test):
    """``leaderboard.row`` for a Keras network: ``(row, predicted labels)``."""
    return row(name, features, _Classifier(network), fit_seconds, x_train,
               x_test, y_test)
