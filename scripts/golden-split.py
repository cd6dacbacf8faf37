"""Writes src/trainers/golden/sklearn-split.json: what NumPy's RandomState and scikit-learn's train_test_split give,
so the unit tests can check that the workbench's seeded split selects the same rows.

Run: .venv-mlflow/bin/python scripts/golden-split.py  (the MLflow virtualenv that `npm test` creates has both)
"""
import hashlib, json, pathlib
import numpy as np
import pandas as pd
import sklearn
from sklearn.model_selection import train_test_split

root = pathlib.Path(__file__).resolve().parent.parent
out = {"numpy": np.__version__, "sklearn": sklearn.__version__, "permutations": [], "splits": [], "bundled": []}
for seed, n in [(42, 20), (0, 7), (2**32 - 1, 33), (12345, 1000)]:
    out["permutations"].append({"seed": seed, "n": n, "values": np.random.RandomState(seed).permutation(n).tolist()})

# three classes (83 % / 12 % / 5 %) in a fixed order, and a two-class case where the remainders tie
three = [2 if i % 19 == 0 else 1 if i % 8 == 0 else 0 for i in range(1003)]
two = [1 if i % 4 == 0 else 0 for i in range(10)]
for name, y in [("three", three), ("two_ties", two)]:
    for test_size in [0.2, 0.25, 0.5]:
        for seed in [0, 7, 42]:
            _, test = train_test_split(np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed)
            out["splits"].append({"y": name, "test_size": test_size, "seed": seed, "test": sorted(test.tolist())})
out["labels"] = {"three": three, "two_ties": two}

y = pd.read_parquet(root / "public/data/training_data.parquet", columns=["is_ordered"]).is_ordered.to_numpy()
for seed in [42, 43, 44]:
    _, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=seed)
    test = np.sort(test).astype("<u4")
    out["bundled"].append({"seed": seed, "rows": int(len(test)), "positives": int(y[test].sum()), "sha256": hashlib.sha256(test.tobytes()).hexdigest()})

(root / "src/trainers/golden/sklearn-split.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")
print("wrote src/trainers/golden/sklearn-split.json")
