/** `npm run pipeline` runs a prebuilt bundle: built once, rebuilt only when a file it was built from changes, and it runs the real job. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPipelineBundle, staleInputs } from '../../scripts/pipeline.mjs';

// inside the repository, as the real one: the bundle resolves parquet-wasm from node_modules above it
const outdir = path.resolve('.cache', `pipeline-test-${process.pid}`);
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('pipeline bundle', () => {
  it('is stale before it exists, fresh once built, stale again when a source it includes changes', async () => {
    expect(staleInputs(outdir)).toEqual(['(no bundle yet)']);
    await buildPipelineBundle(outdir);
    expect(staleInputs(outdir)).toEqual([]);
    const meta = JSON.parse(fs.readFileSync(path.join(outdir, 'meta.json'), 'utf8')) as { inputs: Record<string, number> };
    expect(Object.keys(meta.inputs)).toEqual(expect.arrayContaining(['src/pipeline/cli.ts', 'src/pipeline/trainThread.ts', 'src/trainers/fastLogistic.ts', 'package-lock.json']));
    const source = path.resolve('src/trainers/fastLogistic.ts');
    const { atime, mtime } = fs.statSync(source);
    try {
      fs.utimesSync(source, atime, new Date(mtime.getTime() + 2000));
      expect(staleInputs(outdir)).toEqual(['src/trainers/fastLogistic.ts']);
    } finally {
      fs.utimesSync(source, atime, mtime);
    }
    expect(staleInputs(outdir)).toEqual([]);
  }, 120_000);

  it('runs the whole job from the bundle, its training threads included', () => {
    const r = spawnSync(process.execPath, [path.join(outdir, 'cli.mjs'), '--data', '../shared/data/training_data.parquet', '--classifier', 'logistic', '--regressor', 'linear', '--exclude', 'engagement_depth'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(r.status, r.stderr.slice(-500)).toBe(0);
    const report = JSON.parse(r.stdout) as { classifier: { auc_roc: number; converged: boolean }; regressor: { rmse: number } };
    // scikit-learn's optimum on these rows gives a test AUC of 0.62812 (src/trainers/golden/sklearn-logistic.json)
    expect(report.classifier.auc_roc).toBeCloseTo(0.62812, 4);
    expect(report.classifier.converged).toBe(true);
    expect(report.regressor.rmse).toBeGreaterThan(0);
  }, 180_000);
});
