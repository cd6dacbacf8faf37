"""Writes e2e/golden/sessions-time-split.json: scikit-learn's test AUC of the workbench's logistic classifier on
sessions_full.parquet split by time at 2015-01-01, with month and weekday derived from created_at, on the same rows and
features the workbench uses (its encoding rules re-implemented here from the data, not copied from its output).

Run: node scripts/pythonPeer.mjs python scripts/golden-time-split.py   (pinned scikit-learn in .venv-bench)

The workbench's choices mirrored here:
- features: every column but the targets (is_ordered, revenue), the timestamp, ids (integer or text columns with
  >= 99 % distinct values) and the columns its leakage check flags on this file (engagement_depth, utm_content);
- text columns one-hot over levels holding >= 0.5 % of rows (most frequent first, at most 20 columns counting
  __null__ and __other__), a __null__ column when there are nulls, rarer levels pooled into __other__;
- date parts as numbers: month 1-12, weekday Monday = 0 (pandas .dt.month, .dt.weekday on the naive timestamp);
- split: test = created_at >= 2015-01-01; validation = the latest 15 % of the training rows (ceil, rows at the
  boundary instant all in validation); fit = the earlier rest;
- model: StandardScaler fitted on the fit rows, LogisticRegression(C=1, class_weight balanced on the fit rows).
"""
import hashlib, json, math, pathlib, sys
import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

root = pathlib.Path(__file__).resolve().parent.parent
path = root.parent / "shared" / "data" / "sessions_full.parquet"
if not path.exists():
    path = pathlib.Path("/work/shared/data/sessions_full.parquet")
raw = path.read_bytes()
df = pd.read_parquet(path)
CUTOFF = pd.Timestamp("2015-01-01")
TARGETS = ["is_ordered", "revenue"]
LEAKS = ["engagement_depth", "utm_content"]
MIN_SHARE, MAX_LEVELS = 0.005, 20

df["created_at_month"] = df.created_at.dt.month
df["created_at_weekday"] = df.created_at.dt.weekday
n = len(df)
columns = {}
for name in df.columns:
    col = df[name]
    if name in TARGETS or name in LEAKS or pd.api.types.is_datetime64_any_dtype(col):
        continue
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        if col.notna().sum() >= 50 and col.nunique() >= 0.99 * col.notna().sum():
            continue  # id-like text
        counts = col.value_counts()
        counts = counts.iloc[np.lexsort((counts.index.to_numpy(), -counts.to_numpy()))]
        kept = [lvl for lvl, c in counts.items() if c >= MIN_SHARE * n]
        has_null = col.isna().any()
        budget = MAX_LEVELS - (1 if has_null else 0)
        if len(kept) + (1 if len(kept) < len(counts) else 0) > budget:
            kept = kept[: max(0, budget - 1)]
        for lvl in kept:
            columns[f"{name}_{lvl}"] = (col == lvl).astype(float)
        if has_null:
            columns[f"{name}___null__"] = col.isna().astype(float)
        if len(kept) < len(counts):
            columns[f"{name}___other__"] = (col.notna() & ~col.isin(kept)).astype(float)
        continue
    values = col.astype(float)
    is_int = np.all(np.mod(values.dropna(), 1) == 0) and col.dtype != bool
    if is_int and values.notna().sum() >= 50 and values.nunique() >= 0.99 * values.notna().sum():
        continue  # id-like integers (website_session_id)
    if values.nunique(dropna=False) <= 1:
        continue
    columns[name] = values
X = pd.DataFrame(columns).to_numpy(dtype=np.float64)
y = df.is_ordered.to_numpy()

t = df.created_at.to_numpy()
test = t >= np.datetime64(CUTOFF)
train_idx = np.flatnonzero(~test)
order = train_idx[np.argsort(t[train_idx], kind="stable")]
k = len(order) - math.ceil(0.15 * len(order))
while k > 0 and t[order[k - 1]] == t[order[k]]:
    k -= 1
fit, valid = np.sort(order[:k]), np.sort(order[k:])
test_idx = np.flatnonzero(test)

scaler = StandardScaler().fit(X[fit])
w1 = len(fit) / (2 * y[fit].sum())
w0 = len(fit) / (2 * (len(fit) - y[fit].sum()))
model = LogisticRegression(C=1.0, max_iter=10_000, tol=1e-10, class_weight={0: w0, 1: w1})
model.fit(scaler.transform(X[fit]), y[fit])
auc = roc_auc_score(y[test_idx], model.predict_proba(scaler.transform(X[test_idx]))[:, 1])

out = {
    "generated_by": f"scripts/golden-time-split.py, scikit-learn {sklearn.__version__}, numpy {np.__version__}, pandas {pd.__version__}",
    "data": "sessions_full.parquet", "sha256": hashlib.sha256(raw).hexdigest(),
    "cutoff": "2015-01-01", "time_column": "created_at", "date_parts": ["month", "weekday"], "excluded": LEAKS,
    "features": list(columns), "rows": {"fit": int(len(fit)), "valid": int(len(valid)), "test": int(len(test_idx))},
    "positives": {"fit": int(y[fit].sum()), "valid": int(y[valid].sum()), "test": int(y[test_idx].sum())},
    "ranges": {part: [str(pd.Timestamp(t[idx].min())), str(pd.Timestamp(t[idx].max()))] for part, idx in [("fit", fit), ("valid", valid), ("test", test_idx)]},
    "auc": float(auc),
}
dest = root / "e2e" / "golden" / "sessions-time-split.json"
dest.parent.mkdir(parents=True, exist_ok=True)
dest.write_text(json.dumps(out, indent=1) + "\n")
print(json.dumps({k: v for k, v in out.items() if k != "features"}, indent=1))
