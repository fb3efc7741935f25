"""
From the sigmoid to logistic regression
=======================================

The sigmoid turns any score into a probability; a weighted sum of features gives the score;
softmax extends the idea from two classes to ten. NumPy, SciPy and Matplotlib only: this
script needs no data and runs in a second.
"""

# %%
# --8<-- [start:sigmoid]
import matplotlib.pyplot as plt
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


z = np.linspace(-10, 10, 401)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(z, sigmoid(z), label=r"$\sigma(z) = 1 / (1 + e^{-z})$")
ax.axhline(0.5, color="tab:red", ls="--", lw=1, label="threshold 0.5")
ax.axvline(0, color="grey", ls=":", lw=1)
ax.set(xlabel="z", ylabel="σ(z)", xlim=(-10, 10), ylim=(-0.02, 1.02))
ax.legend(loc="upper left")
plt.show()
for value in [-4, -1, 0, 1, 4]:
    print(f"σ({value:+d}) = {sigmoid(value):.4f}")
# --8<-- [end:sigmoid]

# %%
# --8<-- [start:simulation]
rng = np.random.default_rng(seed=7)
n_samples, n_features = 100, 3
features = rng.normal(size=(n_samples, n_features))
weights = rng.normal(size=n_features)
bias = float(rng.normal())
scores = features @ weights + bias  # z = w·x + b for every sample at once
probabilities = sigmoid(scores)
predicted = (probabilities >= 0.5).astype(int)
print("weights:", np.round(weights, 3), " bias:", round(bias, 3))
print("first five z:", np.round(scores[:5], 3))
print("their σ(z): ", np.round(probabilities[:5], 3))
n_class_one = int(predicted.sum())
n_class_zero = n_samples - n_class_one
print(f"predicted class 1: {n_class_one}, class 0: {n_class_zero}")

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(z, sigmoid(z), color="lightgrey", zorder=1)
for label, color in [(0, "tab:blue"), (1, "tab:orange")]:
    chosen = predicted == label
    ax.scatter(scores[chosen], probabilities[chosen], s=18, color=color,
               label=f"predicted class {label}", zorder=2)
ax.axhline(0.5, color="tab:red", ls="--", lw=1, label="threshold 0.5")
ax.set(xlabel="z = w·x + b", ylabel="σ(z)", xlim=(-6, 6))
ax.legend(loc="upper left")
plt.show()
# --8<-- [end:simulation]

# %%
# --8<-- [start:one-vs-rest]
# Ten scores for one image, one per digit, as a ten-class linear model would produce them.
digit_scores = np.array([1.2, -0.8, 0.3, 4.1, -2.0, 2.9, 0.0, -1.1, 1.8, 0.6])
ovr = sigmoid(digit_scores)  # one-vs-rest: ten independent yes/no probabilities
print("sigmoid of each score:", np.round(ovr, 3))
ovr_sum = float(ovr.sum())
print(f"they sum to {ovr_sum:.3f}, not to 1")
# --8<-- [end:one-vs-rest]

# %%
# --8<-- [start:softmax]
from scipy.special import softmax as scipy_softmax


def softmax(scores):
    shifted = scores - scores.max()  # same result, and exp() can no longer overflow
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum()


probabilities_10 = softmax(digit_scores)
print("softmax:", np.round(probabilities_10, 3))
print("sum:", round(float(probabilities_10.sum()), 12))
print("same as scipy.special.softmax:", np.allclose(probabilities_10, scipy_softmax(digit_scores)))
print("unchanged by adding 1000 to every score:",
      np.allclose(probabilities_10, softmax(digit_scores + 1000)))
winner = int(probabilities_10.argmax())
winner_probability = float(probabilities_10.max())

fig, ax = plt.subplots(figsize=(7, 3.2))
ax.bar(range(10), probabilities_10, color="tab:blue")
ax.set(xticks=range(10), xlabel="digit", ylabel="softmax probability", ylim=(0, 1))
for digit, p in enumerate(probabilities_10):
    ax.annotate(f"{p:.2f}", (digit, p), ha="center", va="bottom", fontsize=8,
                xytext=(0, 2), textcoords="offset points")
plt.show()
# --8<-- [end:softmax]
