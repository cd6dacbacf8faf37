"""Writes src/trainers/golden/sklearn-logistic.json: scikit-learn's class-weighted logistic regression on the bundled
data, fitted on exactly the rows the workbench's Train classifier cell fits on, so the unit test can check that the
training path reaches the same optimum (penalised objective within 1e-6 relative) and the same test AUC.

Rows: train_test_split(test_size=0.2, stratify=y, random_state=42), then a validation slice of the sorted training rows
(test_size=0.15, random_state=43); the scaler is StandardScaler fitted on the remaining rows, applied in float32 as the
workbench stores it. Two feature sets: leak-free (engagement_depth left out) and engagement_depth capped at 4.
Solver: newton-cholesky to 1e-12, i.e. the exact optimum (the default lbfgs stops at tol 1e-4, ~1e-5 relative early).

Run: node scripts/pythonPeer.mjs python scripts/golden-logistic.py
"""
import json, pathlib
import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

root = pathlib.Path(__file__).resolve().parent.parent
df = pd.read_parquet(root / "public/data/training_data.parquet")
y = df.is_ordered.to_numpy()
idx = np.arange(len(y))
train, test = train_test_split(idx, test_size=0.2, stratify=y, random_state=42)
train, test = np.sort(train), np.sort(test)
inner_fit, _ = train_test_split(np.arange(len(train)), test_size=0.15, stratify=y[train], random_state=43)
fit_rows = train[np.sort(inner_fit)]

out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "C": 1.0, "class_weight": "balanced", "fit_rows": int(len(fit_rows)), "cases": []}
for name, frame in [
    ("leak_free", df.drop(columns=["is_ordered", "revenue", "engagement_depth"])),
    ("depth_capped_4", df.drop(columns=["is_ordered", "revenue"]).assign(engagement_depth=lambda d: d.engagement_depth.clip(upper=4))),
]:
    X = frame.to_numpy(dtype=np.float64)
    scaler = StandardScaler().fit(X[fit_rows])
    # the workbench keeps standardised rows as float32: fit on those values
    Xs = scaler.transform(X).astype(np.float32).astype(np.float64)
    model = LogisticRegression(C=1.0, class_weight="balanced", solver="newton-cholesky", tol=1e-12, max_iter=1000)
    model.fit(Xs[fit_rows], y[fit_rows])
    yf = y[fit_rows]
    w = np.where(yf == 1, len(yf) / (2 * yf.sum()), len(yf) / (2 * (len(yf) - yf.sum())))
    z = Xs[fit_rows] @ model.coef_[0] + model.intercept_[0]
    loss = np.logaddexp(0, z) - yf * z
    objective = float(1.0 * (w * loss).sum() + 0.5 * (model.coef_[0] ** 2).sum())
    out["cases"].append({
        "name": name, "features": list(frame.columns),
        "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]), "objective": objective,
        "test_auc": float(roc_auc_score(y[test], model.predict_proba(Xs[test])[:, 1])),
    })

(root / "src/trainers/golden/sklearn-logistic.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote src/trainers/golden/sklearn-logistic.json")
