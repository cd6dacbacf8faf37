/**
 * Bench of issue 12: the workbench's gradient boosting and random forest against scikit-learn 1.9 (the pinned peer in
 * .venv-bench) on the SAME rows: the bundled data, stratified split per seed (the workbench's split is scikit-learn's
 * train_test_split row for row). For each seed the peer runs first, then ours, so both see the same machine load.
 *
 *   node --import tsx scripts/bench-trees.ts [--quick] [--seeds 42,43,44] [--no-rf]
 *
 * Prints one JSON line: trees.gbdt.fit_ms / peer_fit_ms / ratio (medians), the same for rf, AUCs (median over seeds),
 * the capped-depth AUC, F1 at the default protocol's threshold (5-fold out-of-fold, refit) and on the validation slice
 * (ours and scikit-learn's through the validation-slice protocol), the default protocol's training time, the regressor's
 * test RMSE with gbdt (boosting from the linear model, its default), gbdt from the mean, rf and the linear default, and scikit-learn's HGB, forest and ridge through the same flow (trees.regression.*), predict time of the test rows and TreeSHAP time for 1,000 rows.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { rocAuc } from '../src/trainers/metrics.ts';
import { sampleRows } from '../src/trainers/permutationImportance.ts';
import { createRng } from '../src/trainers/random.ts';
import { classWeights } from '../src/trainers/resample.ts';
import { stratifiedSplit } from '../src/trainers/split.ts';
import { splitForClassifier } from '../src/trainers/classifier.ts';
import { trainRegressor } from '../src/trainers/regressor.ts';
import { DEFAULT_GBDT_PARAMS, fitGbdt } from '../src/trainers/trees/boosting.ts';
import { outputFromRaw, predictRaw, type TreeEnsemble } from '../src/trainers/trees/ensemble.ts';
import { DEFAULT_FOREST_PARAMS, fitForest } from '../src/trainers/trees/forest.ts';
import { DEFAULT_TREE_SETTINGS, trainTreeClassifier, type TreeClassifierResult } from '../src/trainers/trees/treeClassifier.ts';
import { createNodeTreeUnitRunner } from '../src/pipeline/treeUnitThreads.ts';
import type { TreeUnitRunner } from '../src/trainers/trees/treeProtocol.ts';
import type { ModelMatrix } from '../src/data/types.ts';
import { treeShap } from '../src/trainers/trees/treeShap.ts';
import { binRows } from '../src/trainers/trees/binning.ts';
import { groupIdenticalRows } from '../src/trainers/trees/rowGroups.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../src/trainers/types.ts';
import { loadTrainingData } from './bench-search.ts';
import { runPeer } from './pythonPeer.mjs';

interface PeerModel { readonly fit_ms: number; readonly predict_ms: number; readonly auc: number }
/** The peer's run of the workbench's Train-cell protocol (fit rows, early stopping and threshold on the validation slice). */
interface PeerFlow { readonly n_iter: number; readonly auc: number; readonly threshold: number; readonly f1_at_valid_threshold: number; readonly oracle_f1: number }
/** The peer's run of the Train regressor cell's default flow: test RMSE in dollars (converting rows, log1p, smearing). */
interface PeerRegression { readonly hgb_rmse: number; readonly hgb_n_iter: number; readonly linear_rmse: number; readonly rf_rmse?: number; readonly fit_rows: number; readonly valid_rows: number; readonly test_rows: number }
/** The peer's forest through TunedThresholdClassifierCV(cv=5, refit=True): test F1 at its tuned threshold, AUC, wall time of the fit. */
interface PeerRfFlow { readonly f1: number; readonly auc: number; readonly threshold: number; readonly fit_ms: number }
interface PeerRun { readonly hgb?: PeerModel; readonly rf?: PeerModel; readonly flow?: PeerFlow; readonly rfflow?: PeerRfFlow; readonly reg?: PeerRegression; readonly train_rows: number; readonly test_rows: number }

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
};
const round = (v: number, d = 4): number => Number(v.toFixed(d));

/** A full garbage collection, so a memory baseline holds live data only (not the loader's garbage, whose later collection read as negative use). */
const collectGarbage = ((): (() => void) => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** Runs the bench; `log` gets progress lines. */
/**
 * One tree model's default protocol on the Train cell's split, twice: its fits one after another in this thread and on
 * the helper threads (the order given); the two must agree exactly.
 */
async function protocolBothWays(matrix: ModelMatrix, y: Float32Array | Float64Array, model: 'gbdt' | 'rf', seed: number, parallelFirst: boolean, runner: TreeUnitRunner): Promise<{ sequential: TreeClassifierResult; parallel: TreeClassifierResult }> {
  const config = { ...DEFAULT_CLASSIFIER_CONFIG, model, trees: DEFAULT_TREE_SETTINGS, seed };
  const timed: Partial<Record<'sequential' | 'parallel', TreeClassifierResult>> = {};
  for (const mode of parallelFirst ? ['parallel', 'sequential'] as const : ['sequential', 'parallel'] as const) {
    timed[mode] = await trainTreeClassifier({ matrix, y, config, ...(mode === 'parallel' ? { runner } : {}) });
  }
  const { sequential, parallel } = timed;
  if (!sequential || !parallel) throw new Error(`the ${model} flow did not run in both modes`);
  if (sequential.threshold !== parallel.threshold || sequential.testProba.some((v, i) => v !== parallel.testProba[i])) {
    throw new Error(`the ${model} flow on helper threads differs from the one in this thread (threshold ${parallel.threshold} against ${sequential.threshold}); they must agree exactly`);
  }
  return { sequential, parallel };
}

/**
 * Only both tree models' default protocol, ours, its fits one after another and on helper threads (interleaved): the
 * figures of the protocol's speed-up and the forest's F1, in minutes on a loaded machine where the whole bench takes an hour.
 */
export async function benchTreeFlows(options: { readonly seeds: readonly number[]; readonly log: (line: string) => void; readonly dataPath?: string }): Promise<Record<string, unknown>> {
  const { seeds, log } = options;
  const path = options.dataPath ?? new URL('../public/data/training_data.parquet', import.meta.url).pathname;
  const leakFree = loadTrainingData(path, { drop: new Set(['is_ordered', 'revenue', 'engagement_depth']) });
  const y = leakFree.y;
  const flowMatrix = { rows: leakFree.rows, cols: leakFree.cols, X: leakFree.X, featureNames: leakFree.names, featureGroups: leakFree.names };
  const helpers = createNodeTreeUnitRunner(Math.max(1, Math.min(7, availableParallelism())));
  const ms = { gbdt: { sequential: [] as number[], parallel: [] as number[] }, rf: { sequential: [] as number[], parallel: [] as number[] } };
  const phases = { gbdt: { sequential: [] as Array<Readonly<Record<string, number>>>, parallel: [] as Array<Readonly<Record<string, number>>> }, rf: { sequential: [] as Array<Readonly<Record<string, number>>>, parallel: [] as Array<Readonly<Record<string, number>>> } };
  const f1 = { gbdt: [] as number[], rf: [] as number[] };
  const auc = { gbdt: [] as number[], rf: [] as number[] };
  const oracle = { gbdt: [] as number[], rf: [] as number[] };
  for (const seed of seeds) {
    const parallelFirst = seeds.indexOf(seed) % 2 === 1;
    for (const model of ['gbdt', 'rf'] as const) {
      const { sequential, parallel } = await protocolBothWays(flowMatrix, y, model, seed, parallelFirst, helpers.runner);
      ms[model].sequential.push(sequential.trainMs);
      ms[model].parallel.push(parallel.trainMs);
      phases[model].sequential.push(sequential.phaseMs ?? {});
      phases[model].parallel.push(parallel.phaseMs ?? {});
      f1[model].push(parallel.metrics.f1_score);
      auc[model].push(parallel.metrics.auc_roc);
      oracle[model].push(parallel.metrics.oracle_f1);
      log(`seed ${seed}: ${model} default protocol f1 ${parallel.metrics.f1_score.toFixed(4)} auc ${parallel.metrics.auc_roc.toFixed(4)}; ${sequential.trainMs.toFixed(0)} ms one after another ${JSON.stringify(sequential.phaseMs)}, ${parallel.trainMs.toFixed(0)} ms on ${helpers.runner.parallel} helper threads ${JSON.stringify(parallel.phaseMs)}`);
    }
  }
  helpers.close();
  return {
    'trees.seeds': seeds,
    'trees.flow_helper_threads': helpers.runner.parallel,
    'trees.flow_timing': 'each model\'s default protocol twice per seed, interleaved (ABBA over the seeds) in the same run: its fits one after another in one thread (flow_train_ms_sequential) and on helper threads (flow_train_ms_parallel); the results agree exactly (checked)',
    ...Object.fromEntries((['gbdt', 'rf'] as const).flatMap((m) => [
      [`trees.${m}.flow_train_ms_sequential`, round(median(ms[m].sequential), 0)],
      [`trees.${m}.flow_train_ms_parallel`, round(median(ms[m].parallel), 0)],
      [`trees.${m}.flow_train_ms_by_seed`, { sequential: ms[m].sequential.map((v) => round(v, 0)), parallel: ms[m].parallel.map((v) => round(v, 0)) }],
      [`trees.${m}.flow_parallel_speedup`, round(median(ms[m].sequential.map((v, i) => v / (ms[m].parallel[i] as number))), 2)],
      [`trees.${m}.flow_phase_ms_sequential`, medianPhases(phases[m].sequential)],
      [`trees.${m}.flow_phase_ms_parallel`, medianPhases(phases[m].parallel)],
      [`trees.${m}.flow_f1_at_valid_threshold`, round(median(f1[m]))],
      [`trees.${m}.flow_f1_by_seed`, f1[m].map((v) => round(v))],
      [`trees.${m}.flow_auc`, round(median(auc[m]))],
      [`trees.${m}.flow_oracle_f1`, round(median(oracle[m]))],
    ])),
    'trees.rf.peer_flow_f1': 'not run: --flow-only times ours alone (scikit-learn\'s forest through TunedThresholdClassifierCV is six forest fits per seed; the whole bench runs it on seed 42)',
  };
}

export async function benchTrees(options: { readonly seeds?: readonly number[]; readonly rf?: boolean; readonly peerRfFlowSeeds?: readonly number[]; readonly flowOnly?: boolean; readonly log?: (line: string) => void; readonly dataPath?: string } = {}): Promise<Record<string, unknown>> {
  const log = options.log ?? (() => undefined);
  const seeds = options.seeds ?? [42, 43, 44];
  const withRf = options.rf ?? true;
  // scikit-learn's forest through TunedThresholdClassifierCV(cv=5, refit=True): six forest fits per seed (minutes on
  // 2 cores), so by default on the first seed only
  const peerRfFlowSeeds = options.peerRfFlowSeeds ?? seeds.slice(0, 1);
  const path = options.dataPath ?? new URL('../public/data/training_data.parquet', import.meta.url).pathname;
  const leakFree = loadTrainingData(path, { drop: new Set(['is_ordered', 'revenue', 'engagement_depth']) });
  const capped = loadTrainingData(path, { drop: new Set(['is_ordered', 'revenue']), cap: { column: 'engagement_depth', max: 4 } });
  // revenue alone (every other column dropped), for the regression figures
  const revenue = loadTrainingData(path, { drop: new Set([...leakFree.names, 'is_ordered', 'engagement_depth']) });
  if (revenue.cols !== 1 || revenue.names[0] !== 'revenue') throw new Error(`expected the revenue column alone, got ${revenue.names.join(', ')}; rebuild the data`);
  const matrixMb = (leakFree.X.byteLength / 2 ** 20);
  log(`loaded ${leakFree.rows} rows × ${leakFree.cols} features (${matrixMb.toFixed(1)} MiB as float32)`);

  const fitMs = { gbdt: [] as number[], rf: [] as number[] };
  const peerMs = { gbdt: [] as number[], rf: [] as number[] };
  const auc = { gbdt: [] as number[], rf: [] as number[], hgb: [] as number[], peerRf: [] as number[], gbdtCapped: [] as number[], hgbCapped: [] as number[] };
  const f1: number[] = [];
  const f1Cv: number[] = [];
  const f1Slice: number[] = [];
  const flowMs: number[] = [];
  const flowSliceMs: number[] = [];
  const flowPhases: Array<Readonly<Record<string, number>>> = [];
  const oracleF1: number[] = [];
  const peerFlow = { f1: [] as number[], auc: [] as number[], oracleF1: [] as number[] };
  const flowAuc: number[] = [];
  // both tree models' default protocol, its fits one after another in this thread or at once on helper threads
  const flowMsBy = { gbdt: { sequential: [] as number[], parallel: [] as number[] }, rf: { sequential: [] as number[], parallel: [] as number[] } };
  const flowPhasesBy = {
    gbdt: { sequential: [] as Array<Readonly<Record<string, number>>>, parallel: [] as Array<Readonly<Record<string, number>>> },
    rf: { sequential: [] as Array<Readonly<Record<string, number>>>, parallel: [] as Array<Readonly<Record<string, number>>> },
  };
  const flowF1By = { gbdt: [] as number[], rf: [] as number[] };
  const flowAucBy = { gbdt: [] as number[], rf: [] as number[] };
  const flowOracleBy = { gbdt: [] as number[], rf: [] as number[] };
  const peerFlowRf = { seeds: [] as number[], f1: [] as number[], auc: [] as number[], ms: [] as number[] };
  const helpers = createNodeTreeUnitRunner(Math.max(1, Math.min(7, availableParallelism())));
  const flowF1Capped: number[] = [];
  const predictMs = { gbdt: [] as number[], rf: [] as number[] };
  const shapMs = { gbdt: [] as number[], rf: [] as number[] };
  // CPU time as well: on a shared machine the wall time mostly measures the other processes
  const shapCpuMs = { gbdt: [] as number[], rf: [] as number[] };
  let shapDistinctRows = 0;
  // the rf on the SHAP cell's own seeded sample (what a user explains)
  const shapSampleMs: number[] = [];
  const shapSampleCpuMs: number[] = [];
  let shapSampleDistinct = 0;
  const peakMb: number[] = [];
  const regRmse = { gbdt: [] as number[], gbdtFromMean: [] as number[], rf: [] as number[], linear: [] as number[] };
  // trees in the default gbdt regressor's model (the init model's trees included)
  const regTrees: number[] = [];
  const peerRegRmse = { hgb: [] as number[], rf: [] as number[], linear: [] as number[] };
  const fitRowsMs: number[] = [];
  let grouped = true;
  const y = leakFree.y;

  for (const seed of seeds) {
    const { train, test } = stratifiedSplit(y, 0.2, seed);
    const yTrain = Float64Array.from(train, (i) => y[i] as number);
    const yTest = Float64Array.from(test, (i) => y[i] as number);
    const { w0, w1 } = classWeights(yTrain, 'balanced');
    const weight = yTrain.map((v) => (v === 1 ? w1 : w0));

    log(`seed ${seed}: scikit-learn (hgb${withRf ? ', rf' : ''})`);
    const peer = JSON.parse(runPeer('scripts/bench-trees-peer.py', [path, String(seed), 'leakfree', withRf ? `hgb,rf,flow,reg${peerRfFlowSeeds.includes(seed) ? ',rfflow' : ''}` : 'hgb,flow,reg'])) as PeerRun;
    if (peer.train_rows !== train.length || peer.test_rows !== test.length) throw new Error(`the peer split ${peer.train_rows}/${peer.test_rows} rows, ours ${train.length}/${test.length}; the splits must agree`);

    // ours, as the peer: every training row, 100 iterations, no early stopping, binning included in the time
    collectGarbage();
    const before = process.memoryUsage();
    let peak = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
    };
    const t0 = performance.now();
    const gb = fitGbdt({ task: 'classifier', train: { X: leakFree.X, cols: leakFree.cols, rowIdx: train, y: yTrain, weight }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, seed }, onTree: sample });
    fitMs.gbdt.push(performance.now() - t0);
    peakMb.push(peak / 2 ** 20);
    grouped &&= gb.grouped;
    const t1 = performance.now();
    const pg = outputFromRaw(gb.ensemble, predictRaw(gb.ensemble, leakFree.X, test));
    predictMs.gbdt.push(performance.now() - t1);
    auc.gbdt.push(rocAuc(yTest, pg));
    const sg = timeShap(gb.ensemble, leakFree.X, test);
    shapMs.gbdt.push(sg.wallMs);
    shapCpuMs.gbdt.push(sg.cpuMs);
    shapDistinctRows = sg.distinctRows;
    peerMs.gbdt.push(peer.hgb?.fit_ms ?? Number.NaN);
    auc.hgb.push(peer.hgb?.auc ?? Number.NaN);
    log(`seed ${seed}: gbdt ${fitMs.gbdt.at(-1)?.toFixed(0)} ms (peer ${peer.hgb?.fit_ms} ms), auc ${auc.gbdt.at(-1)?.toFixed(4)} (peer ${peer.hgb?.auc})`);

    if (withRf) {
      const t2 = performance.now();
      const rf = fitForest({ task: 'classifier', train: { X: leakFree.X, cols: leakFree.cols, rowIdx: train, y: yTrain, weight }, params: { ...DEFAULT_FOREST_PARAMS, seed } });
      fitMs.rf.push(performance.now() - t2);
      const t3 = performance.now();
      const pr = outputFromRaw(rf.ensemble, predictRaw(rf.ensemble, leakFree.X, test));
      predictMs.rf.push(performance.now() - t3);
      auc.rf.push(rocAuc(yTest, pr));
      const sr = timeShap(rf.ensemble, leakFree.X, test);
      shapMs.rf.push(sr.wallMs);
      shapCpuMs.rf.push(sr.cpuMs);
      const ss = timeShap(rf.ensemble, leakFree.X, test, true);
      shapSampleMs.push(ss.wallMs);
      shapSampleCpuMs.push(ss.cpuMs);
      shapSampleDistinct = ss.distinctRows;
      peerMs.rf.push(peer.rf?.fit_ms ?? Number.NaN);
      auc.peerRf.push(peer.rf?.auc ?? Number.NaN);
      log(`seed ${seed}: rf ${fitMs.rf.at(-1)?.toFixed(0)} ms (peer ${peer.rf?.fit_ms} ms), auc ${auc.rf.at(-1)?.toFixed(4)} (peer ${peer.rf?.auc})`);
    }

    // the workbench's own flow with its default protocol: boosting on the fit rows early-stopped on the validation slice,
    // the threshold on 5-fold out-of-fold scores of every training row, the model refitted on all of them; test metrics.
    // Each model twice, interleaved (ABBA over the seeds): its fits one after another in this thread, and the fit-row model
    // and the fold models at once on helper threads (as the page's training worker runs them); the two must agree exactly.
    const flowMatrix = { rows: leakFree.rows, cols: leakFree.cols, X: leakFree.X, featureNames: leakFree.names, featureGroups: leakFree.names };
    const flowConfig = { ...DEFAULT_CLASSIFIER_CONFIG, model: 'gbdt' as const, trees: DEFAULT_TREE_SETTINGS, seed };
    const parallelFirst = seeds.indexOf(seed) % 2 === 1;
    const flows = { gbdt: null as TreeClassifierResult | null, rf: null as TreeClassifierResult | null };
    for (const model of withRf ? ['gbdt', 'rf'] as const : ['gbdt'] as const) {
      const { sequential, parallel } = await protocolBothWays(flowMatrix, y, model, seed, parallelFirst, helpers.runner);
      flowMsBy[model].sequential.push(sequential.trainMs);
      flowMsBy[model].parallel.push(parallel.trainMs);
      flowPhasesBy[model].sequential.push(sequential.phaseMs ?? {});
      flowPhasesBy[model].parallel.push(parallel.phaseMs ?? {});
      flowF1By[model].push(parallel.metrics.f1_score);
      flowAucBy[model].push(parallel.metrics.auc_roc);
      flowOracleBy[model].push(parallel.metrics.oracle_f1);
      flows[model] = parallel;
      log(`seed ${seed}: ${model} default protocol f1 ${parallel.metrics.f1_score.toFixed(4)} auc ${parallel.metrics.auc_roc.toFixed(4)}; ${sequential.trainMs.toFixed(0)} ms one after another ${JSON.stringify(sequential.phaseMs)}, ${parallel.trainMs.toFixed(0)} ms on ${helpers.runner.parallel} helper threads ${JSON.stringify(parallel.phaseMs)}`);
    }
    const flow = flows.gbdt;
    if (!flow) throw new Error('the gbdt flow did not run');
    f1.push(flow.metrics.f1_score);
    flowMs.push(flow.trainMs);
    flowPhases.push(flow.phaseMs ?? {});
    if (withRf && peer.rfflow) {
      peerFlowRf.seeds.push(seed);
      peerFlowRf.f1.push(peer.rfflow?.f1 ?? Number.NaN);
      peerFlowRf.auc.push(peer.rfflow?.auc ?? Number.NaN);
      peerFlowRf.ms.push(peer.rfflow?.fit_ms ?? Number.NaN);
      log(`seed ${seed}: peer rf through TunedThresholdClassifierCV(cv=5, refit=True): f1 ${peer.rfflow?.f1} auc ${peer.rfflow?.auc} (${peer.rfflow?.fit_ms} ms)`);
    }
    // the earlier protocols on the same rows: the threshold on the validation slice, the model on the fit rows (the default
    // up to notebook schema 6), and the 5-fold threshold without the refit
    const flowSlice = await trainTreeClassifier({ matrix: flowMatrix, y, config: { ...flowConfig, thresholdFolds: 0, refit: false } });
    f1Slice.push(flowSlice.metrics.f1_score);
    flowSliceMs.push(flowSlice.trainMs);
    const flowCv = await trainTreeClassifier({ matrix: flowMatrix, y, config: { ...flowConfig, refit: false } });
    f1Cv.push(flowCv.metrics.f1_score);
    log(`seed ${seed}: f1 ${flow.metrics.f1_score.toFixed(4)} (5-fold threshold ${flow.threshold.toFixed(4)}, refit, ${flow.trainMs.toFixed(0)} ms: ${JSON.stringify(flow.phaseMs)}); validation slice ${flowSlice.metrics.f1_score.toFixed(4)} (threshold ${flowSlice.threshold.toFixed(4)}, ${flowSlice.trainMs.toFixed(0)} ms); 5-fold without refit ${flowCv.metrics.f1_score.toFixed(4)}`);
    oracleF1.push(flow.metrics.oracle_f1);
    flowAuc.push(flow.metrics.auc_roc);
    peerFlow.f1.push(peer.flow?.f1_at_valid_threshold ?? Number.NaN);
    peerFlow.auc.push(peer.flow?.auc ?? Number.NaN);
    peerFlow.oracleF1.push(peer.flow?.oracle_f1 ?? Number.NaN);
    log(`seed ${seed}: flow ${flow.epochs} trees, f1 on the validation slice ${flowSlice.metrics.f1_score.toFixed(4)} (peer ${peer.flow?.n_iter} iterations, ${peer.flow?.f1_at_valid_threshold}), test-chosen f1 ${flow.metrics.oracle_f1.toFixed(4)} (peer's fit-row model ${peer.flow?.oracle_f1})`);

    const peerCapped = JSON.parse(runPeer('scripts/bench-trees-peer.py', [path, String(seed), 'capped', 'hgb'])) as PeerRun;
    auc.hgbCapped.push(peerCapped.hgb?.auc ?? Number.NaN);
    const gc = fitGbdt({ task: 'classifier', train: { X: capped.X, cols: capped.cols, rowIdx: train, y: yTrain, weight }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, seed } });
    auc.gbdtCapped.push(rocAuc(yTest, outputFromRaw(gc.ensemble, predictRaw(gc.ensemble, capped.X, test))));
    const flowCapped = await trainTreeClassifier({ matrix: { rows: capped.rows, cols: capped.cols, X: capped.X, featureNames: capped.names, featureGroups: capped.names }, y, config: flowConfig });
    flowF1Capped.push(flowCapped.metrics.f1_score);
    // the same fit on the Train cell's fit rows (what the browser bench times in the page's worker)
    const cellSplit = splitForClassifier(y, DEFAULT_CLASSIFIER_CONFIG.testFraction, DEFAULT_CLASSIFIER_CONFIG.validationFraction, seed);
    const yFit = Float64Array.from(cellSplit.fit, (i) => y[i] as number);
    const fitWeights = classWeights(yFit, 'balanced');
    const t4 = performance.now();
    fitGbdt({ task: 'classifier', train: { X: leakFree.X, cols: leakFree.cols, rowIdx: cellSplit.fit, y: yFit, weight: yFit.map((v) => (v === 1 ? fitWeights.w1 : fitWeights.w0)) }, params: { ...DEFAULT_GBDT_PARAMS, earlyStopping: false, seed } });
    fitRowsMs.push(performance.now() - t4);

    // the regressor as the Train regressor cell runs it (converting sessions, log1p + smearing), gbdt against the linear default
    // gbdt boosts from the linear model by default; gbdtFromMean boosts from the mean as scikit-learn's HGB does
    for (const variant of withRf ? ['linear', 'gbdt', 'gbdtFromMean', 'rf'] as const : ['linear', 'gbdt', 'gbdtFromMean'] as const) {
      const model = variant === 'gbdtFromMean' ? 'gbdt' : variant;
      const reg = await trainRegressor({
        tf, matrix: { rows: leakFree.rows, cols: leakFree.cols, X: leakFree.X, featureNames: leakFree.names, featureGroups: leakFree.names },
        revenue: revenue.X, isOrdered: y, config: { ...DEFAULT_REGRESSOR_CONFIG, model, seed, ...(variant === 'gbdtFromMean' ? { initModel: 'mean' as const } : {}) },
      });
      regRmse[variant].push(reg.metrics.rmse);
      if (variant === 'gbdt') regTrees.push('treeNodes' in reg.bundle ? reg.bundle.treeNodes.length : Number.NaN);
      if (model === 'gbdt' && peer.reg && (reg.counts.train !== peer.reg.fit_rows || reg.counts.valid !== peer.reg.valid_rows || reg.counts.test !== peer.reg.test_rows)) {
        throw new Error(`the peer's regression rows ${peer.reg.fit_rows}/${peer.reg.valid_rows}/${peer.reg.test_rows} differ from ours ${reg.counts.train}/${reg.counts.valid}/${reg.counts.test}; the splits must agree`);
      }
    }
    peerRegRmse.hgb.push(peer.reg?.hgb_rmse ?? Number.NaN);
    peerRegRmse.linear.push(peer.reg?.linear_rmse ?? Number.NaN);
    peerRegRmse.rf.push(peer.reg?.rf_rmse ?? Number.NaN);
    log(`seed ${seed}: regression rmse gbdt ${regRmse.gbdt.at(-1)?.toFixed(4)} (from the linear model, ${regTrees.at(-1)} trees with the init model's), gbdt from the mean ${regRmse.gbdtFromMean.at(-1)?.toFixed(4)} (peer hgb ${peer.reg?.hgb_rmse}), rf ${regRmse.rf.at(-1)?.toFixed(4) ?? '-'} (peer ${peer.reg?.rf_rmse ?? '-'}), linear ${regRmse.linear.at(-1)?.toFixed(4)} (peer ridge ${peer.reg?.linear_rmse})`);
    log(`seed ${seed}: flow auc ${flow.metrics.auc_roc.toFixed(4)} f1 ${flow.metrics.f1_score.toFixed(4)} (${flow.epochs} trees); capped auc ${auc.gbdtCapped.at(-1)?.toFixed(4)} (peer ${peerCapped.hgb?.auc}), flow f1 ${flowCapped.metrics.f1_score.toFixed(4)}`);
  }
  helpers.close();
  const ratio = (ours: number[], peer: number[]): number => round(median(ours.map((v, i) => v / (peer[i] as number))), 3);
  return {
    'trees.seeds': seeds,
    'trees.rows': leakFree.rows,
    'trees.features': leakFree.cols,
    'trees.grouped_rows': grouped,
    'trees.gbdt.fit_ms': round(median(fitMs.gbdt), 0),
    'trees.gbdt.peer_fit_ms': round(median(peerMs.gbdt), 0),
    // node, the Train cell's fit rows (training split less its validation slice), 100 trees: the browser figure's node twin
    'trees.gbdt.node_fit_ms_fit_rows': round(median(fitRowsMs), 0),
    'trees.gbdt.ratio': ratio(fitMs.gbdt, peerMs.gbdt),
    'trees.gbdt.auc': round(median(auc.gbdt)),
    'trees.gbdt.peer_auc': round(median(auc.hgb)),
    'trees.gbdt.auc_capped_depth': round(median(auc.gbdtCapped)),
    'trees.gbdt.peer_auc_capped_depth': round(median(auc.hgbCapped)),
    'trees.gbdt.flow_auc': round(median(flowAuc)),
    // the default protocol's F1 (key kept from when the validation slice chose the threshold)
    'trees.gbdt.flow_f1_at_valid_threshold': round(median(f1)),
    'trees.gbdt.flow_threshold_protocol': 'max F1 on 5-fold out-of-fold scores of the training rows; final model refitted on all training rows with the early-stopped tree count (TunedThresholdClassifierCV(cv=5, refit=True))',
    // the earlier default: threshold on the validation slice, model fitted on the fit rows
    'trees.gbdt.flow_f1_validation_slice': round(median(f1Slice)),
    // thresholdFolds 5 without the refit
    'trees.gbdt.flow_f1_at_cv5_threshold': round(median(f1Cv)),
    'trees.gbdt.flow_f1_by_seed': { default: f1.map((v) => round(v)), validation_slice: f1Slice.map((v) => round(v)), cv5_no_refit: f1Cv.map((v) => round(v)), oracle: oracleF1.map((v) => round(v)) },
    // what the default protocol costs: the Train cell's whole training time with it (node; the fit-row model and the fold
    // models at once on helper threads, as the page runs them) and with the validation slice alone
    'trees.gbdt.flow_train_ms': round(median(flowMs), 0),
    'trees.flow_helper_threads': helpers.runner.parallel,
    'trees.flow_timing': 'each model\'s default protocol twice per seed, interleaved (ABBA over the seeds) in the same run: its fits one after another in one thread (flow_train_ms_sequential) and on helper threads (flow_train_ms_parallel); the results agree exactly (checked)',
    ...Object.fromEntries((withRf ? ['gbdt', 'rf'] as const : ['gbdt'] as const).flatMap((m) => [
      [`trees.${m}.flow_train_ms_sequential`, round(median(flowMsBy[m].sequential), 0)],
      [`trees.${m}.flow_train_ms_parallel`, round(median(flowMsBy[m].parallel), 0)],
      [`trees.${m}.flow_train_ms_by_seed`, { sequential: flowMsBy[m].sequential.map((v) => round(v, 0)), parallel: flowMsBy[m].parallel.map((v) => round(v, 0)) }],
      [`trees.${m}.flow_parallel_speedup`, round(median(flowMsBy[m].sequential.map((v, i) => v / (flowMsBy[m].parallel[i] as number))), 2)],
      [`trees.${m}.flow_phase_ms_sequential`, medianPhases(flowPhasesBy[m].sequential)],
      [`trees.${m}.flow_phase_ms_parallel`, medianPhases(flowPhasesBy[m].parallel)],
    ])),
    'trees.gbdt.flow_train_ms_validation_slice': round(median(flowSliceMs), 0),
    'trees.gbdt.flow_phase_ms': medianPhases(flowPhases),
    // scikit-learn's HGB through the validation-slice protocol (same rows, early stopping on the same validation slice, same threshold rule): compare with flow_f1_validation_slice
    'trees.gbdt.peer_flow_f1_at_valid_threshold': round(median(peerFlow.f1)),
    'trees.gbdt.peer_flow_auc': round(median(peerFlow.auc)),
    // the best F1 any threshold reaches on the test rows (chosen on the test rows: a ceiling, not a result)
    'trees.gbdt.flow_oracle_f1': round(median(oracleF1)),
    'trees.gbdt.peer_flow_oracle_f1': round(median(peerFlow.oracleF1)),
    'trees.gbdt.flow_f1_capped_depth': round(median(flowF1Capped)),
    'trees.gbdt.predict_ms': round(median(predictMs.gbdt), 1),
    // which path the SHAP and predict figures time: node, one thread (the page's SHAP cell splits its rows between two
    // workers: trees.rf.browser_shap_1000_ms, from the browser part of the bench)
    'trees.shap_1000_path': 'node, one thread, the first 1,000 test rows (shap_1000_cell_sample: the SHAP cell\'s seeded sample)',
    'trees.predict_path': 'node, one thread, every test row (binning included)',
    'trees.gbdt.shap_1000_ms': round(median(shapMs.gbdt), 1),
    'trees.gbdt.shap_1000_cpu_ms': round(median(shapCpuMs.gbdt), 1),
    'trees.shap_1000_distinct_rows': shapDistinctRows,
    // heap + array buffers above the collected baseline (which holds the matrix), sampled after each tree; garbage not yet collected counts
    'trees.gbdt.peak_extra_mb': round(median(peakMb), 1),
    'trees.gbdt.peak_over_matrix': round((matrixMb + median(peakMb)) / matrixMb, 2),
    'trees.matrix_mb': round(matrixMb, 1),
    ...(withRf ? {
      // the forest's F1 under the Train cell's default protocol (threshold on 5-fold out-of-fold scores, refit on all training rows)
      'trees.rf.flow_f1_at_valid_threshold': round(median(flowF1By.rf)),
      'trees.rf.flow_auc': round(median(flowAucBy.rf)),
      'trees.rf.flow_oracle_f1': round(median(flowOracleBy.rf)),
      'trees.rf.flow_f1_by_seed': flowF1By.rf.map((v) => round(v)),
      'trees.rf.flow_threshold_protocol': 'max F1 on 5-fold out-of-fold scores of the training rows (each fold model fitted on 85 % of its training part, as the fit-row model); final forest refitted on all training rows',
      ...(peerFlowRf.seeds.length > 0 ? {
        'trees.rf.peer_flow_seeds': peerFlowRf.seeds,
        'trees.rf.peer_flow_f1': round(median(peerFlowRf.f1)),
        'trees.rf.peer_flow_auc': round(median(peerFlowRf.auc)),
        'trees.rf.peer_flow_f1_by_seed': peerFlowRf.f1.map((v) => round(v)),
        // ours on the same seeds, to compare with the peer's where it ran
        'trees.rf.flow_f1_on_peer_flow_seeds': peerFlowRf.seeds.map((sd) => round(flowF1By.rf[seeds.indexOf(sd)] ?? Number.NaN)),
        'trees.rf.peer_flow_fit_ms': round(median(peerFlowRf.ms), 0),
        'trees.rf.peer_flow_protocol': 'TunedThresholdClassifierCV(RandomForestClassifier(200, max_depth=15, min_samples_split=5, class_weight="balanced", n_jobs=2), scoring="f1", cv=5, refit=True), its own folds, on every training row',
        ...(peerFlowRf.seeds.length < seeds.length ? { 'trees.rf.peer_flow_note': `scikit-learn's forest through TunedThresholdClassifierCV is six forest fits per seed (${round(median(peerFlowRf.ms) / 1000, 0)} s each run here), so this run ran it on seed ${peerFlowRf.seeds.join(', ')} only (--peer-rf-flow-seeds 42,43,44 for all)` } : {}),
      } : { 'trees.rf.peer_flow_f1': 'not run: --peer-rf-flow-seeds none (scikit-learn\'s forest through TunedThresholdClassifierCV is six forest fits per seed)' }),
      'trees.rf.fit_ms': round(median(fitMs.rf), 0),
      'trees.rf.peer_fit_ms': round(median(peerMs.rf), 0),
      'trees.rf.ratio': ratio(fitMs.rf, peerMs.rf),
      'trees.rf.auc': round(median(auc.rf)),
      'trees.rf.peer_auc': round(median(auc.peerRf)),
      'trees.rf.predict_ms': round(median(predictMs.rf), 1),
      'trees.rf.shap_1000_ms': round(median(shapMs.rf), 1),
      'trees.rf.shap_1000_cpu_ms': round(median(shapCpuMs.rf), 1),
      'trees.rf.shap_1000_cell_sample_ms': round(median(shapSampleMs), 1),
      'trees.rf.shap_1000_cell_sample_cpu_ms': round(median(shapSampleCpuMs), 1),
      'trees.shap_1000_cell_sample_distinct_rows': shapSampleDistinct,
    } : {}),
    // converting rows, log1p + smearing, test RMSE in dollars (the Train regressor cell's default flow)
    'trees.regression.rmse_gbdt': round(median(regRmse.gbdt), 3),
    'trees.regression.rmse_linear': round(median(regRmse.linear), 3),
    // scikit-learn through the same flow on the same rows (HGB early-stopped on the same validation slice, ridge on every training row)
    'trees.regression.peer_rmse_hgb': round(median(peerRegRmse.hgb), 3),
    'trees.regression.peer_rmse_linear': round(median(peerRegRmse.linear), 3),
    // boosting from the mean, as scikit-learn's HGB (the gbdt regressor's default boosts from the linear model)
    'trees.regression.rmse_gbdt_from_mean': round(median(regRmse.gbdtFromMean), 3),
    'trees.regression.gbdt_trees_by_seed': regTrees,
    'trees.regression.rmse_by_seed': {
      gbdt: regRmse.gbdt.map((v) => round(v, 4)), gbdt_from_mean: regRmse.gbdtFromMean.map((v) => round(v, 4)), linear: regRmse.linear.map((v) => round(v, 4)), peer_hgb: peerRegRmse.hgb.map((v) => round(v, 4)),
    },
    ...(withRf ? { 'trees.regression.rmse_rf': round(median(regRmse.rf), 3), 'trees.regression.peer_rmse_rf': round(median(peerRegRmse.rf), 3) } : {}),
    'trees.test_rows': stratifiedSplit(y, 0.2, seeds[0] ?? 42).test.length,
  };
}

/** The median of each part's time over the seeds. */
function medianPhases(phases: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> {
  return Object.fromEntries(Object.keys(phases[0] ?? {}).map((k) => [k, round(median(phases.map((p) => p[k] ?? Number.NaN)), 0)]));
}

/**
 * TreeSHAP of 1,000 test rows: the first 1,000, or (`sample`) the SHAP cell's seeded sample of 1,000 (seed 42), which
 * holds several times more distinct rows on the bundled data; wall and CPU ms, and how many rows are distinct (each is
 * computed once).
 */
function timeShap(e: TreeEnsemble, X: Float32Array, test: Uint32Array, sample = false): { wallMs: number; cpuMs: number; distinctRows: number } {
  const rows = sample ? Uint32Array.from(sampleRows(test.length, 1000, createRng(42)), (p) => test[p] as number) : test.subarray(0, 1000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  treeShap(e, X, rows);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const distinctRows = groupIdenticalRows(binRows(X, e.cols, e.edges, rows), undefined, 1)?.binned.rows ?? rows.length;
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, distinctRows };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argAfter = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const seeds = (argAfter('--seeds') ?? (process.argv.includes('--quick') ? '42' : '42,43,44')).split(',').map(Number);
  (process.argv.includes('--flow-only') ? benchTreeFlows({ seeds, log: (line) => console.error(line) }) : benchTrees({ seeds, rf: !process.argv.includes('--no-rf'), peerRfFlowSeeds: argAfter('--peer-rf-flow-seeds') === 'none' ? [] : (argAfter('--peer-rf-flow-seeds') ?? String(seeds[0] ?? 42)).split(',').map(Number), log: (line) => console.error(line) }))
    .then((figures) => console.log(JSON.stringify(figures)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
