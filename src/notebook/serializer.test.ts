import { describe, expect, it } from 'vitest';
import { NOTEBOOK_SCHEMA_VERSION, NotebookDocError, migrateSnapshot, type NotebookDoc } from './notebookSchema.ts';
import { parseNotebook, serializeNotebook, validateNotebook } from './serializer.ts';
import { ClassifierCellSchema, DEFAULT_NOTEBOOK_SETTINGS, NoSettingsSchema, RegressorCellSchema } from './settings.ts';
import { DEFAULT_CLASSIFIER_CONFIG, DEFAULT_REGRESSOR_CONFIG } from '../trainers/config.ts';
import { DEFAULT_METRIC_THRESHOLDS } from '../trainers/targets.ts';
import { SAMPLE_CELL_SCHEMAS, SAMPLE_NOTEBOOK } from '../../test/reportFixture.ts';

const SCHEMAS = SAMPLE_CELL_SCHEMAS;

function refusal(json: string): string {
  try {
    parseNotebook(json, SCHEMAS);
  } catch (error) {
    expect(error).toBeInstanceOf(NotebookDocError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

function withChange(change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(serializeNotebook(SAMPLE_NOTEBOOK)) as Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
}

function cellsOf(doc: Record<string, unknown>): Array<Record<string, unknown>> {
  return doc['cells'] as Array<Record<string, unknown>>;
}

/** The sample with one Train classifier setting replaced. */
function classifierSetting(key: string, value: unknown): string {
  return withChange((doc) => { (cellsOf(doc)[2]!['config'] as Record<string, unknown>)[key] = value; });
}

describe('notebook file round trip', () => {
  it('a notebook with a 20,000-character column name (target, excluded, transformed) opens again', () => {
    const long = `c${'x'.repeat(19_999)}`;
    const doc: NotebookDoc = { ...SAMPLE_NOTEBOOK, settings: { ...SAMPLE_NOTEBOOK.settings, revenueTarget: long, excluded: [long], transforms: { [long]: { kind: 'log1p' } } } };
    const back = parseNotebook(serializeNotebook(doc), SCHEMAS);
    expect(back.settings.revenueTarget).toHaveLength(20_000);
    expect(back).toEqual(doc);
  });

  it('parse(serialize(doc)) is identical, and serialising again gives the same text', () => {
    const text = serializeNotebook(SAMPLE_NOTEBOOK);
    const back = parseNotebook(text, SCHEMAS);
    expect(back).toEqual(SAMPLE_NOTEBOOK);
    expect(serializeNotebook(back)).toBe(text);
  });

  it('keeps data without a url free of a url key', () => {
    const doc: NotebookDoc = { ...SAMPLE_NOTEBOOK, data: { type: 'bundled', name: 'orders-2024' } };
    const back = parseNotebook(serializeNotebook(doc), SCHEMAS);
    expect(back.data).toEqual({ type: 'bundled', name: 'orders-2024' });
    expect('url' in back.data).toBe(false);
  });

  it('fills settings a file leaves out with their defaults (files from before a setting existed still load)', () => {
    const back = parseNotebook(withChange((doc) => {
      delete doc['settings'];
      cellsOf(doc)[2]!['config'] = { model: 'logistic' };
    }), SCHEMAS);
    expect(back.settings).toEqual(DEFAULT_NOTEBOOK_SETTINGS);
    expect(back.cells[2]!.config).toEqual({ ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic' });
  });
});

describe('notebook refusals name the field', () => {
  it('names an unknown cell kind', () => {
    const json = withChange((doc) => { cellsOf(doc)[1]!['kind'] = 'runShell'; });
    expect(refusal(json)).toMatch(/^cell 2 has unknown kind "runShell"; this workbench knows data, profile/);
  });

  it('refuses absurd model settings with the setting and the value', () => {
    expect(refusal(classifierSetting('seed', -1))).toBe('cell 3 (trainClassifier) seed is number -1; expected >=0');
    expect(refusal(classifierSetting('seed', 4.5))).toBe('cell 3 (trainClassifier) seed is number 4.5; expected a whole number');
    expect(refusal(classifierSetting('hiddenUnits', [0]))).toBe('cell 3 (trainClassifier) hiddenUnits[0] is number 0; expected >=1');
    expect(refusal(classifierSetting('hiddenUnits', []))).toBe('cell 3 (trainClassifier) hiddenUnits is 0 items long; expected at least 1');
    expect(refusal(classifierSetting('testFraction', 0))).toBe('cell 3 (trainClassifier) testFraction is number 0; expected >0');
    expect(refusal(classifierSetting('testFraction', 1))).toBe('cell 3 (trainClassifier) testFraction is number 1; expected <1');
    expect(refusal(classifierSetting('epochs', 'ten'))).toBe('cell 3 (trainClassifier) epochs is text "ten"; expected number');
    expect(refusal(classifierSetting('model', 'svm'))).toBe('cell 3 (trainClassifier) model is text "svm"; expected ("logistic" | "mlp" | "gbdt" | "rf")');
    expect(refusal(classifierSetting('trees', { gbdt: { maxLeafNodes: 0 } }))).toBe('cell 3 (trainClassifier) trees.gbdt.maxLeafNodes is number 0; expected >=2');
    expect(refusal(classifierSetting('trees', { gbdt: { learningRate: 0 } }))).toBe('cell 3 (trainClassifier) trees.gbdt.learningRate is number 0; expected >0');
    expect(refusal(classifierSetting('trees', { rf: { maxFeatures: 2 } }))).toMatch(/^cell 3 \(trainClassifier\) trees\.rf\.maxFeatures /);
    expect(refusal(classifierSetting('lr', 0.1))).toBe('cell 3 (trainClassifier) has unknown setting "lr"; remove it');
    expect(refusal(withChange((doc) => { cellsOf(doc)[0]!['config'] = { colour: 'red' }; }))).toBe('cell 1 (data) has unknown setting "colour"; remove it');
  });

  it('refuses bad notebook-wide settings and envelope fields', () => {
    const setting = (key: string, value: unknown) => withChange((doc) => { (doc['settings'] as Record<string, unknown>)[key] = value; });
    expect(refusal(setting('threshold', 2))).toBe('notebook settings.threshold is number 2; expected <=1');
    expect(refusal(setting('backendPreference', 'gpu'))).toMatch(/^notebook settings\.backendPreference is text "gpu"; expected \("auto" \| "webgpu"/);
    expect(refusal(setting('excluded', 'device'))).toBe('notebook settings.excluded is text "device"; expected Array');
    expect(refusal(setting('transforms', { pages: { kind: 'sqrt' } }))).toMatch(/^notebook settings\.transforms\.pages\.kind is text "sqrt"; expected \("cap" \| "clip"/);
    expect(refusal(setting('transforms', { pages: { kind: 'cap' } }))).toBe('notebook settings.transforms.pages.max is missing; add it');
    expect(refusal(withChange((doc) => { cellsOf(doc)[0]!['collapsed'] = 'yes'; }))).toBe('notebook cells[0].collapsed is text "yes"; expected boolean');
    expect(refusal(withChange((doc) => { doc['cells'] = {}; }))).toBe('notebook cells is an object; expected Array');
    expect(refusal(withChange((doc) => { doc['name'] = 42; }))).toBe('notebook name is number 42; expected string');
    expect(refusal(withChange((doc) => { doc['data'] = { type: 'ftp', name: 'x' }; }))).toBe('notebook data.type is text "ftp"; expected ("bundled" | "url" | "file")');
    expect(refusal(withChange((doc) => { doc['data'] = { type: 'url', name: 'x', url: 'javascript:alert(1)' }; })))
      .toBe('notebook data.url is text "javascript:alert(1)"; expected an http or https URL');
    expect(refusal(withChange((doc) => { doc['extra'] = 1; }))).toBe('notebook has unknown setting "extra"; remove it');
    expect(refusal(withChange((doc) => { cellsOf(doc)[1]!['id'] = 'data-1'; }))).toBe('cell 2 repeats id "data-1"; cell ids must be unique');
    expect(refusal('[1, 2]')).toBe('notebook is a list; expected an object');
    expect(refusal('{"schemaVersion": 2,')).toMatch(/^notebook is not valid JSON \(.+\); export it again$/);
  });

  it('refuses absurd sizes', () => {
    const many = withChange((doc) => {
      doc['cells'] = Array.from({ length: 201 }, (_, i) => ({ id: `c${i}`, kind: 'data', collapsed: false, config: {} }));
    });
    expect(refusal(many)).toBe('notebook has 201 cells; at most 200 are accepted');
    const longText = withChange((doc) => { doc['name'] = 'x'.repeat(10_001); });
    expect(refusal(longText)).toBe('notebook name is 10001 characters long; expected at most 10000');
    const longColumn = withChange((doc) => { (doc['settings'] as Record<string, unknown>)['classTarget'] = 'x'.repeat(1_000_001); });
    expect(refusal(longColumn)).toBe('notebook is larger than 1000000 bytes; this is not a workbench notebook');
    const huge = withChange((doc) => { (doc['settings'] as Record<string, unknown>)['excluded'] = Array.from({ length: 120 }, () => 'y'.repeat(9_000)); });
    expect(refusal(huge)).toBe('notebook is larger than 1000000 bytes; this is not a workbench notebook');
  });

  it('refuses a missing or newer schemaVersion', () => {
    expect(refusal(withChange((doc) => { delete doc['schemaVersion']; })))
      .toBe('notebook has no schemaVersion; is this a workbench notebook file?');
    expect(refusal(withChange((doc) => { doc['schemaVersion'] = NOTEBOOK_SCHEMA_VERSION + 1; })))
      .toBe(`notebook schemaVersion ${NOTEBOOK_SCHEMA_VERSION + 1} was made by a newer workbench (this one reads up to ${NOTEBOOK_SCHEMA_VERSION}); update the workbench`);
    expect(refusal(withChange((doc) => { doc['schemaVersion'] = '1'; })))
      .toBe('notebook schemaVersion text "1" is not a version number; export it again');
  });
});

/** A version 1 notebook as the workbench wrote it: shared settings in the first Features and Threshold cells, the backend in the classifier cell. */
const V1 = {
  schemaVersion: 1,
  name: 'old notebook',
  data: { type: 'bundled', name: 'training_data.parquet' },
  cells: [
    { id: 'features-default', kind: 'features', collapsed: false, config: { classTarget: 'converted', revenueTarget: 'order_value', excluded: ['engagement_depth'], transforms: { pages: { kind: 'cap', max: 12 } } } },
    { id: 'trainClassifier-default', kind: 'trainClassifier', collapsed: true, config: { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', C: 0.25, backend: 'wasm' } },
    { id: 'threshold-default', kind: 'threshold', collapsed: false, config: { threshold: 0.31 } },
    { id: 'threshold-copy', kind: 'threshold', collapsed: false, config: { threshold: 0.31 } },
    { id: 'trainRegressor-default', kind: 'trainRegressor', collapsed: false, config: { ...DEFAULT_REGRESSOR_CONFIG, strategy: 'two_stage' } },
  ],
};
const APP_SCHEMAS = { features: NoSettingsSchema, trainClassifier: ClassifierCellSchema, threshold: NoSettingsSchema, trainRegressor: RegressorCellSchema };

describe('notebook migrations', () => {
  it('migrates version 1: shared settings (the backend too) move to the top, every Train cell keeps its own model settings', () => {
    const doc = parseNotebook(JSON.stringify(V1), APP_SCHEMAS);
    expect(doc.schemaVersion).toBe(NOTEBOOK_SCHEMA_VERSION);
    expect(doc.settings).toEqual({ classTarget: 'converted', revenueTarget: 'order_value', excluded: ['engagement_depth'], transforms: { pages: { kind: 'cap', max: 12 } }, threshold: 0.31, backendPreference: 'wasm',
      revenueIsMoney: true, metricTargets: DEFAULT_METRIC_THRESHOLDS });
    expect(doc.cells.map((c) => [c.id, c.collapsed, c.config])).toEqual([
      ['features-default', false, {}],
      ['trainClassifier-default', true, { ...DEFAULT_CLASSIFIER_CONFIG, model: 'logistic', C: 0.25 }],
      ['threshold-default', false, {}],
      ['threshold-copy', false, {}],
      // a notebook older than version 7 fitted log1p: it keeps it
      ['trainRegressor-default', false, { ...DEFAULT_REGRESSOR_CONFIG, strategy: 'two_stage', targetTransform: 'log1p' }],
    ]);
  });

  it('migrates version 2, whose Train cells each held a backend, to one notebook backend', () => {
    const v2 = {
      schemaVersion: 2, name: 'v2', data: V1.data, settings: { threshold: 0.4 },
      cells: [
        { id: 'r', kind: 'trainRegressor', collapsed: false, config: { ...DEFAULT_REGRESSOR_CONFIG, backend: 'cpu' } },
        { id: 'c', kind: 'trainClassifier', collapsed: false, config: { ...DEFAULT_CLASSIFIER_CONFIG, seed: 3, backend: 'webgl' } },
      ],
    };
    const doc = parseNotebook(JSON.stringify(v2), APP_SCHEMAS);
    expect(doc.settings.backendPreference).toBe('webgl');
    expect(doc.cells.map((c) => c.config)).toEqual([{ ...DEFAULT_REGRESSOR_CONFIG, targetTransform: 'log1p' }, { ...DEFAULT_CLASSIFIER_CONFIG, seed: 3 }]);
  });

  it('migrates version 3: a Train classifier cell without a model meant the MLP and keeps it; one with a model keeps that; new cells are gradient boosting', () => {
    const { model: _model, ...withoutModel } = DEFAULT_CLASSIFIER_CONFIG;
    const v3 = {
      schemaVersion: 3, name: 'v3', data: V1.data, settings: {},
      cells: [
        { id: 'a', kind: 'trainClassifier', collapsed: false, config: { ...withoutModel, seed: 7 } },
        { id: 'b', kind: 'trainClassifier', collapsed: false, config: { ...withoutModel, model: 'logistic' } },
        { id: 'c', kind: 'trainClassifier', collapsed: false, config: {} },
        { id: 'r', kind: 'trainRegressor', collapsed: false, config: DEFAULT_REGRESSOR_CONFIG },
      ],
    };
    const doc = parseNotebook(JSON.stringify(v3), APP_SCHEMAS);
    expect(doc.schemaVersion).toBe(NOTEBOOK_SCHEMA_VERSION);
    expect(doc.cells.map((c) => (c.config as { model: string }).model)).toEqual(['mlp', 'logistic', 'mlp', 'linear']);
    expect(doc.cells[0]?.config).toEqual({ ...DEFAULT_CLASSIFIER_CONFIG, model: 'mlp', seed: 7 });
    expect(DEFAULT_CLASSIFIER_CONFIG.model).toBe('gbdt');
  });

  it('migrates version 4: the handoff\'s targets written out, the regression target in dollars; a version 5 file keeps its own targets', () => {
    const v4 = { schemaVersion: 4, name: 'v4', data: V1.data, settings: { classTarget: 'is_ordered' }, cells: [] };
    const doc = parseNotebook(JSON.stringify(v4), APP_SCHEMAS);
    expect(doc.schemaVersion).toBe(NOTEBOOK_SCHEMA_VERSION);
    expect(doc.settings.metricTargets).toEqual({ f1_score: 0.4, auc_roc: 0.75, precision: 0.3, recall: 0.5, rmse: 20, mae: 15, r2: 0.5, mape: 0.3 });
    expect(doc.settings.revenueIsMoney).toBe(true);
    const own = { ...v4, schemaVersion: 5, settings: { metricTargets: { f1_score: 0.2 }, revenueIsMoney: false } };
    const kept = parseNotebook(JSON.stringify(own), APP_SCHEMAS);
    expect(kept.settings.metricTargets.f1_score).toBe(0.2);
    expect(kept.settings.metricTargets.auc_roc).toBe(0.75);
    expect(kept.settings.revenueIsMoney).toBe(false);
    expect(refusal(JSON.stringify({ ...own, settings: { metricTargets: { auc_roc: 1.5 } } }))).toMatch(/auc_roc/);
  });

  it('migrates version 5: a gbdt Train regressor cell without an init model boosted from the mean and keeps it; new cells boost from the linear model', () => {
    const { initModel: _initModel, ...withoutInit } = DEFAULT_REGRESSOR_CONFIG;
    const v5 = {
      schemaVersion: 5, name: 'v5', data: V1.data, settings: {},
      cells: [
        { id: 'g', kind: 'trainRegressor', collapsed: false, config: { ...withoutInit, model: 'gbdt' } },
        { id: 'l', kind: 'trainRegressor', collapsed: false, config: withoutInit },
        { id: 'c', kind: 'trainClassifier', collapsed: false, config: { ...DEFAULT_CLASSIFIER_CONFIG } },
      ],
    };
    const doc = parseNotebook(JSON.stringify(v5), APP_SCHEMAS);
    expect(doc.schemaVersion).toBe(NOTEBOOK_SCHEMA_VERSION);
    expect(doc.cells.map((c) => (c.config as { initModel?: string }).initModel)).toEqual(['mean', 'linear', undefined]);
    expect(DEFAULT_REGRESSOR_CONFIG.initModel).toBe('linear');
    const v6 = { ...v5, schemaVersion: 6, cells: [{ id: 'g', kind: 'trainRegressor', collapsed: false, config: { model: 'gbdt' } }] };
    expect((parseNotebook(JSON.stringify(v6), APP_SCHEMAS).cells[0]?.config as { initModel?: string }).initModel).toBe('linear');
  });

  it('migrates version 6: a Train regressor cell keeps the log1p or raw target it had; new cells choose automatically', () => {
    const v6 = {
      schemaVersion: 6, name: 'v6', data: V1.data, settings: {},
      cells: [
        { id: 'a', kind: 'trainRegressor', collapsed: false, config: { model: 'linear', logTarget: true } },
        { id: 'b', kind: 'trainRegressor', collapsed: false, config: { model: 'gbdt', initModel: 'linear', logTarget: false } },
        { id: 'c', kind: 'trainRegressor', collapsed: false, config: { model: 'mlp' } },
      ],
    };
    const doc = parseNotebook(JSON.stringify(v6), APP_SCHEMAS);
    expect(doc.cells.map((c) => c.config as { targetTransform?: string; logTarget?: boolean })).toEqual([
      expect.objectContaining({ targetTransform: 'log1p' }), expect.objectContaining({ targetTransform: 'none' }), expect.objectContaining({ targetTransform: 'log1p' }),
    ]);
    expect(doc.cells.every((c) => !('logTarget' in c.config))).toBe(true);
    expect(DEFAULT_REGRESSOR_CONFIG.targetTransform).toBe('auto');
    const bad = { ...v6, cells: [{ id: 'a', kind: 'trainRegressor', collapsed: false, config: { logTarget: 'yes' } }] };
    expect(() => parseNotebook(JSON.stringify(bad), APP_SCHEMAS)).toThrow(/targetTransform/);
  });

  it('migrates version 7: a Train classifier cell chose its threshold on the validation slice without a refit and keeps it; new cells use 5 folds and refit', () => {
    const { thresholdFolds: _folds, refit: _refit, ...before } = DEFAULT_CLASSIFIER_CONFIG;
    const v7 = {
      schemaVersion: 7, name: 'v7', data: V1.data, settings: {},
      cells: [
        { id: 'bare', kind: 'trainClassifier', collapsed: false, config: { model: 'gbdt' } },
        { id: 'full', kind: 'trainClassifier', collapsed: false, config: { ...before, thresholdFolds: 10 } },
        { id: 'r', kind: 'trainRegressor', collapsed: false, config: { model: 'gbdt' } },
      ],
    };
    const doc = parseNotebook(JSON.stringify(v7), APP_SCHEMAS);
    const of = (i: number) => doc.cells[i]?.config as { thresholdFolds?: number; refit?: boolean };
    expect([of(0).thresholdFolds, of(0).refit, of(1).thresholdFolds, of(1).refit]).toEqual([0, false, 10, false]);
    expect(of(2)).not.toHaveProperty('refit');
    const v8 = { ...v7, schemaVersion: 8, cells: [{ id: 'bare', kind: 'trainClassifier', collapsed: false, config: { model: 'gbdt' } }] };
    const fresh = parseNotebook(JSON.stringify(v8), APP_SCHEMAS).cells[0]?.config as { thresholdFolds?: number; refit?: boolean };
    expect([fresh.thresholdFolds, fresh.refit]).toEqual([5, true]);
    expect([DEFAULT_CLASSIFIER_CONFIG.thresholdFolds, DEFAULT_CLASSIFIER_CONFIG.refit]).toEqual([5, true]);
  });

  it('migrates version 0, whose cells were called items and could omit collapsed', () => {
    const v0 = { schemaVersion: 0, name: V1.name, data: V1.data, items: V1.cells.map(({ collapsed, ...cell }) => (collapsed ? { ...cell, collapsed } : cell)) };
    expect(parseNotebook(JSON.stringify(v0), APP_SCHEMAS)).toEqual(parseNotebook(JSON.stringify(V1), APP_SCHEMAS));
  });

  it('refuses a version 0 file without items', () => {
    expect(refusal(JSON.stringify({ schemaVersion: 0, name: 'x', data: { type: 'bundled', name: 'x' } })))
      .toBe('version 0 notebook has no "items" list; export it again');
  });

  it('migrates a version 1 IndexedDB snapshot (loose settings fields) to the same document', () => {
    const snapshotV1 = {
      version: 1, savedAt: '2026-01-01T00:00:00.000Z', cellIds: V1.cells.map((c) => c.id),
      cells: V1.cells.map(({ id, kind, collapsed }) => ({ id, kind, collapsed })),
      classifierConfig: V1.cells[1]!.config, regressorConfig: V1.cells[4]!.config, backendPreference: 'wasm',
      excluded: ['engagement_depth'], transforms: { pages: { kind: 'cap', max: 12 } }, classTarget: 'converted', revenueTarget: 'order_value', threshold: 0.31,
      source: { type: 'bundled', name: 'training_data.parquet' }, results: null, resultsBytes: 0, resultsSaved: true,
    };
    const { notebook, rest } = migrateSnapshot(snapshotV1);
    const fromSnapshot = validateNotebook(notebook, APP_SCHEMAS);
    const fromFile = parseNotebook(JSON.stringify(V1), APP_SCHEMAS);
    expect({ ...fromSnapshot, name: fromFile.name }).toEqual(fromFile);
    expect(rest).toEqual({ version: 2, savedAt: '2026-01-01T00:00:00.000Z', results: null, resultsBytes: 0, resultsSaved: true });
  });
});
