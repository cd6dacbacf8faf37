/**
 * The notebook's settings schemas: what the whole notebook shares (targets, features, threshold) and what each
 * Train cell owns. Types and defaults derive from the schemas, so adding a setting is one line in one schema.
 */
import * as v from 'valibot';
import type { ColumnTransform } from '../data/encode.ts';
import { CLASSIFIER_CONFIG_ENTRIES, REGRESSOR_CONFIG_ENTRIES } from '../trainers/config.ts';
import { DEFAULT_METRIC_THRESHOLDS, type MetricThresholds } from '../trainers/targets.ts';
import { DEFAULT_NETWORK_POLICY } from '../data/networkPolicy.ts';

/** Longest text a notebook may hold in one field (a column name, a URL). */
export const MAX_TEXT_LENGTH = 10_000;

/** Text up to `MAX_TEXT_LENGTH` characters. */
export const text = () => v.pipe(v.string(), v.maxLength(MAX_TEXT_LENGTH));
/**
 * Longest column name a notebook may hold: a file may name its columns as it likes and a notebook the app exported
 * must open again, so only the notebook's own size limit (1 MB of JSON) bounds it in practice.
 */
export const MAX_COLUMN_NAME_LENGTH = 1_000_000;
const columnName = () => v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_COLUMN_NAME_LENGTH));
const finite = () => v.pipe(v.number(), v.finite());

/** How one column is changed before encoding. */
export const ColumnTransformSchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('cap'), max: finite() }),
  v.strictObject({ kind: v.literal('clip'), min: finite(), max: finite() }),
  v.strictObject({ kind: v.literal('log1p') }),
  v.strictObject({ kind: v.literal('onehot') }),
  v.strictObject({ kind: v.literal('drop') }),
]);

/** The user's target per metric (a threshold; the direction is the metric's own), the handoff's by default. */
const D = DEFAULT_METRIC_THRESHOLDS;
const score = (d: number) => v.optional(v.pipe(finite(), v.minValue(0), v.maxValue(1)), d);
const error = (d: number) => v.optional(v.pipe(finite(), v.minValue(0)), d);
export const MetricTargetsSchema = v.strictObject({
  f1_score: score(D.f1_score), auc_roc: score(D.auc_roc), precision: score(D.precision), recall: score(D.recall),
  rmse: error(D.rmse), mae: error(D.mae), r2: v.optional(v.pipe(finite(), v.maxValue(1)), D.r2), mape: error(D.mape),
});

/** TensorFlow.js backends the Train cells may ask for; `auto` picks the fastest by a warm-up. */
export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Settings the whole notebook shares: the targets, the features both models see, the decision threshold, the backend both models train on. */
export const NotebookSettingsSchema = v.strictObject({
  /** '' is none: a regression-only notebook (the defaults are the bundled file's columns) */
  classTarget: v.optional(v.union([columnName(), v.literal('')]), 'is_ordered'),
  /** '' is none: a classification-only notebook */
  revenueTarget: v.optional(v.union([columnName(), v.literal('')]), 'revenue'),
  /** columns or one-hot group names left out of both models */
  excluded: v.optional(v.pipe(v.array(columnName()), v.maxLength(10_000), v.transform((names) => [...new Set(names)])), () => []),
  transforms: v.optional(v.record(columnName(), ColumnTransformSchema), () => ({})),
  /** the Threshold cell's decision threshold */
  threshold: v.optional(v.pipe(finite(), v.minValue(0), v.maxValue(1)), 0.5),
  /** show the regression target's values in dollars (the user marked it as money) */
  revenueIsMoney: v.optional(v.boolean(), true),
  /** the user's targets, checked wherever a metric is shown, carried by the report and MLflow (tags `target.<metric>`) */
  metricTargets: v.optional(MetricTargetsSchema, () => ({ ...DEFAULT_METRIC_THRESHOLDS })),
  /** the tfjs backend every Train cell trains on (chosen in the Train classifier cell) */
  backendPreference: v.optional(v.picklist(BACKEND_PREFERENCES), 'auto'),
});
/** Settings the whole notebook shares. */
export type NotebookSettings = v.InferOutput<typeof NotebookSettingsSchema>;
/** The settings of a new notebook. */
export const DEFAULT_NOTEBOOK_SETTINGS: NotebookSettings = v.parse(NotebookSettingsSchema, {});

/** A Train classifier cell's settings: the model's own. */
export const ClassifierCellSchema = v.strictObject(CLASSIFIER_CONFIG_ENTRIES);
/** A Train regressor cell's settings: the model's own. */
export const RegressorCellSchema = v.strictObject(REGRESSOR_CONFIG_ENTRIES);
export type ClassifierCellSettings = v.InferOutput<typeof ClassifierCellSchema>;
export type RegressorCellSettings = v.InferOutput<typeof RegressorCellSchema>;

/** Seconds one network request may wait for a complete answer before it is retried; default the network policy's (30 s). */
export const DEFAULT_TIMEOUT_SECONDS = DEFAULT_NETWORK_POLICY.timeoutMs / 1000;
const timeoutSeconds = () => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(600)), DEFAULT_TIMEOUT_SECONDS);
/** The Data cell's settings: the timeout of each data fetch (URLs, the bundled file). */
export const DataCellSchema = v.strictObject({ fetchTimeoutSeconds: timeoutSeconds() });
/** The Export cell's settings: the timeout of each MLflow call. */
export const ExportCellSchema = v.strictObject({ mlflowTimeoutSeconds: timeoutSeconds() });

/** A cell without settings. */
export const NoSettingsSchema = v.strictObject({});
export type NoSettings = v.InferOutput<typeof NoSettingsSchema>;

// The schema and the data layer's type must describe the same transforms.
const _transformMatches: ColumnTransform = {} as v.InferOutput<typeof ColumnTransformSchema>;
void _transformMatches;

/** Most test rows the SHAP cell explains at once (a beeswarm of more is unreadable and slow to draw). */
export const MAX_SHAP_ROWS = 20_000;
/** A SHAP cell's settings: which model, how many test rows (a seeded sample) and the test row its waterfall explains. */
export const ShapCellSchema = v.strictObject({
  model: v.optional(v.picklist(['classifier', 'regressor']), 'classifier'),
  sampleSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(MAX_SHAP_ROWS)), 1000),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)), 42),
  /** position in the model's test split (0 = its first test row) */
  row: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
});
export type ShapCellSettings = v.InferOutput<typeof ShapCellSchema>;

// The schema and the trainers' type must name the same metrics.
const _targetsMatch: MetricThresholds = {} as v.InferOutput<typeof MetricTargetsSchema>;
void _targetsMatch;
