/** Train regressor: a model of the regression target (log1p with smearing, or its raw scale), strategies, metrics (dollars when it is money) beside the mean baseline. */
import { undefinedRegressionMetrics } from '../notebook/evaluation.ts';
import { useWorkbench } from '../app/store.ts';
import { downloadFile, safeFileName } from '../app/download.ts';
import { serializeBundle } from '../trainers/bundle.ts';
import { fmt, fmtAmount, fmtInt } from '../app/format.ts';
import { plannedTargetTransform, targetTransformLine } from '../trainers/targetTransform.ts';
import type { RegressorConfig } from '../trainers/types.ts';
import { NumberField, SelectField, TextField } from './fields.tsx';
import { MAX_SPLIT_SEED } from '../trainers/split.ts';
import { MetricTable } from './MetricTable.tsx';
import { MlpPathNote, TrainingStatus } from './TrainingStatus.tsx';
import { isRunStale } from '../notebook/runs.ts';
import type { RegressorCellSettings } from '../notebook/settings.ts';
import { cellOfKind } from '../app/notebookSlice.ts';
import { jobOf, runOfCell } from '../app/trainingSlice.ts';
import type { CellProps } from './cellDefinition.ts';
import { TreeSettingsFields, treeModelLabel } from './TreeSettingsFields.tsx';

export function TrainRegressorCell({ cellId }: CellProps) {
  const c = useWorkbench((s) => cellOfKind(s, cellId, 'trainRegressor')?.config);
  const setCellSettings = useWorkbench((s) => s.setCellSettings);
  const train = useWorkbench((s) => s.train);
  const job = useWorkbench((s) => jobOf(s, cellId));
  const ready = useWorkbench((s) => s.analysis !== null && s.analysis.issues.length === 0);
  const run = useWorkbench((s) => runOfCell(s, cellId, 'regressor'));
  const stale = useWorkbench((s) => (run ? isRunStale(s, run) : false));
  const result = run?.kind === 'regressor' ? run.result : null;
  const target = useWorkbench((s) => s.revenueTarget);
  const classTarget = useWorkbench((s) => s.classTarget);
  const money = useWorkbench((s) => s.revenueIsMoney);
  const negatives = useWorkbench((s) => s.analysis?.targetNegatives ?? null);
  if (!c) return null;
  const refusedLog = negatives !== null && plannedTargetTransform(c.targetTransform, negatives) === null;
  const set = (patch: Partial<RegressorCellSettings>) => setCellSettings(cellId, 'trainRegressor', patch);
  return (
    <div className={stale ? 'stale' : ''} data-testid="regressor-cell" data-stale={stale}>
      <div className="settings">
        {classTarget === ''
          // without a class target every row is used (strategy direct, as the run records): the select shows what is used
          ? <SelectField<RegressorConfig['strategy']> label="strategy" value="direct" testId="reg-strategy"
            options={[['direct', 'all rows (direct): the class target is none']]} onChange={() => undefined} />
          : <SelectField<RegressorConfig['strategy']> label="strategy" value={c.strategy} testId="reg-strategy"
            options={[['converting_only', `rows where ${classTarget} is positive (recommended)`], ['direct', 'all rows (direct)'], ['two_stage', `two-stage: P(${classTarget}) × E[${target} | positive]`]]}
            onChange={(strategy) => set({ strategy })} />}
        <SelectField<RegressorConfig['model']> label="model" value={c.model} testId="reg-model" options={[['linear', 'linear (ridge)'], ['mlp', 'MLP'], ['gbdt', 'gradient-boosted trees'], ['rf', 'random forest']]} onChange={(model) => set({ model })} />
        <SelectField<RegressorConfig['targetTransform']> label="target transform" value={c.targetTransform} testId="reg-target-transform"
          options={[['auto', 'auto (log1p when every value is ≥ 0, else none)'], ['log1p', `log1p(${target}) + smearing`], ['none', `none: ${target}${money ? ' (dollars)' : ''} as it is`]]}
          onChange={(targetTransform) => set({ targetTransform })} />
        {(c.model === 'gbdt' || c.model === 'rf') && <TreeSettingsFields model={c.model} trees={c.trees} testPrefix="reg" onChange={(trees) => set({ trees })} />}
        {c.model === 'gbdt' && <SelectField<RegressorConfig['initModel']> label="boost from" value={c.initModel} testId="reg-init-model"
          options={[['linear', 'the linear model (trees kept while they beat it on validation)'], ['mean', 'the mean (as scikit-learn\'s HGB)']]} onChange={(initModel) => set({ initModel })} />}
        {(c.model === 'linear' || c.model === 'mlp' || (c.model === 'gbdt' && c.initModel === 'linear')) && <NumberField label={c.model === 'mlp' ? 'L2' : 'ridge alpha'} value={c.l2} min={0} onChange={(l2) => set({ l2 })} />}
        {c.model === 'mlp' && (
          <>
            <TextField label="hidden units per layer" value={c.hiddenUnits.join(',')} pattern={/^\s*\d+(\s*,\s*\d+)*\s*$/} hint="e.g. 32"
              onChange={(v) => set({ hiddenUnits: v.split(',').map((x) => Number(x.trim())) })} />
            <NumberField label="dropout" value={c.dropout} min={0} max={0.9} step={0.05} onChange={(dropout) => set({ dropout })} />
            <NumberField label="learning rate" value={c.learningRate} min={0} onChange={(learningRate) => set({ learningRate })} />
            <NumberField label="batch size" value={c.batchSize} min={16} step={1} onChange={(batchSize) => set({ batchSize })} />
            <NumberField label="max epochs" value={c.epochs} min={1} step={1} onChange={(epochs) => set({ epochs })} />
            <NumberField label="patience" unit="epochs" value={c.patience} min={1} step={1} onChange={(patience) => set({ patience })} />
          </>
        )}
        <NumberField label="seed" value={c.seed} step={1} min={0} max={MAX_SPLIT_SEED} onChange={(seed) => set({ seed: Math.round(seed) })} />
      </div>
      {negatives !== null && (
        <p className={refusedLog ? 'error' : 'muted'} data-testid="reg-target-transform-line">Target transform: {targetTransformLine(c.targetTransform, negatives, target)}.</p>
      )}
      <div className="toolbar">
        <button type="button" className="primary" disabled={!ready || job.status === 'running'} onClick={() => void train(cellId)} data-testid="train-regressor">
          Train regressor
        </button>
        {stale && <span className="stale-badge" data-testid="regressor-stale">stale: settings or data changed, train again</span>}
      </div>
      <TrainingStatus kind="regressor" cellId={cellId} />
      {result && (
        <div data-testid="regressor-result">
          <p>
            {result.config.model === 'gbdt' || result.config.model === 'rf' ? treeModelLabel(result.config.model, result.config.trees) : result.config.model === 'linear' ? 'linear (ridge)' : `MLP ${result.config.hiddenUnits.join('×')}`}
            {result.config.model === 'gbdt' && <span data-testid="regressor-init-model" data-value={result.config.initModel}> boosted from {result.config.initModel === 'linear' ? 'the linear model' : 'the mean'}</span>}, {result.config.strategy.replace('_', ' ')},
            {' '}<span data-testid="regressor-target-transform" data-value={result.targetTransform}>{result.targetTransform === 'log1p' ? `log1p target, Duan smearing factor ${fmt(result.smearing, 4)}` : `raw ${target}`}{result.config.targetTransform === 'auto' ? ' (auto)' : ''}</span>, on <strong>{result.backend}</strong>{result.mlpPath && <MlpPathNote testId="regressor-mlp-path" path={result.mlpPath} why={result.mlpPathWhy} />};
            {' '}{fmtInt(result.counts.train)} train / {fmtInt(result.counts.test)} test rows;
            {' '}<span data-testid="regressor-epochs" data-value={result.epochs}>{result.epochs}</span> epochs,
            {' '}<span data-testid="regressor-train-ms" data-value={result.trainMs}>{fmt(result.trainMs / 1000, 2)} s</span>
            {' '}(<span data-testid="regressor-ms-per-epoch" data-value={result.msPerEpoch}>{fmt(result.msPerEpoch, 1)}</span> ms/epoch).
          </p>
          <MetricTable model="regressor" values={result.metrics as unknown as Record<string, number>} baseline={result.baseline as unknown as Record<string, number>} testPrefix="reg"
            undefinedMetrics={undefinedRegressionMetrics(result.yTest)} />
          <button type="button" data-testid="download-regressor-bundle"
            onClick={() => downloadFile(`${safeFileName(run?.name ?? 'regressor')}-bundle.json`, serializeBundle(result.bundle), 'application/json')}>
            Download model bundle (JSON: tfjs model, weights, preprocessing, smearing)
          </button>
          {result.metrics.r2 < 0.1 && undefinedRegressionMetrics(result.yTest)['r2'] === undefined && (
            <p className="warning" data-testid="regressor-honest-note">
              The features explain almost none of {target} (R² {fmt(result.metrics.r2)}): the model barely beats predicting the mean
              (RMSE {fmtAmount(result.metrics.rmse, money)} vs {fmtAmount(result.baseline.rmse, money)}). The R² and MAPE targets are out of reach on this data.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
