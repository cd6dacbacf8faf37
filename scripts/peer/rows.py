"""The rows the workbench's Train classifier cell fits on, as the peer scripts prepare them: stratified test 0.2 with
seed 42, validation 0.15 of the sorted training rows with seed 43, StandardScaler fitted on the rest.

`workbench_rows(args)` reads `<parquet> [--exclude col]...` from args and returns (Xf, yf, Xtest, ytest), the test
rows scaled with the same scaler.
"""
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def workbench_rows(args):
    exclude = [args[i + 1] for i, a in enumerate(args) if a == "--exclude"]
    df = pd.read_parquet(args[0])
    y = df.is_ordered.to_numpy()
    X = df.drop(columns=["is_ordered", "revenue", *exclude]).to_numpy(dtype=np.float64)
    train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=42)
    train = np.sort(train)
    fit, _ = train_test_split(train, test_size=0.15, stratify=y[train], random_state=43)
    scaler = StandardScaler().fit(X[fit])
    return scaler.transform(X[fit]), y[fit], scaler.transform(X[test]), y[test]
