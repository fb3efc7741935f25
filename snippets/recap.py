"""
Recap: the accuracy ladder
==========================

Every model the chapters entered on the leaderboard, from the first logistic
regression on raw pixels to the deeper convolutional network, ranked by test
accuracy. The rows come from ``leaderboard.csv``, one row per model as the run
that made its chapter's page measured it (the site's Leaderboard page shows
the same file); keep it in ``outputs/`` beside this script. It takes a
second: it trains nothing.
"""

# %% results
import os

# One BLAS and OpenMP thread for NumPy's libraries, as every chapter sets
# before NumPy loads them (this script only reads a table and draws, so here
# it is for the same setup everywhere, not for the numbers)
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")

import pandas as pd

board = pd.read_csv("outputs/leaderboard.csv")
# What the figure shows (the timings stay on the Leaderboard page), worst
# model first, so that the best ends up at the top
results = board[
    ["model", "features", "chapter", "test images", "test accuracy"]
].sort_values(["test accuracy", "model", "features"], ignore_index=True)
n_models = len(results)
n_chapters = results["chapter"].nunique()
best_model = results["model"].iloc[-1]
best_accuracy = float(results["test accuracy"].iloc[-1])
worst_accuracy = float(results["test accuracy"].iloc[0])
fewer_mistakes = (1 - worst_accuracy) / (1 - best_accuracy)
print(f"{n_models} models from {n_chapters} chapters: test accuracy "
      f"{worst_accuracy:.2%} to {best_accuracy:.2%}")

# Each accuracy's 95 % interval (Wilson's, as in the chapters), from the
# number of test images read right
from scipy.stats import binomtest


def wilson(accuracy, images):
    return binomtest(round(accuracy * images), images).proportion_ci(
        method="wilson")


intervals = [wilson(accuracy, images) for accuracy, images
             in zip(results["test accuracy"], results["test images"])]
results["95% low"] = [interval.low for interval in intervals]
results["95% high"] = [interval.high for interval in intervals]
for which, row in [("worst", 0), ("best", -1)]:
    print(f"{which}: {results['test accuracy'].iloc[row]:.2%}, 95% interval "
          f"{results['95% low'].iloc[row]:.2%} to "
          f"{results['95% high'].iloc[row]:.2%}")

# %% ladder
import matplotlib.pyplot as plt
import numpy as np

# On an accuracy axis 99% and 99.5% look alike, yet a model at 99.5% misreads
# half as many digits. A log scale of the error rate gives every halving of
# the mistakes the same length, at the bottom as at the top.
errors = 1 - results["test accuracy"]
# The axis runs from a little below the worst model to beyond the best one,
# so that each of these models gets a bar of its own length.
START = min(1.0, 1.4 * float(errors.max()))
END = max(float(errors.min()) / 2, 1e-4)
TICKS = [t for t in [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001]
         if END <= t <= START]
# MNIST's 10,000 test images (blue), or 14,000 images set aside by a random
# split (orange; two chapters share one split, a third has its own)
official = results["test images"] == 10_000
colors = np.where(official, "tab:blue", "tab:orange")
rows = np.arange(n_models)

fig, ax = plt.subplots(
    figsize=(8, 9), num="Test accuracy of every leaderboard model",
    clear=True)  # run again, the block redraws its figure
ax.barh(rows, errors - START, left=START, height=0.65, color=colors)
# each model's 95 % interval, as error rates: the lines across the bar ends
fewest, most = 1 - results["95% high"], 1 - results["95% low"]
ax.errorbar(errors, rows, xerr=[errors - fewest, most - errors], fmt="none",
            ecolor="black", elinewidth=1, capsize=2)
ax.set_xscale("log")
ax.set_xlim(START, END)  # reversed: fewer mistakes to the right
ax.set_xticks(TICKS, [f"{100 * (1 - e):.3g}%" for e in TICKS])
ax.minorticks_off()
ax.set_xlabel("test accuracy (log scale of the error rate: each step "
              "to the right halves the mistakes or more)")
ax.set_yticks(rows, [f"{m}\n{f}" for m, f in
                     zip(results["model"], results["features"])], fontsize=8)
ax.set_ylim(-0.6, n_models - 0.4)
for row, error, low_error, chapter in zip(rows, errors, fewest,
                                          results["chapter"]):
    ax.text(low_error * 0.92, row, f"{1 - error:.2%}  {chapter}",
            va="center", fontsize=8)
ax.grid(axis="x", alpha=0.3)
ax.spines[["top", "right"]].set_visible(False)
ax.legend(handles=[
    plt.Rectangle((0, 0), 1, 1, color="tab:blue",
                  label="MNIST's 10,000 test images"),
    plt.Rectangle((0, 0), 1, 1, color="tab:orange",
                  label="a random 14,000 of the 70,000 images"),
], title="tested on", loc="lower right", fontsize=8, title_fontsize=8)
ax.set_title("Every leaderboard model, worst to best", loc="left")
plt.show()
