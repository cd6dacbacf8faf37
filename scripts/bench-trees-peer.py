"""The scikit-learn side of `scripts/bench-trees.ts`: fits HistGradientBoostingClassifier and RandomForestClassifier on
the bundled data (the same stratified split as the workbench) and prints one JSON line of fit times and test AUCs.

Run through the pinned peer: node scripts/pythonPeer.mjs python scripts/bench-trees-peer.py <parquet> <seed> <variant> <models>
  variant: "leakfree" (engagement_depth dropped) or "capped" (engagement_depth capped at 4)
  models:  comma list of hgb, rf, flow, flowcv, reg, tuned, rfflow
  rfflow: RandomForestClassifier(200, max_depth=15, min_samples_split=5, class_weight="balanced", n_jobs=2) through
  TunedThresholdClassifierCV(scoring="f1", cv=5, refit=True) on every training row: test F1 at its tuned threshold (ours:
  `trees.rf.flow_f1_at_valid_threshold`, the Train cell's default protocol with the forest); six forest fits
  flow: the workbench's Train-cell protocol on the same rows: HGB (early stopping) fitted on the fit rows with the
  validation slice (train_test_split of the sorted training rows, 15 %, seed + 1) as X_val, the F1-maximising threshold
  on that slice, test F1 at it (ours: `trees.gbdt.flow_f1_validation_slice`); then the workbench's default protocol, the
  threshold on 5-fold out-of-fold scores of the training rows and HGB refitted on all of them with n_iter_ trees
  (ours: `trees.gbdt.flow_f1_at_valid_threshold`) when the list also names flowcv (not in the bench: six more HGB fits,
  minutes on a loaded 2-core machine)
  reg: the Train regressor cell's default flow on the same rows (converting sessions, log1p revenue, Duan's smearing on
  the rows the model was fitted on): HistGradientBoostingRegressor with early stopping on the validation slice, ridge
  (alpha 0, standardised) on every training row, and, with rf, RandomForestRegressor(200, max_depth=15, sqrt features,
  min_samples_split=5) on the fit rows; test RMSE in dollars of each
  tuned (not in the bench; run by hand, minutes): scikit-learn's own threshold tuner on the same training rows,
  TunedThresholdClassifierCV(HGB(class_weight="balanced"), scoring="f1", cv=5, refit=True): the F1 goal checked
  against another protocol than the workbench's validation slice
"""
import json, sys, time
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import f1_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV, train_test_split

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
    if name == "flowcv":
        continue  # a part of flow
    if name == "tuned":
        base = HistGradientBoostingClassifier(class_weight="balanced", max_iter=100, early_stopping=True, random_state=seed)
        tuned = TunedThresholdClassifierCV(base, scoring="f1", cv=5, refit=True, random_state=seed).fit(X[train], y[train])
        _, oracle = best_f1_threshold(y[test], tuned.estimator_.predict_proba(X[test])[:, 1])
        out[name] = {"threshold": float(tuned.best_threshold_), "cv_f1": round(float(tuned.best_score_), 5),
                     "f1": round(float(f1_score(y[test], tuned.predict(X[test]))), 5), "oracle_f1": round(oracle, 5)}
        continue
    if name == "rfflow":
        forest = RandomForestClassifier(n_estimators=200, max_depth=15, min_samples_split=5, class_weight="balanced", n_jobs=2, random_state=seed)
        t0 = time.perf_counter()
        tuned = TunedThresholdClassifierCV(forest, scoring="f1", cv=5, refit=True, random_state=seed).fit(X[train], y[train])
        fit_ms = (time.perf_counter() - t0) * 1000
        pt = tuned.estimator_.predict_proba(X[test])[:, 1]
        out[name] = {"f1": round(float(f1_score(y[test], tuned.predict(X[test]))), 5), "auc": round(float(roc_auc_score(y[test], pt)), 5),
                     "threshold": float(tuned.best_threshold_), "fit_ms": round(fit_ms, 1)}
        continue
    if name == "reg":
        # the workbench's splits are scikit-learn's rows in ascending order: sort, then split again as it does
        revenue = df["revenue"].to_numpy(dtype=float)
        train_conv = np.sort(train)[y[np.sort(train)] == 1]
        test_conv = np.sort(test)[y[np.sort(test)] == 1]
        fit, valid = (np.sort(part) for part in train_test_split(train_conv, test_size=0.15, stratify=np.ones(len(train_conv)), random_state=seed + 1))
        target = np.log1p(revenue)

        def dollars_rmse(model, rows):
            """Test RMSE in dollars with Duan's smearing from the residuals on `rows` (those the model was fitted on)."""
            smearing = np.mean(np.exp(target[rows] - model.predict(X[rows])))
            predicted = np.maximum(0, np.exp(model.predict(X[test_conv])) * smearing - 1)
            return round(float(np.sqrt(np.mean((revenue[test_conv] - predicted) ** 2))), 5)

        hgb = HistGradientBoostingRegressor(max_iter=100, early_stopping=True, random_state=seed).fit(X[fit], target[fit], X_val=X[valid], y_val=target[valid])
        scaler = StandardScaler().fit(X[train_conv])
        ridge = Ridge(alpha=0, solver="cholesky").fit(scaler.transform(X[train_conv]), target[train_conv])
        ridge_predict = type("Scaled", (), {"predict": lambda self, rows: ridge.predict(scaler.transform(rows))})()
        out[name] = {"hgb_rmse": dollars_rmse(hgb, fit), "hgb_n_iter": int(hgb.n_iter_), "linear_rmse": dollars_rmse(ridge_predict, train_conv),
                     "fit_rows": int(len(fit)), "valid_rows": int(len(valid)), "test_rows": int(len(test_conv))}
        if "rf" in models:
            forest = RandomForestRegressor(n_estimators=200, max_depth=15, min_samples_split=5, max_features="sqrt", n_jobs=2, random_state=seed).fit(X[fit], target[fit])
            out[name]["rf_rmse"] = dollars_rmse(forest, fit)
        continue
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
        if "flowcv" not in models:
            continue
        # the workbench's default protocol: the threshold maximising F1 on 5-fold out-of-fold scores of every training
        # row (each fold model early-stopped on its own 15 % slice), then HGB refitted on every training row with the
        # early-stopped n_iter_ (TunedThresholdClassifierCV(cv=5, refit=True) with the iteration count fixed)
        t0 = time.perf_counter()
        oof = np.zeros(len(train_sorted))
        for part_idx, held_idx in StratifiedKFold(5, shuffle=True, random_state=seed).split(train_sorted, y[train_sorted]):
            part = train_sorted[part_idx]
            f2, v2 = (np.sort(rows) for rows in train_test_split(part, test_size=0.15, stratify=y[part], random_state=seed + 1))
            a0, a1 = balanced_weights(y[f2])
            fold_model = HistGradientBoostingClassifier(max_iter=100, early_stopping=True, random_state=seed)
            fold_model.fit(X[f2], y[f2], sample_weight=np.where(y[f2] == 1, a1, a0),
                           X_val=X[v2], y_val=y[v2], sample_weight_val=np.where(y[v2] == 1, a1, a0))
            oof[held_idx] = fold_model.predict_proba(X[train_sorted[held_idx]])[:, 1]
        oof_threshold, _ = best_f1_threshold(y[train_sorted], oof)
        a0, a1 = balanced_weights(y[train_sorted])
        refit = HistGradientBoostingClassifier(max_iter=int(model.n_iter_), early_stopping=False, random_state=seed)
        refit.fit(X[train_sorted], y[train_sorted], sample_weight=np.where(y[train_sorted] == 1, a1, a0))
        pr = refit.predict_proba(X[test])[:, 1]
        out[name].update({"f1_refit_oof5": round(float(f1_score(y[test], pr >= oof_threshold)), 5), "refit_auc": round(float(roc_auc_score(y[test], pr)), 5),
                          "folds_refit_ms": round((time.perf_counter() - t0) * 1000, 1)})
        continue
    if name == "hgb":
        model = HistGradientBoostingClassifier(class_weight="balanced", max_iter=100, early_stopping=False, random_state=seed)
    elif name == "rf":
        model = RandomForestClassifier(n_estimators=200, max_depth=15, min_samples_split=5, class_weight="balanced", n_jobs=2, random_state=seed)
    else:
        raise SystemExit(f"model {name!r} is not hgb, rf, flow, flowcv, reg, tuned or rfflow")
    t0 = time.perf_counter()
    model.fit(X[train], y[train])
    fit_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    p = model.predict_proba(X[test])[:, 1]
    predict_ms = (time.perf_counter() - t1) * 1000
    out[name] = {"fit_ms": round(fit_ms, 1), "predict_ms": round(predict_ms, 1), "auc": round(float(roc_auc_score(y[test], p)), 5)}
print(json.dumps(out))
