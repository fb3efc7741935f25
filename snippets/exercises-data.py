"""
Exercises 1–5: the data
=======================

Worked solutions to the first five exercises: MNIST loaded another way, random
digits, the share of each digit, other scalers, and one-hot labels with Keras.
Each exercise is stated first, then solved; the cells share one namespace, so
run them in order. Needs ``mnist_data.py`` beside it, and
``pip install keras torch``.
"""

# %% [markdown]
# ## Exercise 1: load MNIST with another library
#
# The chapters load MNIST the way scikit-learn does, with
# `fetch_openml("mnist_784")`. Load it with another library and check that you
# get the same images and labels. How do the two layouts differ?

# %% ex01-another-library
import numpy as np

from mnist_data import load_mnist_784

# scikit-learn's layout: fetch_openml("mnist_784", version=1) gives one table
# of 70,000 rows of 784 pixels, and the labels as strings (a pandas DataFrame
# by default, a float array with as_frame=False). load_mnist_784 returns the
# same rows and labels, with the pixels kept as uint8.
X, y = load_mnist_784()
print("scikit-learn:", X.shape, X.dtype, "labels", y[:5],
      type(y[0]).__name__)

# Keras's layout. keras.datasets.mnist.load_data() downloads a file mnist.npz
# once (into ~/.keras/datasets/) and reads its four arrays with NumPy. This
# site builds without a network, so it reads its own file in that layout
# (made from OpenML, with the same four array names) the same way:
with np.load("data/mnist.npz") as archive:
    (x_train, y_train), (x_test, y_test) = (
        (archive["x_train"], archive["y_train"]),
        (archive["x_test"], archive["y_test"]))
print("Keras:       ", x_train.shape, x_test.shape, x_train.dtype,
      "labels", y_train[:5])

# The same digits in the same order: the first 60,000 rows of the table are
# the training images, the test images follow. (Both layouts come from one
# file here, so this checks how they map onto each other; with a network,
# compare the arrays of keras.datasets.mnist.load_data() the same way.)
same_images = np.array_equal(
    X, np.concatenate([x_train, x_test]).reshape(-1, 28 * 28))
same_labels = np.array_equal(y.astype(np.uint8),
                             np.concatenate([y_train, y_test]))
print("same images:", same_images, " same labels:", same_labels)

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
# with string labels, two stacks of 28 × 28 images with integer labels, or
# shuffled batches of float tensors with a channel axis; the equality check
# shows how the first two layouts map onto each other, row for image.

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
# a model that always answered the commonest digit would score no more than
# that digit's share: accuracy is a fair score here, and per-digit recall
# will still show which digits are read worst.

# %% [markdown]
# ## Exercise 4: other scalers
#
# The scaling chapter compared `StandardScaler` and `MinMaxScaler` in front of
# a logistic regression. Try other scalers from `sklearn.preprocessing` in
# the same place and compare their test accuracy. To keep it quick, train on
# 5,000 images, with the solver capped at 200 iterations, and test on the
# 10,000 test images.

# %% ex04-other-scalers
import time

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, Normalizer,
                                   RobustScaler, StandardScaler)

X_train, X_test = (x_train.reshape(-1, 28 * 28),
                   x_test.reshape(-1, 28 * 28))
subset = np.random.default_rng(seed=4).choice(len(X_train), size=5_000,
                                              replace=False)
scaler_rows = {}
for scaler in [StandardScaler(), MinMaxScaler(), MaxAbsScaler(),
               RobustScaler(), Normalizer()]:
    pipeline = make_pipeline(scaler, LogisticRegression(max_iter=200))
    started = time.perf_counter()
    pipeline.fit(X_train[subset], y_train[subset])
    seconds = time.perf_counter() - started
    scaler_rows[type(scaler).__name__] = {
        "test accuracy": pipeline.score(X_test, y_test),
        "iterations": int(pipeline[-1].n_iter_[0]),
        "fit seconds": seconds,
    }
scaler_table = pd.DataFrame.from_dict(scaler_rows, orient="index")
scaler_table.index.name = "scaler"
print(scaler_table[["test accuracy", "iterations"]].round(4).to_string())

# RobustScaler subtracts each pixel's median and divides by the spread
# between its quartiles. A pixel blank in more than three images out of four
# has median 0 and no spread: it is left as it was, 0 to 255.
robust = RobustScaler().fit(X_train[subset])
unscaled_pixels = int((robust.scale_ == 1).sum())
print(f"pixels RobustScaler leaves unscaled: {unscaled_pixels} of 784")

# %% [markdown]
# **What it shows.** Four of the five scalers give test accuracies close to
# one another, so for this model the choice among them matters little; the
# one that leaves many pixels unscaled, `RobustScaler`, is clearly the worst
# (the table above).

# %% [markdown]
# Why: every pixel is 0 in some of the 5,000 training images, so
# `MinMaxScaler` subtracts a minimum of 0 and only divides by the maximum,
# exactly as `MaxAbsScaler` does: the two give the same model. `RobustScaler`
# leaves the rarely inked pixels on their 0 to 255 scale, beside the others,
# mostly scaled to within a few units: the solver runs out of iterations (the
# warning above) and the model is the worst of the five. `Normalizer` scales
# each image (a row) to length 1, rather than each pixel (a column).

# %% [markdown]
# ## Exercise 5: one-hot labels with Keras
#
# A network's last layer gives ten numbers per image, so its training labels
# are often written as one-hot vectors. Make them with Keras's
# `to_categorical`, check they match scikit-learn's `OneHotEncoder`, and turn
# them back into digits.

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
