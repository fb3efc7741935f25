"""Re-run the first classifier's raw-pixel fit under another scikit-learn version.

An investigation, not part of the site build: it explains why the published accuracy of the
raw-pixel model (0.9150714285714285) is not reproduced exactly. Run it in a separate
virtual environment, for example:

    python3 -m venv /tmp/sk113
    /tmp/sk113/bin/pip install scikit-learn==1.1.3 numpy==1.23.5 scipy==1.10.1
    OPENBLAS_NUM_THREADS=1 /tmp/sk113/bin/python scripts/raw_fit_other_version.py

Its result is typed into snippets/first-classifier.py (RAW_ACCURACY_SKLEARN_1_1_3), where the
chapter quotes it.
"""

import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

DATA = Path(__file__).resolve().parent.parent / "data" / "mnist.npz"

with np.load(DATA) as f:
    X = np.concatenate([f["x_train"], f["x_test"]]).reshape(-1, 784).astype(np.float64)
    y = np.concatenate([f["y_train"], f["y_test"]]).astype(str)  # as fetch_openml gives them
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
started = time.perf_counter()
model = LogisticRegression(max_iter=2000).fit(X_train, y_train)
print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}: "
      f"accuracy {model.score(X_test, y_test)!r} after {model.n_iter_[0]} iterations "
      f"({time.perf_counter() - started:.0f} s)")
