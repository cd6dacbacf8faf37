/**
 * The saved results checked before they are applied: the notebook part of a snapshot passes the one schema
 * (`checkSnapshot`), but its runs are stored as they were, and a run without its result or with a wrong field
 * type would reach the cells and blank every load. The first problem, or null when the results are safe.
 */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks the saved runs, active runs and fresh-run ids of a snapshot's `results` (null is fine). */
export function savedResultsProblem(results: unknown): string | null {
  if (results === null || results === undefined) return null;
  if (!isObject(results) || !Array.isArray(results.runs) || !isObject(results.activeRun) || !isStringArray(results.freshRunIds ?? [])) {
    return 'its results are not a list of runs';
  }
  for (const run of results.runs) {
    if (!isObject(run) || typeof run.id !== 'string' || (run.kind !== 'classifier' && run.kind !== 'regressor') || !isObject(run.result)
      || typeof run.inputsKey !== 'string' || !isStringArray(run.featureNames)) {
      return `a saved run (${isObject(run) ? String(run.id).slice(0, 40) : typeof run}) is incomplete`;
    }
  }
  const ids = new Set(results.runs.map((r) => (r as { id: string }).id));
  for (const [kind, id] of Object.entries(results.activeRun)) {
    if (id !== null && (typeof id !== 'string' || !ids.has(id))) return `the active ${kind} run is not among the saved runs`;
  }
  return null;
}
