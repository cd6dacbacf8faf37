import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from './numpyRandom.ts';
import { stratifiedSplit } from './split.ts';

/** Written by `scripts/golden-split.py` with NumPy and scikit-learn (versions inside). */
interface GoldenSplit {
  readonly numpy: string;
  readonly sklearn: string;
  readonly permutations: ReadonlyArray<{ seed: number; n: number; values: number[] }>;
  readonly labels: Readonly<Record<string, number[]>>;
  readonly splits: ReadonlyArray<{ y: string; test_size: number; seed: number; test: number[] }>;
  readonly bundled: ReadonlyArray<{ seed: number; rows: number; positives: number; sha256: string }>;
}
const golden = JSON.parse(readFileSync(new URL('./golden/sklearn-split.json', import.meta.url), 'utf8')) as GoldenSplit;

describe('NumpyRandomState', () => {
  it.each(golden.permutations)('permutation($n) with seed $seed equals numpy.random.RandomState', ({ seed, n, values }) => {
    expect(Array.from(new NumpyRandomState(seed).permutation(n))).toEqual(values);
  });

  it('rejects a seed NumPy would reject', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/seed -1/);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(/2\^32/);
    expect(() => new NumpyRandomState(1.5)).toThrow(/seed 1.5/);
  });
});

describe('stratifiedSplit equals scikit-learn train_test_split(stratify=y, random_state=seed)', () => {
  it.each(golden.splits)('$y labels, test_size $test_size, seed $seed', ({ y, test_size, seed, test }) => {
    const labels = golden.labels[y];
    if (labels === undefined) throw new Error(`golden file has no labels "${y}"; rerun scripts/golden-split.py`);
    const split = stratifiedSplit(labels, test_size, seed);
    expect(Array.from(split.test)).toEqual(test);
    expect(split.train.length + split.test.length).toBe(labels.length);
  });

  it('selects the same test rows of the bundled data for seeds 42, 43, 44', () => {
    const table = tableFromIPC(pq.readParquet(new Uint8Array(readFileSync(new URL('../../public/data/training_data.parquet', import.meta.url)))).intoIPCStream());
    const column = table.getChild('is_ordered');
    if (column === null) throw new Error('is_ordered is missing from the bundled data');
    const y = Float64Array.from(column, (v) => Number(v));
    for (const g of golden.bundled) {
      const { test } = stratifiedSplit(y, 0.2, g.seed);
      const positives = test.reduce((s, i) => s + (y[i] as number), 0);
      const sha = createHash('sha256').update(new Uint8Array(test.buffer, test.byteOffset, test.byteLength)).digest('hex');
      expect({ seed: g.seed, rows: test.length, positives, sha256: sha }).toEqual(g);
    }
  });
});
