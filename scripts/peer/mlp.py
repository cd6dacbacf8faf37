"""scikit-learn's side of `npm run bench -- speed.mlp`: MLPClassifier((64, 64), batch_size=4096) on the standardised
training rows of the workbench's split; ms per epoch (wall, and CPU of all its threads) over `epochs` epochs (partial_fit-free: max_iter=epochs, no early
stopping, tol 0 so every epoch runs), and the test ROC AUC after them.

Usage: python scripts/peer/mlp.py <parquet> [--exclude col]... [--epochs 3]
"""
import json, sys, time, warnings
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier

from rows import workbench_rows

args = sys.argv[1:]
epochs = int(args[args.index("--epochs") + 1]) if "--epochs" in args else 3
Xf, yf, Xtest, ytest = workbench_rows(args)
model = MLPClassifier((64, 64), batch_size=4096, max_iter=epochs, tol=0, n_iter_no_change=epochs + 1, random_state=42)
warnings.simplefilter("ignore", ConvergenceWarning)
t0 = time.perf_counter()
c0 = time.process_time()  # CPU of every thread of this process (BLAS threads included)
model.fit(Xf, yf)
ms = (time.perf_counter() - t0) * 1000
cpu_ms = (time.process_time() - c0) * 1000
auc = roc_auc_score(ytest, model.predict_proba(Xtest)[:, 1])
print(json.dumps({"ms_per_epoch": ms / model.n_iter_, "cpu_ms_per_epoch": cpu_ms / model.n_iter_, "epochs": int(model.n_iter_), "auc": auc, "rows": int(len(yf))}))
