"""scikit-learn's side of `npm run bench -- speed.mlp`: MLPClassifier((64, 64), batch_size=4096) on the standardised
training rows of the workbench's split; ms per epoch over `epochs` epochs (partial_fit-free: max_iter=epochs, no early
stopping, tol 0 so every epoch runs), and the test ROC AUC after them.

Usage: python scripts/peer/mlp.py <parquet> [--exclude col]... [--epochs 3]
"""
import json, sys, time, warnings
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

args = sys.argv[1:]
exclude = [args[i + 1] for i, a in enumerate(args) if a == "--exclude"]
epochs = int(args[args.index("--epochs") + 1]) if "--epochs" in args else 3
df = pd.read_parquet(args[0])
y = df.is_ordered.to_numpy()
X = df.drop(columns=["is_ordered", "revenue", *exclude]).to_numpy(dtype=np.float64)
train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=42)
train = np.sort(train)
fit, _ = train_test_split(train, test_size=0.15, stratify=y[train], random_state=43)
scaler = StandardScaler().fit(X[fit])
Xf, yf = scaler.transform(X[fit]), y[fit]
model = MLPClassifier((64, 64), batch_size=4096, max_iter=epochs, tol=0, n_iter_no_change=epochs + 1, random_state=42)
warnings.simplefilter("ignore", ConvergenceWarning)
t0 = time.perf_counter()
model.fit(Xf, yf)
ms = (time.perf_counter() - t0) * 1000
auc = roc_auc_score(y[test], model.predict_proba(scaler.transform(X[test]))[:, 1])
print(json.dumps({"ms_per_epoch": ms / model.n_iter_, "epochs": int(model.n_iter_), "auc": auc, "rows": int(len(fit))}))
