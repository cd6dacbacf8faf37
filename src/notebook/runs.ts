/** The session's runs: what each trained model carries, and the key of the inputs it was trained on (staleness). */
import type { ColumnTransform } from '../data/encode.ts';
import type { RunDataRecord } from './dataSettings.ts';
import type { ClassifierConfig, ClassifierResult, RegressorConfig, RegressorResult } from '../trainers/types.ts';

/** The two models a notebook trains. */
export type ModelKind = 'classifier' | 'regressor';

/** A run id; branded so it is not mixed up with cell ids. */
export type RunId = string & { readonly __brand: 'RunId' };

/** What every run records besides its result: provenance, features and the inputs key. */
export interface RunBase {
  readonly id: RunId;
  readonly name: string;
  readonly createdAt: string;
  readonly wallMs: number;
  /** what the run was trained on, so cells know when they are stale */
  readonly inputsKey: string;
  readonly featureNames: readonly string[];
  readonly featureGroups: readonly string[];
  /** the columns (or one-hot groups) left out of the features */
  readonly excluded: readonly string[];
  /** the column transforms it was trained with (`transformsText` says them in words) */
  readonly transforms: Readonly<Record<string, ColumnTransform>>;
  /** the SHA-256 of the file it was trained on ('' when unknown) */
  readonly dataSha256: string;
  readonly dataName: string;
  /** rows of the data it was trained on (after row filters), every part of the split */
  readonly rows: number;
  /** the Train cell whose settings made this run (absent for pipeline runs and runs saved before cells owned settings) */
  readonly cellId?: string;
  /** the source as shown, the split, filters and date parts (runs of this session; older ones lack it) */
  readonly data?: RunDataRecord;
}
/** A trained conversion classifier. */
export interface ClassifierRun extends RunBase { readonly kind: 'classifier'; readonly result: ClassifierResult }
/** A trained revenue regressor. */
export interface RegressorRun extends RunBase { readonly kind: 'regressor'; readonly result: RegressorResult }
/** Either run. */
export type Run = ClassifierRun | RegressorRun;

/** The runs of a session and which one of each kind the cells show. */
export interface RunsState {
  readonly runs: readonly Run[];
  readonly activeRun: Readonly<Record<ModelKind, RunId | null>>;
}

/** Everything a model's training inputs depend on besides its own settings. */
export interface InputsState {
  readonly dataVersion: number;
  readonly featuresVersion: number;
  readonly classTarget: string;
  readonly revenueTarget: string;
}

/** The notebook's cells by id; a run made by a Train cell is compared with that cell's settings now. */
export interface CellModelConfigs {
  readonly cells: Readonly<Record<string, { readonly kind: string; readonly config: object } | undefined>>;
}

/** The kind of cell that trains each model. */
export const TRAIN_CELL_KIND = { classifier: 'trainClassifier', regressor: 'trainRegressor' } as const satisfies Record<ModelKind, string>;

/** The model settings the Train cell `cellId` holds now, or null when there is no such Train cell of `kind`. */
export function modelConfigOfCell(s: CellModelConfigs, cellId: string, kind: ModelKind): ClassifierConfig | RegressorConfig | null {
  const cell = s.cells[cellId];
  if (cell === undefined || cell.kind !== TRAIN_CELL_KIND[kind]) return null;
  // a Train cell's settings are its model's (the schemas in src/notebook/settings.ts)
  return cell.config as ClassifierConfig | RegressorConfig;
}

/** The key of training a model with `config` on the current data and features; a run whose key differs is stale. */
export function inputsKey(s: InputsState, config: ClassifierConfig | RegressorConfig): string {
  return JSON.stringify([s.dataVersion, s.featuresVersion, s.classTarget, s.revenueTarget, config]);
}

/** The key `run` would have if trained again now: with its cell's current settings, or its own once the cell is gone. */
export function currentInputsKey(s: InputsState & CellModelConfigs, run: Run): string {
  const config = run.cellId === undefined ? null : modelConfigOfCell(s, run.cellId, run.kind);
  return inputsKey(s, config ?? run.result.config);
}

/** True when `run` was trained on other inputs (data, features, targets or its cell's settings) than the current ones. */
export function isRunStale(s: InputsState & CellModelConfigs, run: Run): boolean {
  return run.inputsKey !== currentInputsKey(s, run);
}

/** True when the active run of `kind` exists and is stale. */
export function isModelStale(s: InputsState & CellModelConfigs & RunsState, kind: ModelKind): boolean {
  const id = s.activeRun[kind];
  if (id === null) return false;
  const run = s.runs.find((r) => r.id === id);
  return run !== undefined && isRunStale(s, run);
}

/** The active classifier run, or null; a stable object, so selecting it does not re-render on unrelated changes. */
export function selectActiveClassifier(s: RunsState): ClassifierRun | null {
  const id = s.activeRun.classifier;
  const run = id === null ? undefined : s.runs.find((r) => r.id === id);
  return run?.kind === 'classifier' ? run : null;
}

/** The active regressor run, or null. */
export function selectActiveRegressor(s: RunsState): RegressorRun | null {
  const id = s.activeRun.regressor;
  const run = id === null ? undefined : s.runs.find((r) => r.id === id);
  return run?.kind === 'regressor' ? run : null;
}
