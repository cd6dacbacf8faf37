"""The scikit-learn side of `scripts/bench-trees.ts`: fits HistGradientBoostingClassifier and RandomForestClassifier on
the bundled data (the same stratified split as the workbench) and prints one JSON line of fit times and test AUCs.

Run through the pinned peer: node scripts/pythonPeer.mjs python scripts/bench-trees-peer.py <parquet> <seed> <variant> <models>
  variant: "leakfree" (engagement_depth dropped) or "capped" (engagement_depth capped at 4)
  models:  comma list of hgb, rf
"""
import json, sys, time
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import roc_auc_score
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
for name in models:
    if name == "hgb":
        model = HistGradientBoostingClassifier(class_weight="balanced", max_iter=100, early_stopping=False, random_state=seed)
    elif name == "rf":
        model = RandomForestClassifier(n_estimators=200, max_depth=15, min_samples_split=5, class_weight="balanced", n_jobs=2, random_state=seed)
    else:
        raise SystemExit(f"model {name!r} is not hgb or rf")
    t0 = time.perf_counter()
    model.fit(X[train], y[train])
    fit_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    p = model.predict_proba(X[test])[:, 1]
    predict_ms = (time.perf_counter() - t1) * 1000
    out[name] = {"fit_ms": round(fit_ms, 1), "predict_ms": round(predict_ms, 1), "auc": round(float(roc_auc_score(y[test], p)), 5)}
print(json.dumps(out))
