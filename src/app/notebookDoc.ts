/** The store's notebook ⇄ `NotebookDoc`: each settings cell carries the settings of its kind in its `config`. */
import type { ColumnTransform } from '../data/encode.ts';
import { NOTEBOOK_SCHEMA_VERSION, NotebookDocError, type NotebookCellDoc, type NotebookDataDoc, type NotebookDoc } from '../report/notebookFile.ts';
import {
  DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG, type ClassifierConfig, type RegressorConfig,
} from '../trainers/types.ts';
import type { BackendPreference } from '../workers/trainProtocol.ts';
import { BUNDLED_URL } from './dataSlice.ts';
import { CELL_KINDS, type CellEntry, type CellId, type CellKind } from './notebookSlice.ts';
import { useWorkbench, type WorkbenchState } from './store.ts';

/** The name written into exported notebooks. */
export const NOTEBOOK_NAME = 'ML Workbench notebook';

/** Every setting a notebook carries besides its cells. */
export interface NotebookSettings {
  readonly classTarget: string;
  readonly revenueTarget: string;
  readonly excluded: readonly string[];
  readonly transforms: Readonly<Record<string, ColumnTransform>>;
  readonly classifierConfig: ClassifierConfig;
  readonly regressorConfig: RegressorConfig;
  readonly backendPreference: BackendPreference;
  readonly threshold: number;
}

/** The parts of the store a notebook reads. */
export type NotebookState = Pick<WorkbenchState, 'cellIds' | 'cells' | 'dataset' | keyof NotebookSettings>;

/** A notebook rebuilt from a doc, ready to put in the store. */
export interface RebuiltNotebook {
  readonly cellIds: CellId[];
  readonly cells: Record<CellId, CellEntry>;
  readonly settings: NotebookSettings;
  readonly data: NotebookDataDoc;
}

const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const DEFAULT_TARGETS = { classTarget: 'is_ordered', revenueTarget: 'revenue' } as const;

/** The settings as they stand in the store. */
export function notebookSettings(s: NotebookState): NotebookSettings {
  return {
    classTarget: s.classTarget, revenueTarget: s.revenueTarget, excluded: s.excluded, transforms: s.transforms,
    classifierConfig: s.classifierConfig, regressorConfig: s.regressorConfig, backendPreference: s.backendPreference, threshold: s.threshold,
  };
}

/** The settings a cell of `kind` carries in its config (empty for cells without settings). */
export function cellConfig(kind: CellKind, s: NotebookSettings): Record<string, unknown> {
  switch (kind) {
    case 'features':
      return { classTarget: s.classTarget, revenueTarget: s.revenueTarget, excluded: [...s.excluded], transforms: { ...s.transforms } };
    case 'trainClassifier':
      return { ...plain(s.classifierConfig), backend: s.backendPreference };
    case 'trainRegressor':
      return plain(s.regressorConfig);
    case 'threshold':
      return { threshold: s.threshold };
    default:
      return {};
  }
}

/** The store's notebook as a document for a file or a link. */
export function notebookToDoc(s: NotebookState, name = NOTEBOOK_NAME): NotebookDoc {
  const settings = notebookSettings(s);
  const cells = s.cellIds.flatMap((id): NotebookCellDoc[] => {
    const entry = s.cells[id];
    return entry ? [{ id: entry.id, kind: entry.kind, collapsed: entry.collapsed, config: cellConfig(entry.kind, settings) }] : [];
  });
  return { schemaVersion: NOTEBOOK_SCHEMA_VERSION, name, cells, data: dataDoc(s) };
}

function dataDoc(s: NotebookState): NotebookDataDoc {
  const source = s.dataset?.source;
  if (!source) return { type: 'bundled', name: 'training_data.parquet' };
  switch (source.type) {
    case 'bundled': return { type: 'bundled', name: source.name };
    case 'url': return { type: 'url', name: source.name, url: source.url };
    case 'file': return { type: 'file', name: source.name };
    default: {
      const never: never = source;
      return never;
    }
  }
}

/**
 * Rebuilds cells and settings from a validated doc, checking every setting's type; throws `NotebookDocError`
 * (and so changes nothing) on a bad one. Settings of kinds the notebook lacks fall back to the defaults.
 */
export function rebuildNotebook(doc: NotebookDoc): RebuiltNotebook {
  const cellIds: CellId[] = [];
  const cells: Record<CellId, CellEntry> = {};
  let features: Pick<NotebookSettings, 'classTarget' | 'revenueTarget' | 'excluded' | 'transforms'> | null = null;
  let classifier: { config: ClassifierConfig; backend: BackendPreference } | null = null;
  let regressor: RegressorConfig | null = null;
  let threshold: number | null = null;
  doc.cells.forEach((cell, index) => {
    const kind = CELL_KINDS.find((k) => k === cell.kind);
    if (kind === undefined) throw new NotebookDocError(`cell ${index + 1} has unknown kind "${cell.kind.slice(0, 40)}"; this workbench knows ${CELL_KINDS.join(', ')}`);
    const where = `cell ${index + 1} (${kind})`;
    const id = cell.id as CellId;
    cellIds.push(id);
    cells[id] = { id, kind, collapsed: cell.collapsed };
    // The first cell of a kind sets its settings; duplicates carry the same ones.
    if (kind === 'features' && features === null) features = readFeatures(cell.config, where);
    else if (kind === 'trainClassifier' && classifier === null) classifier = readClassifier(cell.config, where);
    else if (kind === 'trainRegressor' && regressor === null) regressor = readRegressor(cell.config, where);
    else if (kind === 'threshold' && threshold === null) threshold = readThreshold(cell.config, where);
  });
  const f = features ?? { ...DEFAULT_TARGETS, excluded: [], transforms: {} };
  const c = classifier ?? { config: DEFAULT_CLASSIFIER_CONFIG, backend: 'auto' as const };
  return {
    cellIds,
    cells,
    settings: {
      ...f,
      classifierConfig: c.config,
      regressorConfig: regressor ?? DEFAULT_REGRESSOR_CONFIG,
      backendPreference: c.backend,
      threshold: threshold ?? 0.5,
    },
    data: doc.data,
  };
}

/** The store's setters `applyNotebookDoc` needs; the real store by default. */
export interface NotebookStore {
  getState(): WorkbenchState;
  setState(partial: Partial<WorkbenchState>): void;
}

/**
 * Puts a notebook into the store: cells, settings and the data source. Bundled and URL data start loading
 * (unless that very source is loaded or loading); a local file is named in `sharedNotebook.dataFile` for the
 * reader to supply. Validates first, so a refused notebook changes nothing.
 */
export function applyNotebookDoc(doc: NotebookDoc, from: 'link' | 'file' = 'file', store: NotebookStore = useWorkbench): RebuiltNotebook {
  const rebuilt = rebuildNotebook(doc);
  const s = store.getState();
  const { classTarget, revenueTarget, ...rest } = rebuilt.settings;
  store.setState({
    cellIds: rebuilt.cellIds,
    cells: rebuilt.cells,
    deleted: null,
    ...rest,
    excluded: [...rest.excluded],
    transforms: { ...rest.transforms },
    featuresVersion: s.featuresVersion + 1,
  });
  if (classTarget !== s.classTarget || revenueTarget !== s.revenueTarget) s.setTargets(classTarget, revenueTarget);
  let dataFile: string | null = null;
  const data = rebuilt.data;
  const loaded = s.dataset?.source;
  const loading = s.load.status === 'loading' ? s.load.label : null;
  if (data.type === 'bundled') {
    if (loaded?.type !== 'bundled' && loading !== data.name) {
      s.startLoad({ kind: 'url', url: BUNDLED_URL, name: data.name, bundled: true });
    }
  } else if (data.type === 'url' && data.url !== undefined) {
    if (!(loaded?.type === 'url' && loaded.url === data.url) && loading !== data.name) {
      s.startLoad({ kind: 'url', url: data.url, name: data.name, bundled: false });
    }
  } else if (!(loaded?.type === 'file' && loaded.name === data.name)) {
    dataFile = data.name;
  }
  s.setSharedNotebook({ from, name: doc.name, dataFile });
  return rebuilt;
}

// ---- typed reading of cell configs ----

type Config = Readonly<Record<string, unknown>>;

function plain<T extends object>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function onlyKeys(config: Config, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(config)) {
    if (!allowed.includes(key)) throw new NotebookDocError(`${where} has unknown setting "${key.slice(0, 40)}"; remove it`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text "${value.slice(0, 40)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function str(config: Config, key: string, where: string, fallback: string): string {
  const v = config[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new NotebookDocError(`${where} ${key} is ${describe(v)}; expected text`);
  return v;
}

function oneOf<T extends string>(config: Config, key: string, where: string, options: readonly T[], fallback: T): T {
  const v = config[key];
  if (v === undefined) return fallback;
  const found = options.find((o) => o === v);
  if (found === undefined) throw new NotebookDocError(`${where} ${key} is ${describe(v)}; expected one of ${options.join(', ')}`);
  return found;
}

function num(config: Config, key: string, where: string, fallback: number, range: { min?: number; max?: number; integer?: boolean } = {}): number {
  const v = config[key];
  if (v === undefined) return fallback;
  return checkNumber(v, `${where} ${key}`, range);
}

function checkNumber(v: unknown, what: string, range: { min?: number; max?: number; integer?: boolean }): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NotebookDocError(`${what} is ${describe(v)}; expected a number`);
  if (range.integer === true && !Number.isInteger(v)) throw new NotebookDocError(`${what} is ${v}; expected a whole number`);
  if (range.min !== undefined && v < range.min) throw new NotebookDocError(`${what} is ${v}; expected at least ${range.min}`);
  if (range.max !== undefined && v > range.max) throw new NotebookDocError(`${what} is ${v}; expected at most ${range.max}`);
  return v;
}

function bool(config: Config, key: string, where: string, fallback: boolean): boolean {
  const v = config[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new NotebookDocError(`${where} ${key} is ${describe(v)}; expected true or false`);
  return v;
}

function hiddenUnits(config: Config, where: string, fallback: readonly number[]): readonly number[] {
  const v = config['hiddenUnits'];
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw new NotebookDocError(`${where} hiddenUnits is ${describe(v)}; expected a list of layer sizes`);
  if (v.length > 16) throw new NotebookDocError(`${where} hiddenUnits has ${v.length} layers; at most 16 are accepted`);
  return v.map((u: unknown, i) => checkNumber(u, `${where} hiddenUnits[${i}]`, { min: 0, max: 8192, integer: true }));
}

const COUNT = { min: 1, max: 1_000_000, integer: true } as const;
const FRACTION = { min: 0, max: 1 } as const;

function readClassifier(config: Config, where: string): { config: ClassifierConfig; backend: BackendPreference } {
  const d = DEFAULT_CLASSIFIER_CONFIG;
  onlyKeys(config, [...Object.keys(d), 'backend'], where);
  const cw = config['classWeight'];
  let classWeight = d.classWeight;
  if (cw !== undefined) {
    if (cw === 'none' || cw === 'balanced') classWeight = cw;
    else if (typeof cw === 'object' && cw !== null && !Array.isArray(cw)) {
      const o = cw as Config;
      onlyKeys(o, ['positiveWeight'], `${where} classWeight`);
      classWeight = { positiveWeight: checkNumber(o['positiveWeight'], `${where} classWeight positiveWeight`, { min: 0 }) };
    } else {
      throw new NotebookDocError(`${where} classWeight is ${describe(cw)}; expected "none", "balanced" or {"positiveWeight": number}`);
    }
  }
  return {
    config: {
      model: oneOf(config, 'model', where, ['logistic', 'mlp'], d.model),
      hiddenUnits: hiddenUnits(config, where, d.hiddenUnits),
      dropout: num(config, 'dropout', where, d.dropout, FRACTION),
      l2: num(config, 'l2', where, d.l2, { min: 0 }),
      C: num(config, 'C', where, d.C, { min: 0 }),
      learningRate: num(config, 'learningRate', where, d.learningRate, { min: 0 }),
      batchSize: num(config, 'batchSize', where, d.batchSize, COUNT),
      epochs: num(config, 'epochs', where, d.epochs, COUNT),
      patience: num(config, 'patience', where, d.patience, COUNT),
      classWeight,
      resampling: oneOf(config, 'resampling', where, ['none', 'oversample', 'smote', 'undersample'], d.resampling),
      testFraction: num(config, 'testFraction', where, d.testFraction, FRACTION),
      validationFraction: num(config, 'validationFraction', where, d.validationFraction, FRACTION),
      seed: num(config, 'seed', where, d.seed),
    },
    backend: oneOf(config, 'backend', where, BACKENDS, 'auto'),
  };
}

function readRegressor(config: Config, where: string): RegressorConfig {
  const d = DEFAULT_REGRESSOR_CONFIG;
  onlyKeys(config, Object.keys(d), where);
  return {
    model: oneOf(config, 'model', where, ['linear', 'mlp'], d.model),
    strategy: oneOf(config, 'strategy', where, ['converting_only', 'direct', 'two_stage'], d.strategy),
    logTarget: bool(config, 'logTarget', where, d.logTarget),
    hiddenUnits: hiddenUnits(config, where, d.hiddenUnits),
    dropout: num(config, 'dropout', where, d.dropout, FRACTION),
    l2: num(config, 'l2', where, d.l2, { min: 0 }),
    learningRate: num(config, 'learningRate', where, d.learningRate, { min: 0 }),
    batchSize: num(config, 'batchSize', where, d.batchSize, COUNT),
    epochs: num(config, 'epochs', where, d.epochs, COUNT),
    patience: num(config, 'patience', where, d.patience, COUNT),
    testFraction: num(config, 'testFraction', where, d.testFraction, FRACTION),
    validationFraction: num(config, 'validationFraction', where, d.validationFraction, FRACTION),
    seed: num(config, 'seed', where, d.seed),
  };
}

function readThreshold(config: Config, where: string): number {
  onlyKeys(config, ['threshold'], where);
  return num(config, 'threshold', where, 0.5, FRACTION);
}

function readFeatures(config: Config, where: string): Pick<NotebookSettings, 'classTarget' | 'revenueTarget' | 'excluded' | 'transforms'> {
  onlyKeys(config, ['classTarget', 'revenueTarget', 'excluded', 'transforms'], where);
  const ex = config['excluded'] ?? [];
  if (!Array.isArray(ex)) throw new NotebookDocError(`${where} excluded is ${describe(ex)}; expected a list of column names`);
  const excluded = ex.map((n: unknown, i) => {
    if (typeof n !== 'string') throw new NotebookDocError(`${where} excluded[${i}] is ${describe(n)}; expected a column name`);
    return n;
  });
  const tr = config['transforms'] ?? {};
  if (typeof tr !== 'object' || tr === null || Array.isArray(tr)) throw new NotebookDocError(`${where} transforms is ${describe(tr)}; expected an object`);
  const transforms: Record<string, ColumnTransform> = {};
  for (const [column, t] of Object.entries(tr as Config)) transforms[column] = readTransform(t, `${where} transform of "${column.slice(0, 40)}"`);
  return {
    classTarget: str(config, 'classTarget', where, DEFAULT_TARGETS.classTarget),
    revenueTarget: str(config, 'revenueTarget', where, DEFAULT_TARGETS.revenueTarget),
    excluded: [...new Set(excluded)],
    transforms,
  };
}

function readTransform(t: unknown, where: string): ColumnTransform {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new NotebookDocError(`${where} is ${describe(t)}; expected an object with a "kind"`);
  const o = t as Config;
  const kind = o['kind'];
  switch (kind) {
    case 'cap':
      onlyKeys(o, ['kind', 'max'], where);
      return { kind, max: checkNumber(o['max'], `${where} max`, {}) };
    case 'clip':
      onlyKeys(o, ['kind', 'min', 'max'], where);
      return { kind, min: checkNumber(o['min'], `${where} min`, {}), max: checkNumber(o['max'], `${where} max`, {}) };
    case 'log1p':
    case 'onehot':
    case 'drop':
      onlyKeys(o, ['kind'], where);
      return { kind };
    default:
      throw new NotebookDocError(`${where} has kind ${describe(kind)}; expected cap, clip, log1p, onehot or drop`);
  }
}
