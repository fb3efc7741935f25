"""
From the sigmoid to logistic regression
=======================================

How logistic regression turns features into a class: a weighted sum of the
features gives a score, the sigmoid turns the score into a probability, and
softmax does the same for ten classes at once. NumPy, SciPy, pandas and
Matplotlib, and a tiny scikit-learn fit at the end on made-up points: no MNIST
yet, and the whole script runs in a few seconds.
"""

# %% sigmoid
import os

# One BLAS and OpenMP thread, as this page's run used, set before NumPy and
# scikit-learn load their libraries so that all of them follow it: the
# thread count decides the order of sums, and so the last digits of long fits
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")

import matplotlib.pyplot as plt
import numpy as np


def sigmoid(z):
    """The logistic function: any real number in, a number in (0, 1) out
    (in float64 it rounds to 1.0 from z = 37 on; below about z = -709.78,
    exp overflows, with a warning, and it returns 0.0)."""
    return 1 / (1 + np.exp(-z))


z_grid = np.linspace(-10, 10, 501)
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(z_grid, sigmoid(z_grid), color="tab:blue", lw=2,
        label=r"$\sigma(z) = 1 \,/\, (1 + e^{-z})$")
ax.axhline(0.5, color="black", ls="--", lw=1, label="threshold σ(z) = 0.5")
ax.axvline(0, color="black", ls=":", lw=1, label="z = 0")
ax.set(xlabel="score z", ylabel="σ(z)", xlim=(-10, 10), ylim=(-0.03, 1.03))
ax.legend(loc="upper left")
plt.show()

few_z = np.array([-10, -4, -1, 0, 1, 4, 10])
print("\n".join(f"σ({z:+3d}) = {sigmoid(z):.5f}" for z in few_z))
sigmoid_at_4 = float(sigmoid(4))

# %% simulation
import pandas as pd

rng = np.random.default_rng(seed=3)
n_samples, n_features = 100, 3
X = rng.normal(size=(n_samples, n_features))  # 100 samples, 3 features each
w = rng.normal(size=n_features)  # one weight per feature...
b = float(rng.normal())  # ...and one bias
z = X @ w + b  # z = w·x + b for every sample at once
p = sigmoid(z)  # the probability of class 1
predicted = (p >= 0.5).astype(int)

print("w =", np.round(w, 3), "  b =", round(b, 3))
shown = np.r_[np.flatnonzero(predicted == 0)[:3],
              np.flatnonzero(predicted == 1)[:3]]
rows = pd.DataFrame(X[shown], index=pd.Index(shown, name="sample"),
                    columns=["x1", "x2", "x3"])
rows = rows.assign(z=z[shown], p=p[shown], predicted=predicted[shown])
print(rows.round(3).to_string())
n_class_1 = int(predicted.sum())
n_class_0 = n_samples - n_class_1
print(f"predicted class 1: {n_class_1}   predicted class 0: {n_class_0}")
print("p >= 0.5 exactly where z >= 0:", bool(np.array_equal(p >= 0.5, z >= 0)))

fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(z_grid, sigmoid(z_grid), color="0.6", lw=1.5, zorder=1)
for label, color in [(0, "tab:blue"), (1, "tab:orange")]:
    ax.scatter(z[predicted == label], p[predicted == label], s=22,
               color=color, edgecolor="white", linewidth=0.5, zorder=2,
               label=f"predicted class {label}")
ax.axhline(0.5, color="black", ls="--", lw=1, label="threshold 0.5")
ax.axvline(0, color="black", ls=":", lw=1)
ax.set(xlabel="score z = w·x + b", ylabel="p = σ(z)", xlim=(-6, 6),
       ylim=(-0.03, 1.03))
ax.legend(loc="upper left")
plt.show()

# %% one-vs-rest
# One image, ten scores: how strongly a ten-class linear model votes for each
# digit 0-9. This one looks most like a 3, a bit like an 8, and not at all
# like a 6.
digit_scores = np.array([0.5, -1.2, 2.1, 3.4, -0.3, 1.0, -2.0, 0.8, 2.7, -0.6])
# ten separate questions: "a 0 or not?", "a 1 or not?", ...
ovr = sigmoid(digit_scores)
print("one-vs-rest sigmoids:", np.round(ovr, 3))
ovr_sum = float(ovr.sum())
print(f"their sum: {ovr_sum:.3f}")

# %% softmax
def softmax(scores):
    """Exponentiate and divide by the total, along the last axis.

    The scores are shifted by their maximum first."""
    exps = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


probs = softmax(digit_scores)
comparison = pd.DataFrame({"score": digit_scores, "one-vs-rest σ": ovr,
                           "softmax": probs})
comparison.index.name = "digit"
print(comparison.round(3).to_string())
print(f"sums: one-vs-rest {ovr.sum():.3f}, softmax {probs.sum():.3f}")
top_digit = int(probs.argmax())
top_probability = float(probs.max())
runner_up = int(np.argsort(probs)[-2])
runner_up_probability = float(np.sort(probs)[-2])

fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
colors = ["tab:orange" if d == top_digit else "tab:blue" for d in range(10)]
for ax, heights, title in [
    (axes[0], ovr, f"one-vs-rest: ten sigmoids, sum {ovr.sum():.2f}"),
    (axes[1], probs, f"softmax: one distribution, sum {probs.sum():.2f}"),
]:
    ax.bar(range(10), heights, color=colors)
    ax.set(xticks=range(10), xlabel="digit", ylim=(0, 1.08))
    ax.set_title(title, fontsize=10)
axes[0].set_ylabel("probability")
for digit, height in enumerate(probs):
    axes[1].annotate(f"{height:.2f}", (digit, height), xytext=(0, 2),
                     textcoords="offset points", ha="center", fontsize=7)
plt.show()

# %% shift
from scipy.special import softmax as scipy_softmax

# np.allclose: equal up to rounding in the last digits
print("softmax(scores + 1000) ≈ softmax(scores):",
      np.allclose(softmax(digit_scores + 1000), probs))
print("softmax(scores - 50) ≈ softmax(scores):  ",
      np.allclose(softmax(digit_scores - 50), probs))

# The textbook formula without the shift: e**1003.4 is far beyond the
# largest float64. Without errstate, NumPy would warn "overflow encountered
# in exp" and "invalid value encountered in divide".
with np.errstate(over="ignore", invalid="ignore"):
    big = np.exp(digit_scores + 1000)
    naive = big / big.sum()
print("exp(scores + 1000):", big[:3], "...")
print("naive softmax:     ", naive[:3], "...")
print("scipy.special.softmax agrees with ours:",
      np.allclose(scipy_softmax(digit_scores), probs))

# %% two-classes
# Two classes, two scores (0, z): class 0's, then class 1's. Softmax gives
# class 1 the probability sigmoid(z). The 100 simulated scores, each paired
# with a 0:
z_pairs = np.column_stack([np.zeros_like(z), z])
print("softmax([0, z])[1] ≈ σ(z) for all 100 samples:",
      np.allclose(softmax(z_pairs)[:, 1], sigmoid(z)))

# %% scikit-learn
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

# 150 made-up points in 2-D, three classes; MNIST would be 784-D, ten classes.
X_blobs, y_blobs = make_blobs(n_samples=150, centers=3, random_state=0)
# the defaults: lbfgs, L2 penalty, C=1
model = LogisticRegression().fit(X_blobs, y_blobs)
print("solver:", model.solver, "  coef_:", model.coef_.shape,
      "  intercept_:", model.intercept_.shape)

# one z = w·x + b per class
scores_blobs = X_blobs @ model.coef_.T + model.intercept_
print("decision_function is X @ coef_.T + intercept_:",
      np.allclose(model.decision_function(X_blobs), scores_blobs))
print("predict_proba is the softmax of those scores: ",
      np.allclose(model.predict_proba(X_blobs), softmax(scores_blobs)))
print("first point: scores", np.round(scores_blobs[0], 2),
      "-> probabilities", np.round(model.predict_proba(X_blobs[:1])[0], 3))

two = y_blobs < 2  # keep classes 0 and 1 only: a binary problem
binary_model = LogisticRegression().fit(X_blobs[two], y_blobs[two])
print("two classes: coef_", binary_model.coef_.shape,
      "and predict_proba[:, 1] is σ(score):",
      np.allclose(binary_model.predict_proba(X_blobs[two])[:, 1],
                  sigmoid(binary_model.decision_function(X_blobs[two]))))

# %% liblinear
from sklearn.multiclass import OneVsRestClassifier

# liblinear fits binary models only: on the three clouds it refuses to fit.
try:
    LogisticRegression(solver="liblinear").fit(X_blobs, y_blobs)
except ValueError as error:
    print(f"{type(error).__name__}: {error}")

# Wrapped in OneVsRestClassifier it fits one yes/no model per class.
ovr_liblinear = OneVsRestClassifier(LogisticRegression(solver="liblinear"))
ovr_liblinear.fit(X_blobs, y_blobs)
print("OneVsRestClassifier(liblinear):", len(ovr_liblinear.estimators_),
      "binary models, each with coef_",
      ovr_liblinear.estimators_[0].coef_.shape)

# %% original-multi-class
for strategy in ["multinomial", "ovr"]:
    try:
        LogisticRegression(multi_class=strategy).fit(X_blobs, y_blobs)
    except TypeError as error:
        print(f'multi_class="{strategy}":', f"{type(error).__name__}: {error}")

# %% claims tags=["site"]
# What the page's sentences state about this run, checked by every build,
# and the log loss of a class-1 sample at two large scores, which it quotes
log_loss_at_4 = float(np.log1p(np.exp(-4.0)))  # -ln(sigmoid(4))
log_loss_at_10 = float(np.log1p(np.exp(-10.0)))
claims = {
    "sigmoid_flat_beyond_4": sigmoid_at_4 > 0.98,
    "same_side_as_score": bool(((p >= 0.5) == (z >= 0)).all()),
    "ovr_not_a_distribution": abs(ovr_sum - 1) > 0.5,
    "same_order_given_same_scores": bool(
        (np.argsort(ovr) == np.argsort(probs)).all()),
    "softmax_sums_to_1": bool(np.isclose(probs.sum(), 1)),
}
