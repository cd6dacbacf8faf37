"""scikit-learn's side of `npm run bench -- speed.logistic`: LogisticRegression(class_weight="balanced") (default lbfgs)
fitted on the rows the workbench's Train classifier cell fits on (stratified test 0.2 with seed 42, validation 0.15 of
the sorted training rows with seed 43, StandardScaler on the rest). Prints the median fit time of `repeats` fits (the
rows prepared once, outside the timing) and the test ROC AUC.

Usage: python scripts/peer/logistic.py <parquet> [--exclude col]... [--repeats 3]
"""
import json, sys, time
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

args = sys.argv[1:]
exclude = [args[i + 1] for i, a in enumerate(args) if a == "--exclude"]
repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 3
df = pd.read_parquet(args[0])
y = df.is_ordered.to_numpy()
X = df.drop(columns=["is_ordered", "revenue", *exclude]).to_numpy(dtype=np.float64)
train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=42)
train = np.sort(train)
fit, _ = train_test_split(train, test_size=0.15, stratify=y[train], random_state=43)
scaler = StandardScaler().fit(X[fit])
Xf, yf = scaler.transform(X[fit]), y[fit]
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    model = LogisticRegression(class_weight="balanced").fit(Xf, yf)
    times.append((time.perf_counter() - t0) * 1000)
auc = roc_auc_score(y[test], model.predict_proba(scaler.transform(X[test]))[:, 1])
print(json.dumps({"fit_ms": float(np.median(times)), "fit_ms_all": times, "auc": auc, "rows": int(len(fit)), "iterations": int(model.n_iter_[0])}))
