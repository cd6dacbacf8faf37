"""The whole job as the user's Python pipeline runs it, for `npm run bench -- speed.job`: read the parquet, stratified
split (test 0.2, then validation 0.15 of the training rows), StandardScaler, LogisticRegression(class_weight="balanced"),
threshold by best F1 on validation, test metrics; LinearRegression on log1p(revenue) of converting sessions with Duan
smearing, dollar metrics. Timed from outside, interpreter start and imports included, as `npm run pipeline` is.

Usage: python scripts/peer/job.py <parquet> [--exclude col]... ; prints one JSON document.
"""
import json, sys
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (average_precision_score, brier_score_loss, f1_score, log_loss, mean_absolute_error,
                             precision_recall_curve, r2_score, roc_auc_score, root_mean_squared_error)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

path = sys.argv[1]
exclude = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--exclude"]
df = pd.read_parquet(path)
y = df.is_ordered.to_numpy()
revenue = df.revenue.fillna(0).to_numpy()
X = df.drop(columns=["is_ordered", "revenue", *exclude]).to_numpy(dtype=np.float64)

train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=42)
train, test = np.sort(train), np.sort(test)
fit, valid = train_test_split(train, test_size=0.15, stratify=y[train], random_state=43)
scaler = StandardScaler().fit(X[fit])
clf = LogisticRegression(class_weight="balanced").fit(scaler.transform(X[fit]), y[fit])
p_valid = clf.predict_proba(scaler.transform(X[valid]))[:, 1]
precision, recall, thresholds = precision_recall_curve(y[valid], p_valid)
f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
threshold = float(thresholds[np.argmax(f1[:-1])])
p_test = clf.predict_proba(scaler.transform(X[test]))[:, 1]

conv_train, conv_test = train[y[train] == 1], test[y[test] == 1]
rscaler = StandardScaler().fit(X[conv_train])
reg = LinearRegression().fit(rscaler.transform(X[conv_train]), np.log1p(revenue[conv_train]))
residuals = np.log1p(revenue[conv_train]) - reg.predict(rscaler.transform(X[conv_train]))
smearing = float(np.mean(np.exp(residuals)))
pred = np.expm1(reg.predict(rscaler.transform(X[conv_test]))) * smearing
truth = revenue[conv_test]

print(json.dumps({
    "classifier": {"auc_roc": roc_auc_score(y[test], p_test), "pr_auc": average_precision_score(y[test], p_test),
                   "f1_score": f1_score(y[test], p_test >= threshold), "log_loss": log_loss(y[test], p_test),
                   "brier": brier_score_loss(y[test], p_test), "threshold": threshold},
    "regressor": {"rmse": root_mean_squared_error(truth, pred), "mae": mean_absolute_error(truth, pred),
                  "r2": r2_score(truth, pred), "smearing": smearing},
}))
