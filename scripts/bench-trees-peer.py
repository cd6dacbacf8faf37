"""The scikit-learn side of `scripts/bench-trees.ts`: fits HistGradientBoostingClassifier and RandomForestClassifier on
the bundled data (the same stratified split as the workbench) and prints one JSON line of fit times and test AUCs.

Run through the pinned peer: node scripts/pythonPeer.mjs python scripts/bench-trees-peer.py <parquet> <seed> <variant> <models>
  variant: "leakfree" (engagement_depth dropped) or "capped" (engagement_depth capped at 4)
  models:  comma list of hgb, rf, flow
  flow: the workbench's Train-cell protocol on the same rows: HGB (early stopping) fitted on the fit rows with the
  validation slice (train_test_split of the sorted training rows, 15 %, seed + 1) as X_val, the F1-maximising threshold
  on that slice, test F1 at it (what `trees.gbdt.flow_f1_at_valid_threshold` measures for ours)
"""
import json, sys, time
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import train_test_split

path, seed, variant, models = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
df = pd.read_parquet(path)
y = df["is_ordered"].to_numpy()
X = df.drop(columns=["is_ordered", "revenue"])
if variant == "leakfree":
    X = X.drop(columns=["engagement_depth"])
elif variant == "capped":
    X["engagement_depth"] = X["engagement_depth"].clip(upper=4)
else:
    raise SystemExit(f"variant {variant!r} is not leakfree or capped")
X = X.astype("float32").to_numpy()
train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed)
out = {"sklearn": sklearn.__version__, "seed": seed, "variant": variant, "train_rows": int(len(train)), "test_rows": int(len(test))}


def balanced_weights(fit_labels):
    """scikit-learn's class_weight="balanced" of the fit rows as (w0, w1); the workbench weighs validation rows with the same pair."""
    n, ones = len(fit_labels), fit_labels.sum()
    return n / (2 * (n - ones)), n / (2 * ones)


def best_f1_threshold(labels, scores):
    """The score maximising F1 and that F1; among ties the highest threshold (fewest rows flagged), as the workbench's bestF1."""
    p, r, t = precision_recall_curve(labels, scores)
    f = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-300), 0)[:-1]
    best = np.flatnonzero(f == f.max())
    return t[best[-1]], float(f.max())


for name in models:
    if name == "flow":
        train_sorted = np.sort(train)
        fit, valid = train_test_split(train_sorted, test_size=0.15, stratify=y[train_sorted], random_state=seed + 1)
        model = HistGradientBoostingClassifier(max_iter=100, early_stopping=True, random_state=seed)
        w0, w1 = balanced_weights(y[fit])
        model.fit(X[fit], y[fit], sample_weight=np.where(y[fit] == 1, w1, w0),
                  X_val=X[valid], y_val=y[valid], sample_weight_val=np.where(y[valid] == 1, w1, w0))
        pv = model.predict_proba(X[valid])[:, 1]
        pt = model.predict_proba(X[test])[:, 1]
        threshold, _ = best_f1_threshold(y[valid], pv)
        _, oracle = best_f1_threshold(y[test], pt)
        out[name] = {"n_iter": int(model.n_iter_), "auc": round(float(roc_auc_score(y[test], pt)), 5), "threshold": float(threshold),
                     "f1_at_valid_threshold": round(float(f1_score(y[test], pt >= threshold)), 5), "oracle_f1": round(oracle, 5)}
        continue
    if name == "hgb":
        model = HistGradientBoostingClassifier(class_weight="balanced", max_iter=100, early_stopping=False, random_state=seed)
    elif name == "rf":
        model = RandomForestClassifier(n_estimators=200, max_depth=15, min_samples_split=5, class_weight="balanced", n_jobs=2, random_state=seed)
    else:
        raise SystemExit(f"model {name!r} is not hgb, rf or flow")
    t0 = time.perf_counter()
    model.fit(X[train], y[train])
    fit_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    p = model.predict_proba(X[test])[:, 1]
    predict_ms = (time.perf_counter() - t1) * 1000
    out[name] = {"fit_ms": round(fit_ms, 1), "predict_ms": round(predict_ms, 1), "auc": round(float(roc_auc_score(y[test], p)), 5)}
print(json.dumps(out))
