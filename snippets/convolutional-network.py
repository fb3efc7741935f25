"""
A convolutional network
=======================

Every model so far saw an image as 784 separate numbers. A convolutional
network looks at small patches, with the same few filters slid across the whole
image, so a stroke is a stroke wherever it is. This chapter trains the classic
small network, then a deeper one, with Keras on PyTorch, on the CPU, choosing
on validation images and scoring on the test set once. Run it from a folder
holding ``data/mnist.npz``, after ``pip install keras torch``; its two
trainings take minutes.
"""

# %% setup
import os

# Keras runs on several engines: choose PyTorch before importing keras (without
# it, Keras looks for TensorFlow). One OpenMP and BLAS thread for the
# libraries' helper threads, as this page's run used, set before they load.
os.environ.update(KERAS_BACKEND="torch", OMP_NUM_THREADS="1",
                  OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from keras import layers

# PyTorch's own threads split sums differently: 2 made the numbers on this page
torch.set_num_threads(2)

# the official split: 60,000 training and 10,000 test images
with np.load("data/mnist.npz") as mnist:
    x_train, y_train = mnist["x_train"], mnist["y_train"]
    x_test, y_test = mnist["x_test"], mnist["y_test"]
# Keras wants a channel axis (grey images have one) and floats; 0..1 trains
# well.
x_train = x_train[..., np.newaxis].astype("float32") / 255
x_test = x_test[..., np.newaxis].astype("float32") / 255
# The last 10,000 training images are held out to watch training and compare
# the networks: the test set is used once, at the end.
x_train, x_val = x_train[:50_000], x_train[50_000:]
y_train, y_val = y_train[:50_000], y_train[50_000:]
print("train", x_train.shape, " validation", x_val.shape,
      " test", x_test.shape)

# %% simple
keras.utils.set_random_seed(42)  # the initial weights
simple = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    # 32 filters of 3 x 3 pixels
    layers.Conv2D(32, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),  # keep the strongest of each 2 x 2
    layers.Conv2D(64, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Flatten(),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),  # ten probabilities
])
simple.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
               metrics=["accuracy"])


def layer_table(network):
    return pd.DataFrame(
        [(layer.name, str(layer.output.shape[1:]), layer.count_params())
         for layer in network.layers],
        columns=["layer", "output shape", "parameters"]).set_index("layer")


simple_parameters = simple.count_params()
print(layer_table(simple).to_string())
print(f"{simple_parameters:,} parameters")

# %% train-simple
keras.utils.set_random_seed(0)  # the order of the images in each epoch
started = time.perf_counter()
simple_history = simple.fit(x_train, y_train, epochs=5, batch_size=32,
                            validation_data=(x_val, y_val),
                            verbose=0).history
simple_seconds = time.perf_counter() - started
simple_epochs = len(simple_history["loss"])
print(pd.DataFrame(simple_history,
                   index=pd.RangeIndex(1, simple_epochs + 1, name="epoch"))
      .round(4).to_string())

# %% curves
def plot_curves(history, title):
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    left.plot(epochs, history["loss"], "o-", label="training")
    left.plot(epochs, history["val_loss"], "s--", label="validation")
    left.set(xlabel="epoch", ylabel="cross-entropy loss", xticks=epochs)
    right.plot(epochs, history["accuracy"], "o-", label="training")
    right.plot(epochs, history["val_accuracy"], "s--", label="validation")
    right.set(xlabel="epoch", ylabel="accuracy", xticks=epochs)
    right.legend()
    fig.suptitle(title)
    plt.show()


plot_curves(simple_history, "The small network, epoch by epoch")

# Overfitting is a validation loss that climbs while the training loss
# falls: after which epochs did it go up, and where was it lowest?
val_loss = np.array(simple_history["val_loss"])
val_loss_rose_after = ", ".join(
    str(epoch) for epoch in np.flatnonzero(np.diff(val_loss) > 0) + 1)
lowest_val_loss_epoch = int(val_loss.argmin()) + 1
print(f"validation loss went up after epoch: {val_loss_rose_after or 'none'}")
print(f"lowest validation loss: epoch {lowest_val_loss_epoch} "
      f"of {simple_epochs}")

# %% confusion
from matplotlib.colors import ListedColormap
from sklearn.metrics import ConfusionMatrixDisplay

# Mistakes are studied on the validation images too: the test set stays
# unseen until the end.
simple_val_predicted = simple.predict(x_val, batch_size=1000,
                                      verbose=0).argmax(axis=1)
simple_val_errors = int((simple_val_predicted != y_val).sum())
# the lighter 60 % of the colour map, so that black counts stay readable
light_blues = ListedColormap(plt.get_cmap("Blues")(np.linspace(0, 0.6, 256)))
fig, ax = plt.subplots(figsize=(5.5, 5))
ConfusionMatrixDisplay.from_predictions(
    y_val, simple_val_predicted, ax=ax, colorbar=False, cmap=light_blues,
    text_kw={"color": "black"})
ax.set_title("The small network on the 10,000 validation digits")
plt.show()

# %% mistakes
def show_mistakes(images, labels, predicted, count=16):
    wrong = np.flatnonzero(predicted != labels)[:count]
    fig, axes = plt.subplots(2, count // 2, figsize=(count // 2 * 1.1, 2.9))
    for ax, index in zip(axes.flat, wrong):
        ax.imshow(images[index, :, :, 0], cmap="binary")
        ax.set_title(f"{labels[index]} → {predicted[index]}", fontsize=9)
        ax.axis("off")
    plt.show()


show_mistakes(x_val, y_val, simple_val_predicted)

# %% deeper
def conv_block(filters):
    # The convolution needs no bias: batch normalisation adds its own shift
    # right after.
    return [layers.Conv2D(filters, kernel_size=3, padding="same",
                          use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("relu")]


keras.utils.set_random_seed(42)
deeper = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    # Light augmentation, in training only: shift each image by up to
    # 0.08 x 28 = 2.24 pixels, to whole pixels ("nearest": no blending).
    layers.RandomTranslation(height_factor=0.08, width_factor=0.08,
                             fill_mode="constant", interpolation="nearest"),
    *conv_block(16), *conv_block(16), layers.MaxPooling2D(pool_size=2),
    *conv_block(32), *conv_block(32), layers.MaxPooling2D(pool_size=2),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.4),
    layers.Dense(10, activation="softmax"),
])
deeper_epochs, batch_size = 6, 128
steps = deeper_epochs * int(np.ceil(len(x_train) / batch_size))
# Warm up for the first tenth of the steps, then let the learning rate fall
# along a cosine.
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=1e-4, warmup_target=3e-3, warmup_steps=steps // 10,
    decay_steps=steps - steps // 10)
deeper.compile(optimizer=keras.optimizers.Adam(schedule),
               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
deeper_parameters = deeper.count_params()
print(layer_table(deeper).to_string())
print(f"{deeper_parameters:,} parameters")

# %% train-deeper
# The order of the images in each epoch. The shifts and the dropout draw
# from seeds their layers took when they were built, under seed 42 above.
keras.utils.set_random_seed(0)
started = time.perf_counter()
deeper_history = deeper.fit(x_train, y_train, epochs=deeper_epochs,
                            batch_size=batch_size,
                            validation_data=(x_val, y_val),
                            verbose=0).history
deeper_seconds = time.perf_counter() - started
print(pd.DataFrame(deeper_history,
                   index=pd.RangeIndex(1, deeper_epochs + 1, name="epoch"))
      .round(4).to_string())
plot_curves(deeper_history, "The deeper network, epoch by epoch")

# %% compare
from scipy.stats import binomtest

# Choose on validation: which network misreads fewer validation digits?
networks = {"small": simple, "deeper": deeper}
histories = {"small": simple_history, "deeper": deeper_history}
val_predicted = {name: network.predict(x_val, batch_size=1000,
                                       verbose=0).argmax(axis=1)
                 for name, network in networks.items()}
comparison = pd.DataFrame({
    "parameters": [network.count_params() for network in networks.values()],
    "epochs": [len(history["loss"]) for history in histories.values()],
    "validation accuracy": [(predicted == y_val).mean()
                            for predicted in val_predicted.values()],
    "validation errors": [int((predicted != y_val).sum())
                          for predicted in val_predicted.values()],
}, index=pd.Index(list(networks), name="network"))
print(comparison.round(4).to_string())
kept = comparison["validation errors"].idxmin()
print(f"kept: the {kept} network")
# McNemar's exact test on the validation digits only one network misreads:
# were the two equally good, each would be either's mistake with even odds
val_wrong = {name: predicted != y_val
             for name, predicted in val_predicted.items()}
only_small_val = int((val_wrong["small"] & ~val_wrong["deeper"]).sum())
only_deeper_val = int((val_wrong["deeper"] & ~val_wrong["small"]).sum())
val_p = binomtest(only_small_val, only_small_val + only_deeper_val).pvalue
print(f"validation digits misread by the small network only: "
      f"{only_small_val}, by the deeper only: {only_deeper_val}, "
      f"McNemar p = {val_p:.1e}")
simple_val_accuracy, deeper_val_accuracy = (
    comparison["validation accuracy"].tolist())
deeper_val_errors = int(comparison.loc["deeper", "validation errors"])

# %% test
# The test set, once, for both: the scores to report.
test_predicted = {name: network.predict(x_test, batch_size=1000,
                                        verbose=0).argmax(axis=1)
                  for name, network in networks.items()}
simple_wrong = test_predicted["small"] != y_test
deeper_wrong = test_predicted["deeper"] != y_test
simple_errors, deeper_errors = int(simple_wrong.sum()), int(deeper_wrong.sum())
simple_accuracy = 1 - simple_errors / len(y_test)
deeper_accuracy = 1 - deeper_errors / len(y_test)
both_wrong = int((simple_wrong & deeper_wrong).sum())
only_deeper_wrong = int((deeper_wrong & ~simple_wrong).sum())
only_simple_wrong = int((simple_wrong & ~deeper_wrong).sum())
intervals = {}
for name, errors in [("small", simple_errors), ("deeper", deeper_errors)]:
    # a 95 % interval (Wilson's) for the accuracy on images like these
    intervals[name] = binomtest(len(y_test) - errors,
                                len(y_test)).proportion_ci(method="wilson")
    print(f"{name}: {1 - errors / len(y_test):.4f} ({errors} test errors), "
          f"95% interval {intervals[name].low:.4f} to "
          f"{intervals[name].high:.4f}")
print(f"misread by both: {both_wrong}; by the small one only: "
      f"{only_simple_wrong}; by the deeper one only: {only_deeper_wrong}")
# McNemar's exact test: were the two networks equally accurate, each image
# only one of them misreads would be either's mistake with even odds
networks_p = binomtest(only_simple_wrong,
                       only_simple_wrong + only_deeper_wrong).pvalue
print(f"McNemar's test: p = {networks_p:.1e}")
show_mistakes(x_test, y_test, test_predicted["deeper"])

# %% save
from pathlib import Path

Path("models").mkdir(exist_ok=True)
# a zip of the layers' config (JSON) and the weights
deeper.save("models/digit-cnn.keras")
# safe mode (the default): no Lambda layer's Python code is run
reloaded = keras.saving.load_model("models/digit-cnn.keras")

digit = x_val[:1]  # one validation image, kept as a batch of one
before = deeper.predict(digit, verbose=0)
after = reloaded.predict(digit, verbose=0)
print("label:", y_val[0], " predicted before saving:", before.argmax(),
      " after loading:", after.argmax())
print("same probabilities, to the last bit:", np.array_equal(before, after))

# %% original-input-shape
import warnings

# The source tutorial gave its first layer the input's shape. (This runs
# after both networks are built: an extra layer earlier would shift the
# automatic layer names, conv2d_2 and so on, that their tables show.)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    layers.Conv2D(32, kernel_size=3, activation="relu",
                  input_shape=(28, 28, 1))
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")

# %% original-h5
import tempfile
from unittest import TestCase

# The source tutorial's hint for saving the network names an .h5 file. Keras
# logs its notice (with the logging module, not as a Python warning):
# assertLogs catches it.
with tempfile.TemporaryDirectory() as folder:
    with TestCase().assertLogs("absl", level="WARNING") as logged:
        deeper.save(f"{folder}/digit-cnn.h5")
for record in logged.records:
    print(f"{record.levelname}: {record.getMessage().strip()}")

# %% export
import hashlib
import json


def export_weights(network, stem):
    """Write the network as plain numbers: ``stem.json`` (the layers) and
    ``stem.bin``.

    Only what prediction needs: augmentation and dropout do nothing then, and
    each batch normalisation is folded into the convolution before it (a scale
    and a shift).
    """
    specs, blobs = [], []

    def add(array):  # append an array to the .bin file; return where it sits
        offset = sum(blob.size for blob in blobs)
        blobs.append(np.asarray(array, dtype="<f4").ravel())
        return {"offset": offset, "shape": list(np.shape(array))}

    # a convolution, until its batch normalisation and activation are known
    pending = []

    def flush():
        for conv in pending:
            specs.append({**conv, "kernel": add(conv["kernel"]),
                          "bias": add(conv["bias"])})
        pending.clear()

    for layer in network.layers:
        kind = type(layer).__name__
        weights = [w.astype("float64") for w in layer.get_weights()]
        if kind == "BatchNormalization":
            conv = pending[-1]
            gamma, beta, mean, variance = weights
            scale = gamma / np.sqrt(variance + layer.epsilon)
            conv["kernel"] = conv["kernel"] * scale
            conv["bias"] = (conv["bias"] - mean) * scale + beta
            continue
        if kind == "Activation":
            pending[-1]["activation"] = layer.activation.__name__
            continue
        flush()
        if kind == "Conv2D":
            kernel = weights[0]
            bias = weights[1] if layer.use_bias else np.zeros(kernel.shape[-1])
            pending.append({"op": "conv2d", "padding": layer.padding,
                            "activation": layer.activation.__name__,
                            "kernel": kernel, "bias": bias})
        elif kind == "Dense":
            specs.append({"op": "dense",
                          "activation": layer.activation.__name__,
                          "kernel": add(weights[0]),
                          "bias": add(weights[1])})
        elif kind == "MaxPooling2D":
            specs.append({"op": "maxpool2d", "size": layer.pool_size[0]})
        elif kind == "Flatten":
            specs.append({"op": "flatten"})
        # both idle at prediction time
        elif kind not in ("RandomTranslation", "Dropout"):
            raise ValueError(f"no export for a {kind} layer")
    flush()
    weights = np.concatenate(blobs)
    Path(f"{stem}.bin").write_bytes(weights.tobytes())
    Path(f"{stem}.json").write_text(json.dumps(
        {"input": [28, 28, 1], "dtype": "float32",
         "weights": Path(f"{stem}.bin").name,
         "layers": specs}, indent=1) + "\n")
    return weights


exported = export_weights(deeper, "models/digit-cnn")
exported_sha256 = hashlib.sha256(exported.tobytes()).hexdigest()
print(f"{exported.size:,} numbers, {exported.nbytes / 1e6:.2f} MB; "
      f"sha256 {exported_sha256[:16]}…")

# %% leaderboard tags=["site"]
from leaderboard import network_row

leaderboard = pd.DataFrame([
    network_row("CNN, 2 convolutions (Keras)", "pixels", simple,
                simple_seconds, x_train, x_test, y_test)[0],
    network_row("CNN, 4 convolutions + batch norm (Keras)",
                "pixels, shifted in training",
                deeper, deeper_seconds, x_train, x_test, y_test)[0],
]).set_index("model")

# %% claims tags=["site"]
# What the page's sentences state about this run, checked by every build
def first(network, kind):
    return next(layer for layer in network.layers if isinstance(layer, kind))


simple_dense = first(simple, layers.Dense).count_params()
deeper_dense = first(deeper, layers.Dense).count_params()
simple_flat = first(simple, layers.Flatten).output.shape[-1]
deeper_flat = first(deeper, layers.Flatten).output.shape[-1]
first_rise = (int(np.flatnonzero(np.diff(val_loss) > 0)[0]) + 1
              if val_loss_rose_after else None)
claims = {
    "simple_dense_holds_most": simple_dense > simple_parameters / 2,
    "deeper_dense_holds_most": deeper_dense > deeper_parameters / 2,
    "simple_dense_reads_more_inputs": simple_flat > deeper_flat,
    "val_loss_rise_did_not_last": bool(
        first_rise is not None and lowest_val_loss_epoch > first_rise + 1),
    "first_epoch_val_above_train": bool(
        simple_history["val_accuracy"][0] > simple_history["accuracy"][0]),
    "deeper_fewer_validation_errors": bool(
        kept == "deeper" and deeper_val_accuracy > simple_val_accuracy),
    "deeper_fewer_test_errors": deeper_errors < simple_errors,
    "deeper_not_better_on_every_digit": only_deeper_wrong > 0,
    "deeper_better_not_by_chance": bool(
        only_deeper_wrong < only_simple_wrong and networks_p < 0.01),
    "deeper_better_on_validation_not_by_chance": bool(
        only_deeper_val < only_small_val and val_p < 0.01),
}
