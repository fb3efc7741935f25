"""
Beyond linear models: support vector machines, forests and neighbours
=====================================================================

Three classifiers that draw curved boundaries: a support vector machine with
its kernels, a random forest and k-nearest neighbours. A train / validation /
test split keeps model choice away from the test set; cross-validation and grid
searches choose; the test set judges once. Run it from a folder holding
``data/mnist.npz``.
"""

# %% data
import os

# One BLAS and OpenMP thread, as this page's run used, set before NumPy and
# scikit-learn load their libraries so that all of them follow it: the
# thread count decides the order of sums, and so the last digits of long fits
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                  MKL_NUM_THREADS="1")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

pd.set_option("display.precision", 4)  # tables print four decimals

# All 70,000 digits of data/mnist.npz, its training and test images
# together: this chapter splits them its own way, below
with np.load("data/mnist.npz") as mnist:
    images = np.concatenate([mnist["x_train"], mnist["x_test"]])
    y = np.concatenate([mnist["y_train"], mnist["y_test"]])
X = images.reshape(len(images), -1) / 255.0  # pixels from 0..255 to 0..1
print("X", X.shape, X.dtype, f"from {X.min()} to {X.max()}")

# %% one-hot
from sklearn.preprocessing import OneHotEncoder

one_hot = OneHotEncoder(sparse_output=False).fit_transform(
    y[:5].reshape(-1, 1))
print("labels:", y[:5])
print(one_hot)

# %% original-one-hot
try:  # the source tutorial's line, on the same five labels
    OneHotEncoder(sparse=False).fit_transform(y[:5].reshape(-1, 1))
except TypeError as error:
    print(f"{type(error).__name__}: {error}")

# %% split
from sklearn.model_selection import train_test_split

# 60 % to train, 20 % to choose models with (validation), 20 % to test once
# at the end.
X_rest, X_test, y_rest, y_test, images_rest, images_test = train_test_split(
    X, y, images, test_size=0.2, stratify=y, random_state=42)
X_train, X_val, y_train, y_val = train_test_split(
    X_rest, y_rest, test_size=0.25, stratify=y_rest,
    random_state=42)  # 0.25 * 80 % = 20 %
for name, part in [("train", X_train), ("validation", X_val),
                   ("test", X_test)]:
    print(f"{name:>10}: {len(part):>6} images ({len(part) / len(X):.0%})")

# A kernel SVM's fit time grows at least with the square of the number of
# images; to compare many settings in seconds, the comparisons train on a
# seeded random subset and validate on the first images of the (already
# shuffled) validation part. Neither subset is stratified.
rng = np.random.default_rng(seed=0)
train_rows = rng.choice(len(X_train), size=10_000, replace=False)
X_small, y_small = X_train[train_rows], y_train[train_rows]
X_tiny, y_tiny = X_small[:5_000], y_small[:5_000]
X_val_small, y_val_small = X_val[:5_000], y_val[:5_000]
small_size, tiny_size, val_small_size = (len(X_small), len(X_tiny),
                                         len(X_val_small))
n_test = len(X_test)

# %% kernels
import time

from sklearn.svm import SVC


def validate(model, X_fit, y_fit):
    """Fit, then score on the validation subset; time both."""
    started = time.perf_counter()
    model.fit(X_fit, y_fit)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    accuracy = model.score(X_val_small, y_val_small)
    return model, {"validation accuracy": accuracy,
                   "fit seconds": fit_seconds,
                   "predict seconds": time.perf_counter() - started}


kernel_rows = {}
for kernel in ["linear", "poly", "rbf", "sigmoid"]:
    _, kernel_rows[kernel] = validate(SVC(kernel=kernel), X_tiny, y_tiny)
kernel_table = pd.DataFrame.from_dict(kernel_rows, orient="index")
kernel_table.index.name = "kernel"
print(kernel_table)

# %% original-svc-one-hot
# The source tutorial fitted its SVC on one-hot labels; here on 100 images.
one_hot_tiny = OneHotEncoder(sparse_output=False).fit_transform(
    y_tiny[:100].reshape(-1, 1))
try:
    SVC().fit(X_tiny[:100], one_hot_tiny)
except ValueError as error:
    print(f"{type(error).__name__}: {error}")

# %% regularisation
c_rows = {}
for C in [1, 10, 100]:
    fitted_svc, row = validate(SVC(C=C), X_tiny, y_tiny)
    c_rows[C] = row | {"support vectors": int(fitted_svc.n_support_.sum())}
c_table = pd.DataFrame.from_dict(c_rows, orient="index")
c_table.index.name = "C"
print(c_table)

# %% others
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier

other_rows = {}
_, other_rows["random forest (100 trees)"] = validate(
    RandomForestClassifier(random_state=42, n_jobs=2), X_tiny, y_tiny)
_, other_rows["3 nearest neighbours"] = validate(
    KNeighborsClassifier(n_neighbors=3), X_tiny, y_tiny)
other_table = pd.DataFrame.from_dict(other_rows, orient="index")
other_table.index.name = "model"
print(other_table)

# %% cross-validation
from sklearn.model_selection import cross_val_score

candidates = {
    "SVC (rbf, C=10)": SVC(C=10),
    "random forest": RandomForestClassifier(random_state=42),
    "3 nearest neighbours": KNeighborsClassifier(n_neighbors=3),
}
cv_rows, cv_folds = {}, {}
for name, model in candidates.items():
    folds = cross_val_score(model, X_tiny, y_tiny, cv=5, n_jobs=2)
    cv_folds[name] = folds  # the same five folds for every model
    cv_rows[name] = {"mean": folds.mean(), "std": folds.std(),
                     "folds": " ".join(f"{f:.3f}" for f in folds)}
cv_table = pd.DataFrame.from_dict(cv_rows, orient="index")
cv_table.index.name = "model"
print(cv_table)

# %% grid-svc
from sklearn.model_selection import GridSearchCV

svc_grid = GridSearchCV(
    SVC(),
    {"C": [1, 10], "kernel": ["rbf", "poly"], "gamma": ["scale", 0.01]},
    cv=3, n_jobs=2,
).fit(X_tiny, y_tiny)
svc_grid_table = (pd.DataFrame(svc_grid.cv_results_)
                  .sort_values("rank_test_score")
                  .set_index("params")[["mean_test_score", "std_test_score"]]
                  .rename(columns={"mean_test_score": "mean",
                                   "std_test_score": "std"}))
svc_grid_table.index = svc_grid_table.index.map(
    lambda p: ", ".join(f"{k}={v}" for k, v in sorted(p.items())))
svc_grid_table.index.name = "parameters"
print(svc_grid_table)
best_svc_params = ", ".join(
    f"{k}={v}" for k, v in sorted(svc_grid.best_params_.items()))
print("best:", best_svc_params,
      f"(mean accuracy {svc_grid.best_score_:.4f})")

# %% grid-knn
knn_grid = GridSearchCV(
    KNeighborsClassifier(),
    {"n_neighbors": [1, 3, 5, 7], "weights": ["uniform", "distance"]},
    cv=3, n_jobs=2,
).fit(X_tiny, y_tiny)
best_knn_params = ", ".join(
    f"{k}={v}" for k, v in sorted(knn_grid.best_params_.items()))
print("best:", best_knn_params,
      f"(mean accuracy {knn_grid.best_score_:.4f})")

# %% test
from scipy.stats import binomtest
from sklearn.base import clone

finalists = {  # the best of each grid search, and the forest as before
    "SVC": svc_grid.best_estimator_,
    "k-NN": knn_grid.best_estimator_,
    "random forest": RandomForestClassifier(random_state=42, n_jobs=2),
}
final, predicted, test_rows = {}, {}, {}
for name, model in finalists.items():
    # a fresh copy with the same settings, fitted on the larger subset
    final[name] = clone(model)
    started = time.perf_counter()
    final[name].fit(X_small, y_small)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted[name] = final[name].predict(X_test)
    predict_seconds = time.perf_counter() - started
    correct = int((predicted[name] == y_test).sum())
    # a 95 % interval for the accuracy on images like these test images
    interval = binomtest(correct, len(y_test)).proportion_ci(method="wilson")
    test_rows[name] = {
        "test accuracy": correct / len(y_test),
        "95% low": interval.low,
        "95% high": interval.high,
        "fit seconds": fit_seconds,
        "predict seconds": predict_seconds,
    }
test_table = pd.DataFrame.from_dict(test_rows, orient="index")
test_table.index.name = "model"
print(test_table)
svc_test_accuracy = float(test_table["test accuracy"].iloc[0])

# %% report
from matplotlib.colors import ListedColormap
from sklearn.metrics import ConfusionMatrixDisplay, classification_report

# The lighter 60 % of matplotlib's "Blues": black counts stay readable on
# every cell, the darkest included.
light_blues = ListedColormap(plt.get_cmap("Blues")(np.linspace(0, 0.6, 256)))

svc_pred = predicted["SVC"]
print(classification_report(y_test, svc_pred, digits=4))

fig, ax = plt.subplots(figsize=(7, 6))
ConfusionMatrixDisplay.from_predictions(
    y_test, svc_pred, ax=ax, cmap=light_blues, text_kw={"color": "black"})
ax.set(xlabel="predicted digit", ylabel="true digit")
plt.show()

# %% misclassified
wrong = np.flatnonzero(svc_pred != y_test)
svc_errors = len(wrong)
fig, axes = plt.subplots(3, 3, figsize=(5.4, 6))
for ax, index in zip(axes.flat, wrong[:9]):
    ax.imshow(images_test[index], cmap="binary")
    ax.set_title(f"true {y_test[index]}, read {svc_pred[index]}", fontsize=9)
    ax.axis("off")
plt.show()

# %% two-classifiers
knn_pred = predicted["k-NN"]
svc_wrong, knn_wrong = svc_pred != y_test, knn_pred != y_test
both_wrong = int((svc_wrong & knn_wrong).sum())
only_svc_wrong = int((svc_wrong & ~knn_wrong).sum())
only_knn_wrong = int((knn_wrong & ~svc_wrong).sum())
print(f"wrong in both: {both_wrong}, only SVC: {only_svc_wrong}, "
      f"only k-NN: {only_knn_wrong}")

# McNemar's exact test: if the two were equally accurate, an image that only
# one of them misreads would be the SVM's mistake or k-NN's with even odds.
mcnemar_p = binomtest(only_svc_wrong, only_svc_wrong + only_knn_wrong).pvalue
print(f"McNemar's test: p = {mcnemar_p:.1e}")
# the same test against the forest
forest_wrong = predicted["random forest"] != y_test
only_svc_not_forest = int((svc_wrong & ~forest_wrong).sum())
only_forest_not_svc = int((forest_wrong & ~svc_wrong).sum())
forest_p = binomtest(only_svc_not_forest,
                     only_svc_not_forest + only_forest_not_svc).pvalue
print(f"against the forest: only SVC wrong {only_svc_not_forest}, only "
      f"forest wrong {only_forest_not_svc}, McNemar p = {forest_p:.1e}")

errors_by_digit = pd.DataFrame({
    "SVC": pd.Series(y_test[svc_wrong]).value_counts(),
    "k-NN": pd.Series(y_test[knn_wrong]).value_counts(),
}).reindex(range(10), fill_value=0)
fig, ax = plt.subplots(figsize=(7, 3.5))
errors_by_digit.plot.bar(ax=ax, rot=0, width=0.8)
ax.set(xlabel="true digit", ylabel="test images misread")
plt.show()

# %% leaderboard tags=["site"]
from leaderboard import array_bytes

# The site's leaderboard rows: the test table above, with what each model
# learned from and how much it keeps
how = {"SVC": "SVC (best of the grid search)",
       "k-NN": "k-nearest neighbours (best of the grid search)",
       "random forest": "random forest (100 trees)"}
leaderboard = test_table.rename(index=how).assign(**{
    "features": "pixels / 255",
    "training images": len(X_small),
    "test images": len(X_test),
    "size MB": [array_bytes(final[name]) / 1e6 for name in finalists],
})[[
    "features", "training images", "test images", "test accuracy",
    "fit seconds", "predict seconds", "size MB"]]

# %% claims tags=["site"]
# What the page's sentences state about this run, checked by every build
validation = kernel_table["validation accuracy"]
tested = test_table["test accuracy"].to_numpy()  # SVC, k-NN, forest
kinds = [  # each finalist's kind in validation and cross-validation
    (c_table.loc[10, "validation accuracy"],
     cv_table.loc["SVC (rbf, C=10)", "mean"]),
    (other_table.loc["3 nearest neighbours", "validation accuracy"],
     cv_table.loc["3 nearest neighbours", "mean"]),
    (other_table.loc["random forest (100 trees)", "validation accuracy"],
     cv_table.loc["random forest", "mean"]),
]
c_accuracy = c_table["validation accuracy"]
knn_row = other_table.loc["3 nearest neighbours"]
svc_folds, forest_folds, knn_folds = cv_folds.values()
# the accuracies' differences in images: C=10 to C=100 on the validation
# subset; the forest against k-NN, cross-validated (5 folds of 1,000 images)
c_10_to_100_images = round(
    abs(c_accuracy[100] - c_accuracy[10]) * len(y_val_small))
forest_knn_cv_images = round(
    abs(forest_folds.mean() - knn_folds.mean()) * len(y_tiny))
claims = {
    "svm_beats_forest_not_by_chance": bool(
        only_svc_not_forest < only_forest_not_svc and forest_p < 0.001),
    "five_labels_five_columns": one_hot.shape[1] == len(np.unique(y[:5])) == 5,
    "subset_under_a_quarter": len(X_small) < len(X_train) / 4,
    "finalists_beat_their_kind": all(
        test > max(kind) for test, kind in zip(tested, kinds)),
    "svm_leads_every_fold": bool(
        (svc_folds > np.maximum(forest_folds, knn_folds)).all()),
    "forest_and_knn_take_turns": bool(
        (forest_folds > knn_folds).any() and (knn_folds > forest_folds).any()),
    "linear_trails_poly_and_rbf": validation["linear"] < min(
        validation["poly"], validation["rbf"]),
    "sigmoid_trails_the_others": validation["sigmoid"] < validation.drop(
        "sigmoid").min(),
    "c_10_gains_c_100_does_not": (
        c_accuracy[10] > c_accuracy[1]
        and abs(c_accuracy[100] - c_accuracy[10]) <= 0.001),
    "svm_best_on_test": tested[0] > tested[1:].max(),
    "svm_interval_clear_of_others": test_table["95% low"].iloc[0]
    > test_table["95% high"].iloc[1:].max(),
    "forest_and_knn_overlap": max(test_table["95% low"].iloc[1:])
    < min(test_table["95% high"].iloc[1:]),
    "svm_beats_knn_not_by_chance": mcnemar_p < 0.001,
    "most_svm_errors_are_knns_too": both_wrong > svc_errors / 2,
    "knn_misreads_more": int(knn_wrong.sum()) > int(svc_wrong.sum()),
}
