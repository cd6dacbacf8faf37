/**
 * The tree classifier's protocol with its fits on helper threads (several at once) against the same protocol one fit
 * after another in this thread: the same out-of-fold scores, threshold and test scores, bit for bit (each fit is the same
 * code on the same rows and seed; only where it runs differs). Cancel stops the helpers mid-unit; the progress names its parts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelMatrix } from '../data/types.ts';
import { splitForClassifier } from '../trainers/classifier.ts';
import { createRng } from '../trainers/random.ts';
import { trainingRows } from '../trainers/splitPlan.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../trainers/types.ts';
import { DEFAULT_TREE_SETTINGS, trainTreeClassifier } from '../trainers/trees/treeClassifier.ts';
import { inProcessUnitRunner, type TreeClassifierConfig, type TreeFoldUnitResult, type TreeProtocolData, type TreeProtocolProgress, type TreeProtocolUnit } from '../trainers/trees/treeProtocol.ts';
import { createNodeTreeUnitRunner } from './treeUnitThreads.ts';

const n = 8000;
const cols = 5;
const rng = createRng(33);
const X = Float32Array.from({ length: n * cols }, (_, k) => (k % cols === 4 ? (rng() < 0.1 ? Number.NaN : rng() * 10) : Math.floor(rng() * (k % cols === 0 ? 24 : 3))));
const logit = (i: number): number => -2.2 + 1.2 * (X[i * cols + 1] as number) + 0.1 * Math.abs((X[i * cols] as number) - 12) - 0.2 * ((X[i * cols + 4] as number) || 0);
const y = Float32Array.from({ length: n }, (_, i) => (rng() < 1 / (1 + Math.exp(-logit(i))) ? 1 : 0));
const names = ['hour', 'visits', 'device', 'channel', 'spend'];
const matrix: ModelMatrix = { rows: n, cols, X, featureNames: names, featureGroups: names };

const helpers = createNodeTreeUnitRunner(2);
afterAll(() => helpers.close());

const configOf = (model: 'gbdt' | 'rf', nTrees = 30): TreeClassifierConfig => ({
  ...DEFAULT_CLASSIFIER_CONFIG, model, trees: { ...DEFAULT_TREE_SETTINGS, rf: { ...DEFAULT_TREE_SETTINGS.rf, nTrees } },
});

describe('tree classifier protocol on helper threads', () => {
  for (const model of ['gbdt', 'rf'] as const) {
    it(`${model}: the fold models on 2 threads give the same out-of-fold scores, threshold and test scores as one after another`, async () => {
      const config = configOf(model);
      const split = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
      const data: TreeProtocolData = { X, cols, y, fit: split.fit, valid: split.valid, training: trainingRows(split), config };
      const units: TreeProtocolUnit[] = Array.from({ length: 5 }, (_, fold) => ({ kind: 'fold', fold }));
      const quiet = { tree: () => undefined, done: () => undefined };
      const here = await inProcessUnitRunner().run(data, units, quiet);
      const there = await helpers.runner.run(data, units, quiet);
      const scores = (rs: readonly unknown[]): number[][] => (rs as TreeFoldUnitResult[]).map((r) => [...Array.from(r.positions), ...Array.from(r.scores)]);
      // every training row is held out once, and scored identically
      expect((there as TreeFoldUnitResult[]).reduce((s, r) => s + r.positions.length, 0)).toBe(data.training.length);
      expect(scores(there)).toEqual(scores(here));

      const sequential = await trainTreeClassifier({ matrix, y, config });
      const parallel = await trainTreeClassifier({ matrix, y, config, runner: helpers.runner });
      expect(parallel.threshold).toBe(sequential.threshold);
      expect(Array.from(parallel.testProba)).toEqual(Array.from(sequential.testProba));
      // the loss chart's curves (each tree's time differs, of course)
      expect(parallel.history.map((h) => [h.epoch, h.loss, h.valLoss])).toEqual(sequential.history.map((h) => [h.epoch, h.loss, h.valLoss]));
      expect(parallel.metrics).toEqual(sequential.metrics);
      expect(Object.keys(parallel.phaseMs ?? {})).toEqual(['fit', 'threshold_folds', 'fit_and_folds_wall', 'refit', 'predict']);
    });
  }

  it('reports the protocol part by part: fraction never falls and ends at 1, the folds and the refit named with their rows', async () => {
    const seen: TreeProtocolProgress[] = [];
    const config = configOf('gbdt');
    await trainTreeClassifier({ matrix, y, config, runner: helpers.runner, onProtocol: (p) => seen.push(p) });
    const fractions = seen.map((p) => p.fraction);
    fractions.forEach((f, i) => expect(f).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0));
    expect(fractions.at(-1)).toBe(1);
    expect(seen.at(-1)?.partsDone).toBe(7);
    const named = new Set(seen.flatMap((p) => p.running.map((r) => r.replace(/:.*/, ''))));
    const split = splitForClassifier(y, config.testFraction, config.validationFraction, config.seed);
    const training = split.fit.length + split.valid.length;
    expect([...named].sort()).toEqual([
      `fit on the ${split.fit.length.toLocaleString('en-US')} fit rows`, 'fold 1 of 5', 'fold 2 of 5', 'fold 3 of 5', 'fold 4 of 5', 'fold 5 of 5',
      `refit on all ${training.toLocaleString('en-US')} training rows`,
    ].sort());
    // two helpers: some report shows two parts running at once
    expect(Math.max(...seen.map((p) => p.running.length))).toBe(2);
  });

  it('cancel during the fold models stops the helpers within a second, and the next training runs', async () => {
    // a forest of 400 trees per fold: each unit takes seconds, so the cancel lands mid-unit
    const config = configOf('rf', 400);
    const flag = { aborted: false };
    let cancelledAt = 0;
    const run = trainTreeClassifier({
      matrix, y, config, runner: helpers.runner, signal: flag,
      onProtocol: (p) => {
        if (!flag.aborted && p.running.some((r) => r.startsWith('fold') && !r.includes(': 0 /'))) {
          flag.aborted = true;
          cancelledAt = performance.now();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancelledAt).toBeGreaterThan(0);
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    const again = await trainTreeClassifier({ matrix, y, config: configOf('rf', 10), runner: helpers.runner });
    expect(again.metrics.auc_roc).toBeGreaterThan(0.6);
  });
});
