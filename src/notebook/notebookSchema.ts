/**
 * The notebook document (file, link, IndexedDB snapshot and MLflow `notebook.json` are all this) and every
 * migration from an older shape, in one place.
 */
import * as v from 'valibot';
import { NotebookSettingsSchema, text, type NotebookSettings } from './settings.ts';
import { DEFAULT_METRIC_THRESHOLDS } from '../trainers/targets.ts';

/** The notebook format this workbench writes; older documents are migrated, newer ones refused. */
export const NOTEBOOK_SCHEMA_VERSION = 8;

/** The name written into a notebook made by the workbench. */
export const NOTEBOOK_NAME = 'ML Workbench notebook';

/** Sizes past which a notebook is refused as absurd. */
export const NOTEBOOK_LIMITS = {
  maxCells: 200,
  maxJsonBytes: 1_000_000,
} as const;

const httpUrl = v.pipe(text(), v.url('is not a valid URL; fix or remove it'), v.check((url) => /^https?:/i.test(url), 'is not an http or https URL'));

/** Where the notebook's data came from; a local file travels by name only and the reader supplies it. */
export const NotebookDataSchema = v.variant('type', [
  v.strictObject({ type: v.literal('bundled'), name: text() }),
  v.strictObject({ type: v.literal('url'), name: text(), url: httpUrl }),
  v.strictObject({ type: v.literal('file'), name: text() }),
]);
export type NotebookData = v.InferOutput<typeof NotebookDataSchema>;

/** The data of a notebook that has none loaded yet: the bundled file. */
export const BUNDLED_DATA: NotebookData = { type: 'bundled', name: 'training_data.parquet' };

/** One cell: its id, kind, whether it is collapsed and the settings it owns (checked against its kind's schema). */
export const NotebookCellSchema = v.strictObject({
  id: v.pipe(text(), v.minLength(1, 'is empty; give every cell an id')),
  kind: text(),
  collapsed: v.optional(v.boolean(), false),
  config: v.optional(v.record(text(), v.unknown()), () => ({})),
});
export type NotebookCellDoc = v.InferOutput<typeof NotebookCellSchema>;

/** The document as this version writes it. */
export const NotebookDocSchema = v.strictObject({
  schemaVersion: v.literal(NOTEBOOK_SCHEMA_VERSION),
  name: text(),
  data: NotebookDataSchema,
  settings: v.optional(NotebookSettingsSchema, () => ({})),
  cells: v.pipe(v.array(NotebookCellSchema), v.maxLength(NOTEBOOK_LIMITS.maxCells)),
});

/** A notebook: the same document in a file, a link, the IndexedDB snapshot and the MLflow artifact. */
export interface NotebookDoc {
  readonly schemaVersion: typeof NOTEBOOK_SCHEMA_VERSION;
  readonly name: string;
  readonly data: NotebookData;
  readonly settings: NotebookSettings;
  readonly cells: readonly NotebookCellDoc[];
}

/** Raised for any notebook that is refused; `message` is meant for the user. */
export class NotebookDocError extends Error {
  override readonly name = 'NotebookDocError';
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Kinds whose v1 config were notebook-wide settings, lifted into `settings` by the v1 → v2 step. */
const V1_SHARED_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  features: ['classTarget', 'revenueTarget', 'excluded', 'transforms'],
  threshold: ['threshold'],
};

/** Steps from version n (the key) to n + 1, applied in order until the current version. */
const MIGRATIONS: Readonly<Record<number, (doc: JsonObject) => JsonObject>> = {
  // Version 0 called the cell list `items` and could omit `collapsed`.
  0: (doc) => {
    const { items, ...rest } = doc;
    if (!Array.isArray(items)) throw new NotebookDocError('version 0 notebook has no "items" list; export it again');
    const cells = items.map((item: unknown) => (isObject(item) && item['collapsed'] === undefined ? { ...item, collapsed: false } : item));
    return { ...rest, schemaVersion: 1, cells };
  },
  // Version 1 kept the targets, features and threshold in the first Features and Threshold cells (copies mirrored
  // them) and the backend in the classifier cell only; version 2 keeps shared settings at the top and gives every
  // Train cell its own settings, backend included.
  1: (doc) => {
    const cells = Array.isArray(doc['cells']) ? doc['cells'] : [];
    const settings: JsonObject = {};
    let backend: unknown;
    for (const cell of cells) {
      if (!isObject(cell) || !isObject(cell['config'])) continue;
      const config = cell['config'];
      const shared = V1_SHARED_SETTINGS[String(cell['kind'])];
      for (const key of shared ?? []) if (settings[key] === undefined && config[key] !== undefined) settings[key] = config[key];
      if (cell['kind'] === 'trainClassifier' && backend === undefined) backend = config['backend'];
    }
    const migrated = cells.map((cell: unknown) => {
      if (!isObject(cell)) return cell;
      const config = isObject(cell['config']) ? cell['config'] : {};
      if (cell['kind'] === 'trainClassifier') return cell;
      if (cell['kind'] === 'trainRegressor') return { ...cell, config: backend === undefined || config['backend'] !== undefined ? config : { ...config, backend } };
      return { ...cell, config: {} };
    });
    return { ...doc, schemaVersion: 2, settings, cells: migrated };
  },
  // Version 2 kept a backend in each Train cell; version 3 has one for the notebook (the first classifier cell's).
  2: (doc) => {
    const cells = Array.isArray(doc['cells']) ? doc['cells'] : [];
    const settings: JsonObject = isObject(doc['settings']) ? { ...doc['settings'] } : {};
    const first = cells.find((c: unknown) => isObject(c) && c['kind'] === 'trainClassifier' && isObject(c['config']) && c['config']['backend'] !== undefined)
      ?? cells.find((c: unknown) => isObject(c) && isObject(c['config']) && c['config']['backend'] !== undefined);
    if (settings['backendPreference'] === undefined && isObject(first) && isObject(first['config'])) settings['backendPreference'] = first['config']['backend'];
    const migrated = cells.map((cell: unknown) => {
      if (!isObject(cell) || !isObject(cell['config']) || (cell['kind'] !== 'trainClassifier' && cell['kind'] !== 'trainRegressor')) return cell;
      const { backend: _backend, ...config } = cell['config'];
      return { ...cell, config };
    });
    return { ...doc, schemaVersion: 3, settings, cells: migrated };
  },
  // Up to version 3 a Train classifier cell without a model meant the MLP, then the default; version 4's default is
  // gradient boosting, so such a cell is given the MLP it meant.
  3: (doc) => {
    const cells = Array.isArray(doc['cells']) ? doc['cells'] : [];
    const migrated = cells.map((cell: unknown) => {
      if (!isObject(cell) || cell['kind'] !== 'trainClassifier') return cell;
      const config = isObject(cell['config']) ? cell['config'] : {};
      return config['model'] === undefined ? { ...cell, config: { ...config, model: 'mlp' } } : cell;
    });
    return { ...doc, schemaVersion: 4, cells: migrated };
  },
  // Version 5 keeps the user's targets (F1 > 0.40 …) in the settings; an older notebook checked the handoff's, so it
  // gets them written out, and its regression target stays shown in dollars as before.
  4: (doc) => {
    const settings: JsonObject = isObject(doc['settings']) ? { ...doc['settings'] } : {};
    if (settings['metricTargets'] === undefined) settings['metricTargets'] = { ...DEFAULT_METRIC_THRESHOLDS };
    if (settings['revenueIsMoney'] === undefined) settings['revenueIsMoney'] = true;
    return { ...doc, schemaVersion: 5, settings };
  },
  // Up to version 5 a gradient-boosted regressor boosted from the mean; version 6's default boosts from the linear
  // model, so a Train regressor cell with gbdt and no init model is given the mean it meant.
  5: (doc) => {
    const cells = Array.isArray(doc['cells']) ? doc['cells'] : [];
    const migrated = cells.map((cell: unknown) => {
      if (!isObject(cell) || cell['kind'] !== 'trainRegressor' || !isObject(cell['config'])) return cell;
      const config = cell['config'];
      return config['model'] === 'gbdt' && config['initModel'] === undefined ? { ...cell, config: { ...config, initModel: 'mean' } } : cell;
    });
    return { ...doc, schemaVersion: 6, cells: migrated };
  },
  // Up to version 6 a Train regressor cell had `logTarget` (default true: log1p); version 7 has `targetTransform`
  // (auto, log1p or none; default auto), so such a cell keeps the transform it meant.
  6: (doc) => {
    const cells = Array.isArray(doc['cells']) ? doc['cells'] : [];
    const migrated = cells.map((cell: unknown) => {
      if (!isObject(cell) || cell['kind'] !== 'trainRegressor' || !isObject(cell['config'])) return cell;
      const { logTarget, ...config } = cell['config'];
      return { ...cell, config: { ...config, targetTransform: legacyTargetTransform(logTarget) } };
    });
    return { ...doc, schemaVersion: 7, cells: migrated };
  },
  // Up to version 7 a tree classifier chose its threshold on the validation slice and kept the model fitted on the fit
  // rows; version 8's default is 5 threshold folds and a refit on every training row, so a Train classifier cell gets
  // what it meant.
  7: (doc) => {
    const cells = Array.isArray(doc['cells']) ? doc['cells'] : [];
    const migrated = cells.map((cell: unknown) => {
      if (!isObject(cell) || cell['kind'] !== 'trainClassifier') return cell;
      const config = isObject(cell['config']) ? cell['config'] : {};
      return { ...cell, config: { ...config, thresholdFolds: config['thresholdFolds'] ?? 0, refit: config['refit'] ?? false } };
    });
    return { ...doc, schemaVersion: 8, cells: migrated };
  },
};

/** What a saved `logTarget` meant: false is the raw scale; true, or absent (its default), is log1p. Anything else is left for validation to name. */
export function legacyTargetTransform(logTarget: unknown): unknown {
  return logTarget === false ? 'none' : logTarget === true || logTarget === undefined ? 'log1p' : logTarget;
}

/** Brings a parsed document of any supported version to the current one (unvalidated); throws `NotebookDocError`. */
export function migrateNotebook(value: unknown): JsonObject {
  if (!isObject(value)) throw new NotebookDocError(`notebook is ${describeValue(value)}; expected an object`);
  const version = value['schemaVersion'];
  if (version === undefined) throw new NotebookDocError('notebook has no schemaVersion; is this a workbench notebook file?');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new NotebookDocError(`notebook schemaVersion ${describeValue(version)} is not a version number; export it again`);
  }
  if (version > NOTEBOOK_SCHEMA_VERSION) {
    throw new NotebookDocError(`notebook schemaVersion ${version} was made by a newer workbench (this one reads up to ${NOTEBOOK_SCHEMA_VERSION}); update the workbench`);
  }
  let doc = value;
  for (let from = version; from < NOTEBOOK_SCHEMA_VERSION; from++) {
    const step = MIGRATIONS[from];
    if (step === undefined) throw new NotebookDocError(`notebook schemaVersion ${from} is no longer supported; export it again`);
    doc = step(doc);
  }
  return doc;
}

/** The IndexedDB snapshot format; version 1 held the settings as loose fields instead of a notebook document. */
export const SNAPSHOT_VERSION = 2;

/** A version-1 snapshot's notebook, as a version-1 document, so the document migrations bring it up to date. */
function snapshotV1Notebook(snap: JsonObject): JsonObject {
  const classifier = isObject(snap['classifierConfig']) ? snap['classifierConfig'] : {};
  const regressor = isObject(snap['regressorConfig']) ? snap['regressorConfig'] : {};
  const backend = snap['backendPreference'];
  const cells = Array.isArray(snap['cells']) ? snap['cells'] : [];
  const order = Array.isArray(snap['cellIds']) ? snap['cellIds'] : null;
  const ordered = order === null ? cells : order.flatMap((id: unknown) => cells.filter((c: unknown) => isObject(c) && c['id'] === id));
  const configOf = (kind: unknown): JsonObject => {
    switch (kind) {
      case 'trainClassifier': return backend === undefined ? classifier : { ...classifier, backend };
      case 'trainRegressor': return regressor;
      case 'features': return { classTarget: snap['classTarget'], revenueTarget: snap['revenueTarget'], excluded: snap['excluded'], transforms: snap['transforms'] };
      case 'threshold': return { threshold: snap['threshold'] };
      default: return {};
    }
  };
  const hasKind = (kind: string) => ordered.some((c: unknown) => isObject(c) && c['kind'] === kind);
  const doc: JsonObject = {
    schemaVersion: 1,
    name: NOTEBOOK_NAME,
    data: isObject(snap['source']) ? snap['source'] : BUNDLED_DATA,
    cells: ordered.map((c: unknown) => (isObject(c) ? { id: c['id'], kind: c['kind'], collapsed: c['collapsed'] ?? false, config: configOf(c['kind']) } : c)),
  };
  const migrated = migrateNotebook(doc);
  // v1 snapshots kept shared settings even without a Features or Threshold cell; keep them too.
  const settings: JsonObject = { ...(isObject(migrated['settings']) ? migrated['settings'] : {}) };
  if (!hasKind('features')) Object.assign(settings, { classTarget: snap['classTarget'], revenueTarget: snap['revenueTarget'], excluded: snap['excluded'], transforms: snap['transforms'] });
  if (!hasKind('threshold')) settings['threshold'] = snap['threshold'];
  for (const key of Object.keys(settings)) if (settings[key] === undefined) delete settings[key];
  return { ...migrated, settings };
}

/** A stored snapshot brought to the current version: its notebook (unvalidated) and the rest of its fields. */
export function migrateSnapshot(value: unknown): { readonly notebook: unknown; readonly rest: JsonObject } {
  if (!isObject(value)) throw new NotebookDocError('no saved notebook');
  const version = value['version'];
  if (version === 1) {
    const { cellIds: _ids, cells: _cells, classifierConfig: _c, regressorConfig: _r, backendPreference: _b, excluded: _e, transforms: _t,
      classTarget: _ct, revenueTarget: _rt, threshold: _th, source: _s, ...rest } = value;
    return { notebook: snapshotV1Notebook(value), rest: { ...rest, version: SNAPSHOT_VERSION } };
  }
  if (version !== SNAPSHOT_VERSION) {
    throw new NotebookDocError(`saved notebook has version ${describeValue(version)}; expected ${SNAPSHOT_VERSION} or older, starting from the default notebook`);
  }
  const { notebook, ...rest } = value;
  return { notebook, rest };
}

/** A short description of a value for a message: its type, and the value itself when short. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text "${value.slice(0, 40)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
