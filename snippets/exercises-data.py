"""
Exercises 1–5: the data
=======================

Worked solutions to the first five exercises: MNIST in three libraries'
layouts, random digits, the share of each digit, other scalers, and one-hot
labels with Keras. Each exercise is stated first, then solved; the cells share
one namespace, so run them in order. Run it from a folder holding
``data/mnist.npz``, after the install line of its "Run these exercises
yourself" box.
"""

# %% [markdown]
# ## Exercise 1: MNIST in three libraries' layouts
#
# The chapters read MNIST from one file, `data/mnist.npz`, with NumPy.
# Libraries hand it to you in other layouts: scikit-learn's
# `fetch_openml("mnist_784", as_frame=False)` as one table, Keras's
# `keras.datasets.mnist.load_data()` as four arrays, PyTorch's `DataLoader`
# as batches of tensors. Put the file's digits in each layout. How do they
# differ?

# %% ex01-another-library
import os

# One BLAS and OpenMP thread, as this page's run used, set before NumPy and
# scikit-learn load their libraries so that all of them follow it: the
# thread count decides the order of sums, and so the last digits of long fits
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")

import numpy as np

# Keras's layout. keras.datasets.mnist.load_data() downloads a file mnist.npz
# once (into ~/.keras/datasets/) and returns its four arrays: what NumPy
# reads from this site's file, which has the same four array names.
with np.load("data/mnist.npz") as archive:
    (x_train, y_train), (x_test, y_test) = (
        (archive["x_train"], archive["y_train"]),
        (archive["x_test"], archive["y_test"]))
print("Keras:       ", x_train.shape, x_test.shape, x_train.dtype,
      "labels", y_train[:5])

# scikit-learn's layout. fetch_openml("mnist_784", version=1,
# as_frame=False, parser="liac-arff") (the default parser fails with the
# pinned pandas) returns one table, the training images then the test
# images, a row of 784 pixels each (as 64-bit numbers), and the labels as
# strings in an array of Python objects. The same table, from the arrays
# above, its pixels kept as bytes:
X = np.concatenate([x_train, x_test]).reshape(-1, 28 * 28)
y = np.concatenate([y_train, y_test]).astype(str).astype(object)
print("scikit-learn:", X.shape, X.dtype, "labels", y[:5], y.dtype)
print("a string label is not a number: y[0] == 5 is", y[0] == 5)

# PyTorch's layout, as torchvision's MNIST with ToTensor() and a DataLoader
# gives it: batches of float tensors with a channel axis, pixels 0 to 1. The
# shuffle here draws from a seeded generator: the same batches on every run.
import torch
from torch.utils.data import DataLoader, TensorDataset

dataset = TensorDataset(
    torch.from_numpy(x_train).unsqueeze(1).float() / 255,
    torch.from_numpy(y_train).long())
loader = DataLoader(dataset, batch_size=64, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
images, labels = next(iter(loader))
print("PyTorch:     ", tuple(images.shape), images.dtype,
      "labels", labels[:5].tolist())

# %% [markdown]
# **What it shows.** The same digits come packaged three ways: one flat table
# of pixels with string labels, the training images first; four arrays, two
# stacks of 28 × 28 bytes and two of integer labels; or shuffled batches of
# float tensors from 0 to 1 with a channel axis. A label from the table must
# be converted (`y.astype(np.uint8)`) before it compares with a number.

# %% [markdown]
# ## Exercise 2: show random digits
#
# Draw ten training digits picked at random, each with its label as a title.
# Make the choice repeatable, so that running the notebook again shows the
# same ten.

# %% ex02-random-digits
import matplotlib.pyplot as plt

# a seed: the same "random" digits on every run
rng = np.random.default_rng(seed=2)
picks = rng.choice(len(x_train), size=10, replace=False)
fig, axes = plt.subplots(
    2, 5, figsize=(8, 3.8),
    num="Ten random training digits, each titled with its index and label")
for ax, index in zip(axes.flat, picks):
    ax.imshow(x_train[index], cmap="binary")
    ax.set_title(f"image {index}: {y_train[index]}", fontsize=9)
    ax.axis("off")
plt.show()
print("labels of the random picks:", y_train[picks].tolist())

# %% [markdown]
# **What it shows.** A seeded generator makes "random" repeatable: every run
# draws the same ten images, whose indices are in the titles, and another
# seed draws another ten.

# %% [markdown]
# ## Exercise 3: the share of each digit
#
# What percentage of the training images shows each digit, and of the test
# images? Is MNIST balanced enough that accuracy is a fair score?

# %% ex03-class-percentages
import pandas as pd

shares = pd.DataFrame({
    "training %": (pd.Series(y_train).value_counts(normalize=True)
                   .sort_index() * 100),
    "test %": (pd.Series(y_test).value_counts(normalize=True)
               .sort_index() * 100),
})
shares.index.name = "digit"
print(shares.round(2).to_string())
rarest, commonest = (shares["training %"].idxmin(),
                     shares["training %"].idxmax())
print(f"rarest digit: {rarest} ({shares['training %'].min():.2f} %), "
      f"commonest: {commonest} ({shares['training %'].max():.2f} %), "
      f"a perfectly even split would give each 10 %")

# %% [markdown]
# **What it shows.** Every digit's share is close to an even tenth, in the
# training and the test images alike (the last line gives the extremes), so
# a model that always answered the commonest digit would score exactly that
# digit's share of the images it is scored on, about 11 %: accuracy is a
# fair score here, and per-digit recall (the share of each digit's images
# read right; see A first classifier) will still show which digits are read
# worst.

# %% [markdown]
# ## Exercise 4: other scalers
#
# The scaling chapter compared `StandardScaler` and `MinMaxScaler` in front of
# a logistic regression. Try other scalers from `sklearn.preprocessing` in
# the same place and compare them. This is a choice, so make it on
# validation images, not on the test set: to keep it quick, train on 5,000
# training images, with the solver capped at 200 iterations, and score on
# 5,000 other training images held out. Is the worst scaler worse by more
# than chance?

# %% ex04-other-scalers
import time

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, Normalizer,
                                   RobustScaler, StandardScaler)

X_train, X_test = (x_train.reshape(-1, 28 * 28),
                   x_test.reshape(-1, 28 * 28))
# 10,000 training images: 5,000 to fit, 5,000 held out to compare on
picked = np.random.default_rng(seed=4).choice(len(X_train), size=10_000,
                                              replace=False)
subset, held_out = picked[:5_000], picked[5_000:]
scaler_rows, right = {}, {}
for scaler in [StandardScaler(), MinMaxScaler(), MaxAbsScaler(),
               RobustScaler(), Normalizer()]:
    pipeline = make_pipeline(scaler, LogisticRegression(max_iter=200))
    started = time.perf_counter()
    pipeline.fit(X_train[subset], y_train[subset])
    seconds = time.perf_counter() - started
    name = type(scaler).__name__
    right[name] = (pipeline.predict(X_train[held_out])
                   == y_train[held_out])
    scaler_rows[name] = {
        "validation accuracy": right[name].mean(),
        "iterations": int(pipeline[-1].n_iter_[0]),
        "fit seconds": seconds,
    }
scaler_table = pd.DataFrame.from_dict(scaler_rows, orient="index")
scaler_table.index.name = "scaler"
print(scaler_table[["validation accuracy", "iterations"]].round(4)
      .to_string())
others = scaler_table["validation accuracy"].drop("RobustScaler")
print(f"spread of the other four: {others.max() - others.min():.2%}")

# McNemar's exact test (the scaling chapter's): the worst scaler against the
# best, on the held-out images only one of the two reads right
from scipy.stats import binomtest

best = scaler_table["validation accuracy"].idxmax()
worst = scaler_table["validation accuracy"].idxmin()
only_best = int((right[best] & ~right[worst]).sum())
only_worst = int((right[worst] & ~right[best]).sum())
scaler_p = binomtest(only_worst, only_best + only_worst).pvalue
print(f"{best} against {worst}: {only_best} images read right by the "
      f"first only, {only_worst} by the second only, p = {scaler_p:.1e}")

# RobustScaler subtracts each pixel's median and divides by the spread
# between its quartiles. A pixel blank in more than three images out of four
# has median 0 and no spread: it is left as it was, 0 to 255.
robust = RobustScaler().fit(X_train[subset])
unscaled_pixels = int((robust.scale_ == 1).sum())
print(f"pixels RobustScaler leaves unscaled: {unscaled_pixels} of 784")

# %% [markdown]
# **What it shows.** Four of the five scalers give validation accuracies
# within a point of one another (the spread line), so for this model the
# choice among them matters little; the one that leaves many pixels
# unscaled, `RobustScaler`, is the worst, and by far more than chance (the
# McNemar line). The test set was not needed: it stays for the one model
# you would finally keep.

# %% [markdown]
# Why: every pixel is 0 in some of the 5,000 training images, so
# `MinMaxScaler` subtracts a minimum of 0 and only divides by the maximum, as
# `MaxAbsScaler` does, up to rounding (one multiplies by 1 / range, the other
# divides by the maximum): the two models' weights differ only in the last
# digits, and they label the held-out digits alike. `RobustScaler` leaves the
# rarely inked pixels on their 0 to 255 scale, beside the others, mostly
# scaled to within a few units: the solver runs out of iterations (the
# warning above), and the model is the worst of the five. Whether the cap
# is the whole story, more iterations would show: try `max_iter=5000` and
# compare the model's accuracy on its training and its held-out images.
# `Normalizer` scales each image (a row) to length 1, rather than each pixel
# (a column).

# %% [markdown]
# ## Exercise 5: one-hot labels with Keras
#
# A network's last layer gives ten numbers per image, so its training labels
# are often written as one-hot vectors: ten numbers per image, a 1 at the
# label's place. (Keras's `sparse_categorical_crossentropy`, which A
# convolutional network uses, takes the digits as they are.) Make them with
# Keras's `to_categorical`, check they match scikit-learn's `OneHotEncoder`,
# and turn them back into digits.

# %% ex05-one-hot-keras
import os

# before importing keras, or it looks for TensorFlow
os.environ["KERAS_BACKEND"] = "torch"

import keras
from sklearn.preprocessing import OneHotEncoder

one_hot = keras.utils.to_categorical(y_train, num_classes=10)
print("labels:", y_train[:4])
print(one_hot[:4])
print("shape", one_hot.shape, one_hot.dtype)
from_sklearn = OneHotEncoder(sparse_output=False).fit_transform(
    y_train.reshape(-1, 1))
print("same as OneHotEncoder:", np.array_equal(one_hot, from_sklearn))
print("back to digits:", one_hot[:4].argmax(axis=1),
      " all equal:", np.array_equal(one_hot.argmax(axis=1), y_train))

# %% [markdown]
# **What it shows.** Keras's `to_categorical` and scikit-learn's
# `OneHotEncoder` write the same matrix, a single 1 per row in the label's
# column, and `argmax` turns it back into every label exactly: one-hot
# encoding changes the labels' form, not their information.
