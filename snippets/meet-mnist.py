"""
Meet MNIST
==========

Load the 70,000 handwritten digits as one table and as the classic training
and test split, look at their pixels, draw a few of them and count the
classes. Run it from a folder holding ``data/mnist.npz``.
"""

# %% openml
import os

# One thread for the maths libraries under NumPy (BLAS, OpenMP), as this
# page's run used, set before NumPy loads them. Every chapter starts so: from
# the next one on, the thread count decides the order of sums, and so the
# last digits of results that take long to compute.
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")

import matplotlib.pyplot as plt
import numpy as np

# data/mnist.npz holds MNIST as four NumPy arrays. Joined into one table, a
# row of 784 pixels per image, they are the 70,000 rows that
# fetch_openml("mnist_784", version=1) downloads, in the same order (here
# as uint8).
with np.load("data/mnist.npz") as mnist:
    X = np.concatenate([mnist["x_train"], mnist["x_test"]]).reshape(-1, 784)
    y = np.concatenate([mnist["y_train"], mnist["y_test"]])
print("X:", X.shape, X.dtype)
print("y:", y.shape, y.dtype, "- first labels:", y[:10])
print("label of image 36001:", y[36001])
n_images, n_pixels = X.shape

# %% split
# The same file as the classic split: the first 60,000 images for training,
# the last 10,000 for testing, each a 28 x 28 array
with np.load("data/mnist.npz") as mnist:
    x_train, y_train = mnist["x_train"], mnist["y_train"]
    x_test, y_test = mnist["x_test"], mnist["y_test"]
print("train:", x_train.shape, y_train.shape)
print("test: ", x_test.shape, y_test.shape)
same_rows = bool((x_train.reshape(-1, 784) == X[:60000]).all()
                 and (x_test.reshape(-1, 784) == X[60000:]).all())
print("X is x_train then x_test, row for row:", same_rows)
n_train, n_test = len(x_train), len(x_test)

# %% pixels
print("pixel range:", X.min(), "to", X.max())
print("distinct grey levels:", len(np.unique(X)))
empty_share = float((X == 0).mean())
print(f"pixels that are exactly 0: {empty_share:.1%}")
ink_per_image = (X > 0).sum(axis=1)
print("inked pixels per image: min", ink_per_image.min(),
      "median", int(np.median(ink_per_image)), "max", ink_per_image.max())

# %% middle-band
# the share of images with ink at each of the 784 columns
ink_by_column = (X > 0).mean(axis=0)
band_ink = float(ink_by_column[400:500].mean())
edge_ink = float(np.r_[ink_by_column[:100], ink_by_column[-100:]].mean())
print(f"columns 400-499: ink in {band_ink:.1%} of images on average")
print(f"first and last 100 columns: ink in {edge_ink:.1%}")
never_inked = int((ink_by_column == 0).sum())
print("columns never inked in any image:", never_inked)

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(ink_by_column, lw=0.8)
ax.axvspan(400, 500, color="tab:orange", alpha=0.2, label="columns 400–499")
ax.set(xlabel="column of X (28 × pixel row + pixel column)",
       ylabel="share of images with ink", xlim=(0, n_pixels))
ax.legend(loc="upper left")
plt.show()

# %% one-digit
digit = X[36001].reshape(28, 28)
fig, axes = plt.subplots(1, 2, figsize=(6, 3))
for ax, cmap in zip(axes, ["binary", "gray"]):
    ax.imshow(digit, cmap=cmap)
    ax.set_title(f'cmap="{cmap}"')
    ax.axis("off")
plt.show()

# %% first-ten
fig, axes = plt.subplots(2, 5, figsize=(8, 3.6))
for ax, image, label in zip(axes.flat, X[:10], y[:10]):
    ax.imshow(image.reshape(28, 28), cmap="binary")
    ax.set_title(f"label {label}")
    ax.axis("off")
plt.show()

# %% twelve
# a fixed seed: the same twelve digits on every run
rng = np.random.default_rng(seed=0)
picks = rng.choice(n_images, size=12, replace=False)
fig, axes = plt.subplots(3, 4, figsize=(6, 5))
for ax, index in zip(axes.flat, picks):
    ax.imshow(X[index].reshape(28, 28), cmap="gray")
    ax.set_title(f"#{index}: {y[index]}", fontsize=9)
    ax.axis("off")
plt.show()

# %% five-random
rng = np.random.default_rng(seed=42)
picks = rng.choice(n_train, size=5, replace=False)
fig, axes = plt.subplots(1, 5, figsize=(8, 2))
for ax, index in zip(axes, picks):
    ax.imshow(x_train[index], cmap="binary")
    ax.set_title(str(y_train[index]))
    ax.axis("off")
plt.show()

# %% class-counts
counts = np.bincount(y, minlength=10)
shares = counts / counts.sum()
for digit_class, (count, share) in enumerate(zip(counts, shares)):
    print(f"{digit_class}: {count:5d} images  {share:6.2%}")
most_common, least_common = int(shares.argmax()), int(shares.argmin())
spread = float(shares.max() / shares.min())

# a plain Matplotlib bar chart of the counts: no seaborn needed
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.bar(range(10), counts, color="tab:blue")
ax.axhline(n_images / 10, color="black", ls="--", lw=1,
           label="perfectly balanced")
ax.set(xticks=range(10), xlabel="digit", ylabel="images in the 70,000")
# above the plot, not over the bars: its text stays readable in both palettes
ax.legend(loc="lower right", bbox_to_anchor=(1, 1), frameon=False)
plt.show()

# %% claims tags=["site"]
# What the page's sentences state about this run, checked by every build
claims = {
    "middle_far_inkier_than_edges": band_ink > 10 * edge_ink,
    # the class-count figure's alt text names the tallest and shortest bars
    "one_tallest_five_shortest": (most_common, least_common) == (1, 5),
    "imbalance_is_mild": spread < 1.5,
}
