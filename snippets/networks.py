"""Score a trained Keras network for the site's leaderboard.

The CNN chapter trains its networks with Keras's own ``fit``, on the page; its
site section (which the page and the downloads leave out) turns each trained
network into a leaderboard row with ``leaderboard_row``. The row's predictions
go through ``leaderboard.row``, and so through the model cache, keyed by the
network's layers and weights and PyTorch's thread count.
"""

import numpy as np
import torch

from leaderboard import row


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
