/** The session's runs: what each trained model carries, and the key of the inputs it was trained on (staleness). */
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
  readonly excluded: readonly string[];
  readonly transforms: Readonly<Record<string, unknown>>;
  readonly dataSha256: string;
  readonly dataName: string;
  readonly rows: number;
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

/** Everything a model's training inputs depend on. */
export interface InputsState {
  readonly dataVersion: number;
  readonly featuresVersion: number;
  readonly classTarget: string;
  readonly revenueTarget: string;
  readonly classifierConfig: ClassifierConfig;
  readonly regressorConfig: RegressorConfig;
}

/** The key of what a model of `kind` would be trained on now; a run whose key differs is stale. */
export function inputsKey(s: InputsState, kind: ModelKind): string {
  const config = kind === 'classifier' ? s.classifierConfig : s.regressorConfig;
  return JSON.stringify([s.dataVersion, s.featuresVersion, s.classTarget, s.revenueTarget, config]);
}

/** True when the active run of `kind` exists and was trained on other inputs than the current ones. */
export function isModelStale(s: InputsState & RunsState, kind: ModelKind): boolean {
  const id = s.activeRun[kind];
  if (id === null) return false;
  const run = s.runs.find((r) => r.id === id);
  return run !== undefined && run.inputsKey !== inputsKey(s, kind);
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
