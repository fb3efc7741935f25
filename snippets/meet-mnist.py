"""
Meet MNIST
==========

Load the 70,000 handwritten digits two ways, look at their pixels, draw a few
of them and count the classes. Run it from a folder holding ``mnist_data.py``
(and ``data/mnist.npz``, or a network so that the data can be fetched from
OpenML once).
"""

# %% openml
import matplotlib.pyplot as plt
import numpy as np

from mnist_data import load_mnist_784

# the layout of fetch_openml("mnist_784", version=1, as_frame=False)
X, y = load_mnist_784()
print("X:", X.shape, X.dtype)
print("y:", y.shape, y.dtype, "- first labels:", y[:10])
print("type of one label:", type(y[0]).__name__)
n_images, n_pixels = X.shape

# %% labels-to-int
y = y.astype(np.uint8)  # "5" -> 5: comparisons and bincount need numbers
print("y:", y.dtype, "- first labels:", y[:10])
print("label of image 36001:", y[36001])

# %% split
from mnist_data import load_mnist

x_train, y_train, x_test, y_test = load_mnist()
print("train:", x_train.shape, y_train.shape)
print("test: ", x_test.shape, y_test.shape)
same_rows = bool((x_train.reshape(-1, 784) == X[:60000]).all()
                 and (x_test.reshape(-1, 784) == X[60000:]).all())
print("the split is OpenML's first 60,000 rows and last 10,000:", same_rows)
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
ax.set(xlabel="column of X (row-major pixel index)",
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
