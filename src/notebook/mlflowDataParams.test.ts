/** What a run was trained on (split, filters, transforms, date parts) and the user's targets reach a real MLflow server as params and tags. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMlflowClient } from '../mlflow/client.ts';
import { exportRun } from '../mlflow/exportRun.ts';
import { uniqueName, useMlflowServer } from '../../test/mlflowServer.ts';
import { trainClassifier } from '../trainers/classifier.ts';
import { createRng } from '../trainers/random.ts';
import { DEFAULT_METRIC_THRESHOLDS } from '../trainers/targets.ts';
import { DEFAULT_CLASSIFIER_CONFIG } from '../trainers/types.ts';
import type { Dataset } from '../data/types.ts';
import { runDataRecord, type DataSettings } from './dataSettings.ts';
import { runToExportable } from './mlflowRun.ts';
import type { ClassifierRun, RunId } from './runs.ts';

const server = useMlflowServer();
let run: ClassifierRun;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const n = 1500;
  const rng = createRng(3);
  const X = Float32Array.from({ length: n * 2 }, () => rng() * 2 - 1);
  const y = Float32Array.from({ length: n }, (_, i) => (rng() < 1 / (1 + Math.exp(-(2 * (X[2 * i] ?? 0) - 1.5))) ? 1 : 0));
  const matrix = { rows: n, cols: 2, X, featureNames: ['pages', 'created_at_month'], featureGroups: ['pages', 'created_at_month'] };
  const result = await trainClassifier({ tf, matrix, y, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' } });
  const raw: Dataset = { source: { type: 'file', name: 'sessions.parquet' }, rows: 2000, sha256: 'cd'.repeat(32), bytes: 0, columns: [] };
  const settings: DataSettings = {
    classTarget: 'is_ordered', revenueTarget: null, revenueIsMoney: false, excluded: ['engagement_depth'],
    transforms: { pages: { kind: 'cap', max: 12 } }, filters: [{ column: 'device_type', op: '=', value: 'mobile' }],
    dateParts: [{ column: 'created_at', parts: ['month', 'weekday'] }], split: { kind: 'time', column: 'created_at', cutoff: Date.UTC(2015, 0, 1) },
  };
  run = {
    id: 'run-data-1' as RunId, name: 'classifier #1', kind: 'classifier', createdAt: '2026-01-01T00:00:00.000Z', wallMs: 1, inputsKey: 'k',
    featureNames: matrix.featureNames, featureGroups: matrix.featureGroups, excluded: ['engagement_depth'], transforms: settings.transforms,
    dataSha256: raw.sha256, dataName: raw.source.name, rows: n, result,
    data: runDataRecord(raw, settings, { kind: 'time', column: 'created_at', cutoff: Date.UTC(2015, 0, 1) }),
  };
});

describe('MLflow params and tags of a run\'s data and targets', () => {
  it('logs source, SHA-256, split kind/column/cutoff, filters, exclusions, transforms, date parts and every target; read back from the server', async () => {
    const exportable = runToExportable(run, {
      experimentName: uniqueName('Data_params'), userAgent: 'vitest', targets: { ...DEFAULT_METRIC_THRESHOLDS, f1_score: 0.25, auc_roc: 0.6 },
    });
    const exported = await exportRun(createMlflowClient({ baseUrl: server.url }), exportable, { uiBase: server.url });
    const back = await createMlflowClient({ baseUrl: server.url }).getRun(exported.runId);
    expect(back.params).toMatchObject({
      data_source: 'sessions.parquet', data_sha256: 'cd'.repeat(32),
      data_split: 'time on created_at at 2015-01-01', split_kind: 'time', split_column: 'created_at', split_cutoff: '2015-01-01',
      row_filters: 'device_type = mobile', excluded_features: 'engagement_depth', data_transforms: 'pages capped at 12',
      date_parts: 'created_at: month, weekday', data_rows_used: '1500', test_fraction: '0.2', seed: '42',
      class_target: 'is_ordered', regression_target: 'none',
    });
    expect(back.tags).toMatchObject({ 'target.f1_score': '>0.25', 'target.auc_roc': '>0.6', 'target.precision': '>0.3', 'target.recall': '>0.5' });
    // a classifier's run carries the classifier's targets only
    expect(back.tags['target.rmse']).toBeUndefined();
  });
});
