"""Writes src/trainers/trees/golden/sklearn-trees.json: two small synthetic data sets (the rows themselves, rounded so
JSON carries them exactly) and the test ROC AUCs scikit-learn's HistGradientBoostingClassifier and
RandomForestClassifier reach on them, so the unit tests can check the workbench's trees come within 0.01.

Run: node scripts/pythonPeer.mjs python scripts/golden-trees.py
"""
import json, pathlib
import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import roc_auc_score

root = pathlib.Path(__file__).resolve().parent.parent
rng = np.random.RandomState(0)


def continuous():
    """make_classification: 8 informative/redundant continuous features, 2 clusters per class, 12 % positives, label noise."""
    X, y = make_classification(n_samples=3000, n_features=8, n_informative=4, n_redundant=2, weights=[0.88], flip_y=0.05, class_sep=0.8, random_state=1)
    return np.round(X, 3), y


def mixed():
    """Integer, flag and one-hot columns like session data, with 8 % missing values in one column; a logistic truth with an interaction."""
    n = 3000
    hour = rng.randint(0, 24, n)
    repeat = rng.randint(0, 2, n)
    channel = rng.randint(0, 3, n)
    onehot = np.eye(3)[channel][:, 1:]
    spend = np.round(rng.gamma(2.0, 20.0, n), 2)
    spend_missing = rng.rand(n) < 0.08
    z = -2.2 + 0.8 * repeat + 0.04 * np.abs(hour - 14) * -1 + 0.9 * onehot[:, 0] * repeat - 0.5 * onehot[:, 1] + 0.015 * np.nan_to_num(spend) + 0.7 * spend_missing
    y = (rng.rand(n) < 1 / (1 + np.exp(-z))).astype(int)
    spend = np.where(spend_missing, np.nan, spend)
    X = np.column_stack([hour, repeat, onehot, spend]).astype(float)
    return X, y


out = {"sklearn": sklearn.__version__, "datasets": []}
for name, (X, y) in [("continuous", continuous()), ("mixed", mixed())]:
    n = len(y)
    train = np.arange(n) < int(n * 0.7)
    test = ~train
    hgb = HistGradientBoostingClassifier(class_weight="balanced", max_iter=100, early_stopping=False, random_state=0).fit(X[train], y[train])
    rf = RandomForestClassifier(n_estimators=200, max_depth=15, min_samples_split=5, class_weight="balanced", random_state=0, n_jobs=1).fit(np.nan_to_num(X[train], nan=-1), y[train])
    out["datasets"].append({
        "name": name,
        "cols": int(X.shape[1]),
        "train_rows": int(train.sum()),
        "X": [[None if np.isnan(v) else float(v) for v in row] for row in X],
        "y": y.tolist(),
        "hgb_auc": float(roc_auc_score(y[test], hgb.predict_proba(X[test])[:, 1])),
        "rf_auc": float(roc_auc_score(y[test], rf.predict_proba(np.nan_to_num(X[test], nan=-1))[:, 1])),
        "note": "first train_rows rows train, the rest test; the forest sees missing values as -1 (scikit-learn 1.9's forest supports NaN too, but the workbench's forest learns a missing side, so -1 keeps both on one footing)",
    })
target = root / "src/trainers/trees/golden/sklearn-trees.json"
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(json.dumps(out, separators=(",", ":")) + "\n")
print(f"wrote {target.relative_to(root)}")
