"""scikit-learn's side of `npm run bench -- speed.logistic`: LogisticRegression(class_weight="balanced") (default lbfgs)
fitted on the rows the workbench's Train classifier cell fits on (stratified test 0.2 with seed 42, validation 0.15 of
the sorted training rows with seed 43, StandardScaler on the rest). Prints the median fit time of `repeats` fits (the
rows prepared once, outside the timing) and the test ROC AUC.

Usage: python scripts/peer/logistic.py <parquet> [--exclude col]... [--repeats 3]
"""
import json, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rows import workbench_rows

args = sys.argv[1:]
repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 3
Xf, yf, Xtest, ytest = workbench_rows(args)
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    model = LogisticRegression(class_weight="balanced").fit(Xf, yf)
    times.append((time.perf_counter() - t0) * 1000)
auc = roc_auc_score(ytest, model.predict_proba(Xtest)[:, 1])
print(json.dumps({"fit_ms": float(np.median(times)), "fit_ms_all": times, "auc": auc, "rows": int(len(yf)), "iterations": int(model.n_iter_[0])}))
