/** Train classifier: settings, one click (or both models in parallel), live progress, metrics beside the targets. */
import { useWorkbench } from '../app/store.ts';
import { downloadFile, safeFileName } from '../app/download.ts';
import { serializeBundle } from '../trainers/bundle.ts';
import { fmt, fmtInt } from '../app/format.ts';
import type { ClassifierConfig, ClassifierResult, ClassWeightOption, ResamplingOption } from '../trainers/types.ts';
import type { BackendPreference } from '../workers/trainProtocol.ts';
import { NumberField, SelectField, TextField } from './fields.tsx';
import { MAX_SPLIT_SEED } from '../trainers/split.ts';
import { MetricTable } from './MetricTable.tsx';
import { MlpPathNote, TrainingStatus } from './TrainingStatus.tsx';
import { SplitSummary } from './DataSettingsPanel.tsx';
import { isRunStale } from '../notebook/runs.ts';
import type { ClassifierCellSettings } from '../notebook/settings.ts';
import { cellOfKind } from '../app/notebookSlice.ts';
import { jobOf, runOfCell } from '../app/trainingSlice.ts';
import type { CellProps } from './cellDefinition.ts';
import { TreeSettingsFields, treeModelLabel } from './TreeSettingsFields.tsx';

export const BACKEND_OPTIONS: ReadonlyArray<readonly [BackendPreference, string]> = [
  ['auto', 'auto (fastest by warm-up)'], ['webgpu', 'WebGPU'], ['webgl', 'WebGL'], ['wasm', 'WASM'], ['cpu', 'CPU'],
];

function weightMode(w: ClassWeightOption): 'none' | 'balanced' | 'custom' {
  return typeof w === 'string' ? w : 'custom';
}

export function TrainClassifierCell({ cellId }: CellProps) {
  const c = useWorkbench((s) => cellOfKind(s, cellId, 'trainClassifier')?.config);
  const setCellSettings = useWorkbench((s) => s.setCellSettings);
  const backend = useWorkbench((s) => s.backendPreference);
  const setBackend = useWorkbench((s) => s.setBackendPreference);
  const train = useWorkbench((s) => s.train);
  const trainAll = useWorkbench((s) => s.trainAll);
  const job = useWorkbench((s) => jobOf(s, cellId));
  const checking = useWorkbench((s) => s.dataset !== null && s.analysis === null && s.load.status !== 'error');
  const ready = useWorkbench((s) => s.analysis !== null && s.analysis.issues.length === 0);
  const run = useWorkbench((s) => runOfCell(s, cellId, 'classifier'));
  const stale = useWorkbench((s) => (run ? isRunStale(s, run) : false));
  const excluded = useWorkbench((s) => s.excluded);
  const result = run?.kind === 'classifier' ? run.result : null;
  if (!c) return null;
  const set = (patch: Partial<ClassifierCellSettings>) => setCellSettings(cellId, 'trainClassifier', patch);
  return (
    <div className={stale ? 'stale' : ''} data-testid="classifier-cell" data-stale={stale}>
      <div className="settings">
        <SelectField label="model" value={c.model} testId="clf-model" options={[['gbdt', 'gradient-boosted trees'], ['rf', 'random forest'], ['logistic', 'logistic regression'], ['mlp', 'MLP (TensorFlow.js)']]} onChange={(model) => set({ model })} />
        {c.model === 'gbdt' || c.model === 'rf' ? (
          <TreeSettingsFields model={c.model} trees={c.trees} testPrefix="clf" onChange={(trees) => set({ trees })} />
        ) : c.model === 'mlp' ? (
          <>
            <TextField label="hidden units per layer" value={c.hiddenUnits.join(',')} pattern={/^\s*\d+(\s*,\s*\d+)*\s*$/} hint="e.g. 64,64"
              onChange={(v) => set({ hiddenUnits: v.split(',').map((x) => Number(x.trim())) })} />
            <NumberField label="dropout" value={c.dropout} min={0} max={0.9} step={0.05} onChange={(dropout) => set({ dropout })} />
            <NumberField label="L2" value={c.l2} min={0} onChange={(l2) => set({ l2 })} />
            <NumberField label="learning rate" value={c.learningRate} min={0} onChange={(learningRate) => set({ learningRate })} />
            <NumberField label="batch size" value={c.batchSize} min={16} step={1} onChange={(batchSize) => set({ batchSize })} />
            <NumberField label="patience" unit="epochs" value={c.patience} min={1} step={1} onChange={(patience) => set({ patience })} />
          </>
        ) : (
          <NumberField label="C (inverse L2)" value={c.C} min={0} testId="clf-C" onChange={(C) => set({ C })} />
        )}
        {(c.model === 'mlp' || c.model === 'logistic') && (
          <NumberField label={c.model === 'mlp' ? 'max epochs' : 'max iterations'} value={c.epochs} min={1} step={1} testId="clf-epochs" onChange={(epochs) => set({ epochs })} />
        )}
        <SelectField label="class weights" value={weightMode(c.classWeight)} testId="clf-class-weight"
          options={[['balanced', 'balanced (scikit-learn)'], ['none', 'none'], ['custom', 'custom positive weight']]}
          onChange={(m) => set({ classWeight: m === 'custom' ? { positiveWeight: 5 } : m })} />
        {typeof c.classWeight === 'object' && (
          <NumberField label="positive weight" value={c.classWeight.positiveWeight} min={0} onChange={(positiveWeight) => set({ classWeight: { positiveWeight } })} />
        )}
        <SelectField<ResamplingOption> label="resampling (train split only)" value={c.resampling} testId="clf-resampling"
          options={[['none', 'none'], ['oversample', 'random oversampling'], ['smote', 'SMOTE-NC (k = 5)'], ['undersample', 'random undersampling']]}
          onChange={(resampling) => set({ resampling })} />
        {(c.model === 'gbdt' || c.model === 'rf') && (
          <SelectField label="decision threshold from" value={String(c.thresholdFolds)} testId="clf-threshold-folds"
            options={[['0', 'the validation slice'], ['5', 'out-of-fold scores of the training rows (5 folds, 5 more fits)'], ['10', 'out-of-fold scores of the training rows (10 folds, 10 more fits)']]}
            onChange={(k) => set({ thresholdFolds: Number(k) })} />
        )}
        {(c.model === 'gbdt' || c.model === 'rf') && (
          <SelectField label="final model" value={c.refit ? 'refit' : 'fit'} testId="clf-refit"
            options={[['refit', 'refitted on every training row (fit + validation), early-stopped tree count'], ['fit', 'the one fitted on the fit rows']]}
            onChange={(m) => set({ refit: m === 'refit' })} />
        )}
        <NumberField label="test fraction" value={c.testFraction} min={0.05} max={0.5} step={0.05} onChange={(testFraction) => set({ testFraction })} />
        <NumberField label="validation fraction (of train)" value={c.validationFraction} min={0.05} max={0.5} step={0.05} onChange={(validationFraction) => set({ validationFraction })} />
        <NumberField label="seed" value={c.seed} step={1} min={0} max={MAX_SPLIT_SEED} testId="clf-seed" onChange={(seed) => set({ seed: Math.round(seed) })} />
        <SelectField<BackendPreference> label="backend" value={backend} options={BACKEND_OPTIONS} testId="backend-select" onChange={setBackend} />
      </div>
      <div className="toolbar">
        <button type="button" className="primary" disabled={!ready || job.status === 'running'} onClick={() => void train(cellId)} data-testid="train-classifier">
          Train classifier
        </button>
        <button type="button" disabled={!ready} onClick={() => void trainAll()} data-testid="train-both">Train both models in parallel</button>
        {!ready && (checking
          ? <span className="muted" data-testid="classifier-checking">Checking the data (validation, profile, leakage); training is enabled when the check is done.</span>
          : <span className="warning">Training is disabled until the data validates (see the Data cell).</span>)}
        {excluded.length > 0 && <span className="muted">excluded: {excluded.join(', ')}</span>}
        {stale && <span className="stale-badge" data-testid="classifier-stale">stale: settings or data changed, train again</span>}
      </div>
      <SplitSummary />
      <TrainingStatus kind="classifier" cellId={cellId} />
      {result && run && (
        <div data-testid="classifier-result">
          <p>
            {result.config.model === 'gbdt' || result.config.model === 'rf' ? treeModelLabel(result.config.model, result.config.trees) : result.config.model === 'mlp' ? `MLP ${result.config.hiddenUnits.join('×')}` : 'logistic regression'}
            {result.tfjsVersion ? <> on <strong>{result.backend}</strong> (tfjs {result.tfjsVersion})</> : ' in plain TypeScript'}
            {result.mlpPath && <MlpPathNote testId="classifier-mlp-path" path={result.mlpPath} why={result.mlpPathWhy} threads={result.mlpThreads} />},
            {' '}<span data-testid="classifier-epochs" data-value={result.epochs}>{result.epochs}</span> {result.config.model === 'mlp' ? 'epochs' : result.config.model === 'logistic' ? 'iterations' : 'trees'}{result.converged ? ', converged' : ', not converged'},
            {' '}<span data-testid="classifier-train-ms" data-value={result.trainMs}>{fmt(result.trainMs / 1000, 2)} s</span>
            {' '}(<span data-testid="classifier-ms-per-epoch" data-value={result.msPerEpoch}>{fmt(result.msPerEpoch, 1)}</span> ms/epoch); {fmtInt(result.counts.train)} train / {fmtInt(result.counts.valid)} validation / {fmtInt(result.counts.test)} test rows (the test rows scikit-learn's <code>train_test_split(stratify=y, random_state={result.seed})</code> picks); seed {result.seed}; {run.featureNames.length} features.
          </p>
          {(result.config.model === 'gbdt' || result.config.model === 'rf') && <TreeProtocolLine config={result.config} counts={result.counts} trees={result.epochs} phaseMs={result.phaseMs} />}
          <p>
            Decision threshold chosen {(result.config.model === 'gbdt' || result.config.model === 'rf') && result.config.thresholdFolds >= 2
              ? <span data-testid="classifier-threshold-source" data-value={result.config.thresholdFolds}>on out-of-fold scores of every training row ({result.config.thresholdFolds} fold models)</span>
              : 'on the validation split'}: <strong data-testid="classifier-threshold" data-value={result.threshold}>{fmt(result.threshold)}</strong>, applied unchanged to the test split.
            {' '}<span className="muted">Oracle (best F1 on the test split itself, flattering): F1 <span data-testid="classifier-oracle-f1" data-value={result.metrics.oracle_f1}>{fmt(result.metrics.oracle_f1)}</span> at {fmt(result.metrics.oracle_threshold)}.</span>
          </p>
          <MetricTable model="classifier" values={result.metrics as unknown as Record<string, number>} testPrefix="clf" />
          <button type="button" data-testid="download-classifier-bundle"
            onClick={() => downloadFile(`${safeFileName(run.name)}-bundle.json`, serializeBundle(result.bundle), 'application/json')}>
            Download model bundle (JSON: tfjs model, weights, preprocessing, threshold)
          </button>
          <p className="muted">
            PR AUC <span data-testid="clf-pr_auc" data-value={result.metrics.pr_auc}>{fmt(result.metrics.pr_auc)}</span> ·
            log loss <span data-testid="clf-log_loss" data-value={result.metrics.log_loss}>{fmt(result.metrics.log_loss)}</span> ·
            Brier <span data-value={result.metrics.brier}>{fmt(result.metrics.brier)}</span> · accuracy {fmt(result.metrics.accuracy)} (test split, at the validation threshold)
          </p>
        </div>
      )}
    </div>
  );
}

/** One line on what a tree classifier's training did: the fit-row model, the threshold's fold models and the refit, each with its time. */
function TreeProtocolLine({ config, counts, trees, phaseMs }: {
  readonly config: ClassifierConfig;
  readonly counts: ClassifierResult['counts'];
  readonly trees: number;
  readonly phaseMs: ClassifierResult['phaseMs'];
}) {
  const secs = (name: string): string => (phaseMs?.[name] !== undefined ? ` (${fmt(phaseMs[name] / 1000, 1)} s)` : '');
  const parts = [`fitted on the ${fmtInt(counts.train - counts.resampled)} fit rows with ${config.model === 'gbdt' ? 'early stopping on' : 'loss curves on'} the validation slice${secs('fit')}`];
  const wall = phaseMs?.fit_and_folds_wall;
  if (config.thresholdFolds >= 2) {
    parts.push(wall === undefined
      ? `${config.thresholdFolds} fold models for the threshold${secs('threshold_folds')}, one after another`
      : `${config.thresholdFolds} fold models for the threshold (${fmt((phaseMs?.threshold_folds ?? 0) / 1000, 1)} s of work), in helper workers at the same time as the fit-row model (both done in ${fmt(wall / 1000, 1)} s)`);
  }
  if (config.refit) parts.push(`final model refitted on all ${fmtInt(counts.train - counts.resampled + counts.valid)} training rows with ${trees} trees${secs('refit')}`);
  return <p className="muted" data-testid="classifier-protocol" data-refit={config.refit} data-folds={config.thresholdFolds}>Protocol: {parts.join('; ')}.</p>;
}
