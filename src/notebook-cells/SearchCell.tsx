/** Hyperparameter search: grid or random candidates, k-fold CV across the worker pool, a streaming table, parallel coordinates, "use best". */
import { Fragment, useMemo, useState } from 'react';
import { Plot } from '../app/Plot.tsx';
import { fmt, fmtInt } from '../app/format.ts';
import { SCORINGS, describeParams, searchCandidates, searchInputsKey, type SearchClassWeight, type SearchScoring } from '../app/searchSlice.ts';
import { useWorkbench } from '../app/store.ts';
import { CLASSIFIER_METRICS, REGRESSOR_METRICS, higherIsBetter, type CvTask, type MetricName } from '../trainers/crossValidation.ts';
import type { LogisticSolver } from '../trainers/fastLogistic.ts';
import { bestCandidate, SEARCH_TRAINERS, summarise, TREE_SEARCH_PARAMS, type ParamValue, type SearchTrainer, type SummaryRow, type TreeSearchTrainer } from '../trainers/search.ts';
import type { ResamplingOption } from '../trainers/types.ts';
import { NumberField, SelectField, TextField } from './fields.tsx';

/** Column headings of the metrics. */
export const METRIC_LABELS: Record<MetricName, string> = {
  f1: 'F1 (best thr.)', rocAuc: 'ROC AUC', prAuc: 'PR AUC', logLoss: 'log loss', brier: 'Brier', rmse: 'RMSE', mae: 'MAE', r2: 'R²',
};

/** How a trainer is named in the trainer select (followed by the model it tunes). */
const TRAINER_WORDS: Record<SearchTrainer, string> = { logistic: 'logistic', ridge: 'ridge', gbdt: 'gradient boosting', rf: 'random forest' };

const NUMBER_LIST = /^\s*[0-9.eE+-]+(\s*,\s*[0-9.eE+-]+)*\s*$/;

function parseList(text: string, allowZero = false): number[] {
  return text.split(',').map((x) => Number(x.trim())).filter((v) => Number.isFinite(v) && (v > 0 || (allowZero && v === 0)));
}

/** The grid lists or random ranges of the searched tree settings (learning rate, leaves, min samples per leaf, L2, trees). */
function TreeSearchFields({ trainer }: { trainer: TreeSearchTrainer }) {
  const st = useWorkbench((s) => s.searchSettings);
  const set = useWorkbench((s) => s.setSearchSettings);
  return (
    <>
      {TREE_SEARCH_PARAMS[trainer].map((p) => {
        if (st.mode === 'grid') {
          const values = st.treeGrid[trainer][p.key] ?? p.grid;
          return (
            <TextField key={p.key} label={`${p.label} values`} value={values.join(', ')} pattern={NUMBER_LIST} hint={`numbers, e.g. ${p.grid.join(', ')}`} testId={`search-tree-${p.key}`}
              onChange={(v) => {
                const list = parseList(v, p.key === 'l2').map((x) => (p.integer ? Math.round(x) : x));
                if (list.length > 0) set({ treeGrid: { ...st.treeGrid, [trainer]: { ...st.treeGrid[trainer], [p.key]: list } } });
              }} />
          );
        }
        const [low, high] = st.treeRange[trainer][p.key] ?? [p.low, p.high];
        const setRange = (range: readonly [number, number]) => set({ treeRange: { ...st.treeRange, [trainer]: { ...st.treeRange[trainer], [p.key]: range } } });
        return (
          <Fragment key={p.key}>
            <NumberField label={`${p.label} from${p.integer ? '' : ' (log-uniform)'}`} value={low} min={p.integer ? 1 : 1e-6} step={p.integer ? 1 : 'any'} testId={`search-tree-${p.key}-low`} onChange={(v) => setRange([v, high])} />
            <NumberField label={`${p.label} to`} value={high} min={p.integer ? 1 : 1e-6} step={p.integer ? 1 : 'any'} testId={`search-tree-${p.key}-high`} onChange={(v) => setRange([low, v])} />
          </Fragment>
        );
      })}
    </>
  );
}

/** Toggles for a multi-valued grid parameter; at least one stays on. */
function Choices<T extends string>({ label, values, options, onChange, testId }: {
  label: string; values: readonly T[]; options: ReadonlyArray<readonly [T, string]>; onChange: (v: T[]) => void; testId: string;
}) {
  return (
    <fieldset className="field choices" data-testid={testId}>
      <legend>{label}</legend>
      {options.map(([v, text]) => (
        <label key={v} className="choice">
          <input type="checkbox" checked={values.includes(v)} data-testid={`${testId}-${v}`}
            onChange={(e) => {
              const next = e.target.checked ? [...values, v] : values.filter((x) => x !== v);
              if (next.length > 0) onChange(options.map(([o]) => o).filter((o) => next.includes(o)));
            }} />
          {text}
        </label>
      ))}
    </fieldset>
  );
}

function paramText(v: ParamValue | undefined): string {
  if (v === undefined) return '–';
  return typeof v === 'number' ? String(Number(v.toPrecision(3))) : String(v);
}

function seconds(ms: number | null): string {
  if (ms === null) return 'estimating…';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

type SortKey = { readonly by: 'candidate' | MetricName | `param:${string}`; readonly desc: boolean };

function sortRows(rows: readonly SummaryRow[], sort: SortKey): SummaryRow[] {
  const value = (r: SummaryRow): number | string => {
    if (sort.by === 'candidate') return r.candidate;
    if (sort.by.startsWith('param:')) return r.params[sort.by.slice(6)] as number | string;
    return r.mean[sort.by as MetricName] ?? Number.NaN;
  };
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return sort.desc ? -c : c;
  });
}

/**
 * Parallel coordinates drawn as scatter lines (Plotly basic has no parcoords): one x position per parameter and
 * metric, each axis scaled to [0, 1] over the candidates (C and alpha on a log scale), the best line on top.
 */
export function parallelCoordinates(rows: readonly SummaryRow[], params: readonly string[], metrics: readonly MetricName[], scoring: MetricName, best: number | null): { data: object[]; layout: Record<string, unknown> } {
  const axes = [...params.map((p) => ({ key: p, label: p, param: true })), ...metrics.map((m) => ({ key: m, label: METRIC_LABELS[m], param: false }))];
  const scale = axes.map((a) => {
    const raw = rows.map((r) => (a.param ? r.params[a.key] : r.mean[a.key as MetricName]));
    if (raw.every((v) => typeof v === 'number')) {
      const log = a.key === 'C' || a.key === 'alpha' || a.key === 'learningRate';
      const nums = (raw as number[]).map((v) => (log ? Math.log10(v) : v));
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      const show = (v: number): string => (log ? String(Number((10 ** v).toPrecision(3))) : fmt(v));
      return { at: (v: ParamValue | undefined) => (hi > lo ? ((log ? Math.log10(v as number) : (v as number)) - lo) / (hi - lo) : 0.5), lo: show(lo), hi: show(hi) };
    }
    const levels = [...new Set(raw.map(String))].sort();
    return {
      at: (v: ParamValue | undefined) => (levels.length > 1 ? levels.indexOf(String(v)) / (levels.length - 1) : 0.5),
      lo: levels[0] ?? '', hi: levels.length > 1 ? (levels[levels.length - 1] ?? '') : '',
    };
  });
  const x = axes.map((_, i) => i);
  const scores = rows.map((r) => r.mean[scoring] ?? Number.NaN);
  const sLo = Math.min(...scores);
  const sHi = Math.max(...scores);
  const goodness = (v: number): number => {
    const t = sHi > sLo ? (v - sLo) / (sHi - sLo) : 1;
    return higherIsBetter(scoring) ? t : 1 - t;
  };
  const ordered = [...rows].sort((a, b) => (a.candidate === best ? 1 : 0) - (b.candidate === best ? 1 : 0));
  const data = ordered.map((r) => {
    const isBest = r.candidate === best;
    const g = goodness(r.mean[scoring] ?? Number.NaN);
    const y = axes.map((a, i) => scale[i]!.at(a.param ? r.params[a.key] : r.mean[a.key as MetricName]));
    return {
      type: 'scatter', mode: 'lines+markers', x, y, name: `#${r.candidate + 1}`, showlegend: false,
      hovertemplate: `#${r.candidate + 1}: ${describeParams(r.params).replace(/%/g, '%%')}<br>${METRIC_LABELS[scoring]} ${fmt(r.mean[scoring])}<extra></extra>`,
      line: { width: isBest ? 4 : 1.5, color: isBest ? '#d1242f' : `rgba(9, 105, 218, ${(0.25 + 0.6 * (Number.isFinite(g) ? g : 0)).toFixed(2)})` },
      marker: { size: isBest ? 8 : 5 },
    };
  });
  const annotations = axes.flatMap((_, i) => [
    { x: i, y: 1.04, text: scale[i]!.hi, showarrow: false, font: { size: 10 }, yanchor: 'bottom' },
    { x: i, y: -0.04, text: scale[i]!.lo, showarrow: false, font: { size: 10 }, yanchor: 'top' },
  ]);
  const shapes = axes.map((_, i) => ({ type: 'line', x0: i, x1: i, y0: 0, y1: 1, line: { color: 'rgba(128,128,128,0.6)', width: 1 } }));
  return {
    data,
    layout: {
      title: { text: `Candidates across parameters and mean CV scores (red: best by ${METRIC_LABELS[scoring]})`, font: { size: 13 } },
      xaxis: { tickvals: x, ticktext: axes.map((a) => a.label), range: [-0.3, axes.length - 0.7], showgrid: false, zeroline: false },
      yaxis: { range: [-0.15, 1.15], showticklabels: false, showgrid: false, zeroline: false },
      annotations, shapes, margin: { l: 24, r: 24, t: 48, b: 40 },
    },
  };
}

export function SearchCell() {
  const st = useWorkbench((s) => s.searchSettings);
  const set = useWorkbench((s) => s.setSearchSettings);
  const run = useWorkbench((s) => s.searchRun);
  const runSearch = useWorkbench((s) => s.runSearch);
  const cancel = useWorkbench((s) => s.cancelSearch);
  const useBest = useWorkbench((s) => s.useBestCandidate);
  const ready = useWorkbench((s) => s.analysis !== null && s.analysis.issues.length === 0);
  const excluded = useWorkbench((s) => s.excluded);
  // the searched model's target is none: the search has nothing to fit
  const noTarget = useWorkbench((s) => (st.task === 'classifier' ? s.classTarget : s.revenueTarget) === '');
  const stale = useWorkbench((s) => run.status !== 'idle' && run.inputsKey !== '' && searchInputsKey(s) !== run.inputsKey);
  const [sort, setSort] = useState<SortKey>({ by: 'candidate', desc: false });

  const planned = useMemo(() => {
    try {
      return { n: searchCandidates(st).length, error: null };
    } catch (err) {
      return { n: 0, error: (err as Error).message };
    }
  }, [st]);

  const rows = useMemo(() => summarise(run.results), [run.results]);
  const scoring = run.scoring as MetricName;
  const best = useMemo(() => {
    try {
      return rows.length > 0 ? bestCandidate(rows, scoring) : null;
    } catch {
      return null;
    }
  }, [rows, scoring]);
  const metrics: readonly MetricName[] = run.task === 'regressor' ? REGRESSOR_METRICS : CLASSIFIER_METRICS;
  const paramKeys = useMemo(() => {
    const keys = run.trainer === 'ridge' ? ['alpha']
      : run.trainer === 'logistic' ? ['C', 'solver', 'classWeight', 'resampling']
        : [...TREE_SEARCH_PARAMS[run.trainer].map((p) => p.key), 'classWeight', 'resampling'];
    return keys.filter((k) => run.candidates.some((c) => c[k] !== undefined));
  }, [run.trainer, run.candidates]);
  const chart = useMemo(
    () => (rows.length > 0 ? parallelCoordinates(rows, paramKeys, metrics, scoring, best?.candidate ?? null) : null),
    [rows, paramKeys, metrics, scoring, best],
  );
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const running = run.status === 'running';
  const header = (by: SortKey['by'], text: string, className = '') => (
    <th key={by} className={className} aria-sort={sort.by === by ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" data-testid={`search-sort-${by}`}
        onClick={() => setSort((s) => ({ by, desc: s.by === by ? !s.desc : by !== 'candidate' && (by.startsWith('param:') ? false : higherIsBetter(by as MetricName)) }))}>
        {text}{sort.by === by ? (sort.desc ? ' ▾' : ' ▴') : ''}
      </button>
    </th>
  );

  return (
    <div className={stale ? 'stale' : ''} data-testid="search-cell" data-stale={stale}>
      <p className="muted">
        Each candidate is scored by stratified {st.k}-fold cross-validation; the scaler and any resampling are fitted inside each training fold only.
        Work is spread over {typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1} workers (one per hardware thread), one (candidate, fold) pair at a time.
      </p>
      <div className="settings">
        <SelectField<CvTask> label="tunes" value={st.task} testId="search-task"
          options={[['classifier', 'Train classifier'], ['regressor', 'Train regressor']]} onChange={(task) => set({ task })} />
        <SelectField<SearchTrainer> label="trainer" value={st.trainer} testId="search-trainer"
          options={SEARCH_TRAINERS[st.task].map((t) => [t, `${TRAINER_WORDS[t]} ${st.task}`] as const)} onChange={(trainer) => set({ trainer })} />
        <SelectField<'grid' | 'random'> label="search" value={st.mode} testId="search-mode"
          options={[['grid', 'grid (all combinations)'], ['random', 'random draws']]} onChange={(mode) => set({ mode })} />
        <NumberField label="folds (k)" value={st.k} min={2} max={20} step={1} testId="search-k" onChange={(k) => set({ k: Math.round(k) })} />
        <SelectField<SearchScoring> label="scoring (ranks candidates)" value={st.scoring} testId="search-scoring" options={SCORINGS[st.task]} onChange={(scoring) => set({ scoring })} />
        <NumberField label="seed" value={st.seed} step={1} testId="search-seed" onChange={(seed) => set({ seed: Math.round(seed) })} />
        <NumberField label="row sample (0 = all rows)" value={st.sampleRows} min={0} step={1000} testId="search-sample" onChange={(sampleRows) => set({ sampleRows: Math.round(sampleRows) })} />
      </div>
      <div className="settings">
        {st.trainer === 'logistic' && st.mode === 'grid' && (
          <TextField label="C values (inverse L2)" value={st.cValues.join(', ')} pattern={NUMBER_LIST} hint="positive numbers, e.g. 0.01, 0.1, 1" testId="search-c-values"
            onChange={(v) => { const cValues = parseList(v); if (cValues.length > 0) set({ cValues }); }} />
        )}
        {st.trainer === 'logistic' && st.mode === 'random' && (
          <>
            <NumberField label="C from (log-uniform)" value={st.cRange[0]} min={1e-6} testId="search-c-low" onChange={(v) => set({ cRange: [v, st.cRange[1]] })} />
            <NumberField label="C to" value={st.cRange[1]} min={1e-6} testId="search-c-high" onChange={(v) => set({ cRange: [st.cRange[0], v] })} />
          </>
        )}
        {st.trainer === 'ridge' && st.mode === 'grid' && (
          <TextField label="alpha values (L2)" value={st.alphas.join(', ')} pattern={NUMBER_LIST} hint="positive numbers, e.g. 0.1, 1, 10" testId="search-alphas"
            onChange={(v) => { const alphas = parseList(v); if (alphas.length > 0) set({ alphas }); }} />
        )}
        {st.trainer === 'ridge' && st.mode === 'random' && (
          <>
            <NumberField label="alpha from (log-uniform)" value={st.alphaRange[0]} min={1e-6} onChange={(v) => set({ alphaRange: [v, st.alphaRange[1]] })} />
            <NumberField label="alpha to" value={st.alphaRange[1]} min={1e-6} onChange={(v) => set({ alphaRange: [st.alphaRange[0], v] })} />
          </>
        )}
        {(st.trainer === 'gbdt' || st.trainer === 'rf') && <TreeSearchFields trainer={st.trainer} />}
        {st.mode === 'random' && <NumberField label="candidates to draw" value={st.nRandom} min={1} max={500} step={1} testId="search-n" onChange={(n) => set({ nRandom: Math.round(n) })} />}
        {st.trainer === 'logistic' && (
          <Choices<LogisticSolver> label="solver" values={st.solvers} testId="search-solvers" options={[['lbfgs', 'L-BFGS'], ['newton', 'Newton']]} onChange={(solvers) => set({ solvers })} />
        )}
        {st.task === 'classifier' && (
          <>
            <Choices<SearchClassWeight> label="class weights" values={st.classWeights} testId="search-weights" options={[['none', 'none'], ['balanced', 'balanced']]} onChange={(classWeights) => set({ classWeights })} />
            <Choices<ResamplingOption> label="resampling (training folds only)" values={st.resamplings} testId="search-resampling"
              options={[['none', 'none'], ['oversample', 'oversample'], ['smote', 'SMOTE-NC'], ['undersample', 'undersample']]} onChange={(resamplings) => set({ resamplings })} />
          </>
        )}
      </div>
      {(st.trainer === 'gbdt' || st.trainer === 'rf') && (
        <p className="muted">
          Trees are fitted on each training fold as it is (scaling does not change a tree); {st.trainer === 'gbdt' ? 'boosting runs all of its trees in every fold (there are no validation rows inside a fold to stop early on), so the number of trees is searched directly. ' : ''}Settings not listed keep the Train cell’s defaults.
        </p>
      )}
      {st.task === 'regressor' && (
        <p className="muted">The regressor search fits the Train regressor cell’s rows and target (its strategy and target transform), so the winning settings mean the same there; RMSE and MAE are in the units of that target.</p>
      )}
      <div className="toolbar">
        <button type="button" className="primary" disabled={!ready || running || planned.n === 0 || noTarget} onClick={() => void runSearch()} data-testid="search-run">
          Run search
        </button>
        <span className="muted" data-testid="search-plan" data-value={planned.n}>
          {noTarget ? `Idle: the ${st.task === 'classifier' ? 'class' : 'regression'} target is none; choose one in the Features cell or tune the other model.`
            : planned.error ?? `${planned.n} candidates × ${st.k} folds = ${fmtInt(planned.n * st.k)} fits`}
        </span>
        {excluded.length > 0 && <span className="muted">excluded: {excluded.join(', ')}</span>}
        {stale && <span className="stale-badge" data-testid="search-stale">stale: data or features changed, run again</span>}
      </div>
      {run.status !== 'idle' && (
        <div className="run-status" data-testid="search-status" data-status={run.status}>
          {run.rows > 0 && <span className="muted">{fmtInt(run.rows)} rows × {run.features} features, {run.workers} worker{run.workers === 1 ? '' : 's'}</span>}
          {run.progress && (
            <>
              <progress max={run.progress.total} value={run.progress.done} aria-label="search progress" />
              <span data-testid="search-progress" data-value={run.progress.done}>{run.progress.done} / {run.progress.total} fits</span>
            </>
          )}
          {running && run.progress && <span data-testid="search-eta">about {seconds(run.progress.etaMs)} left</span>}
          {running && <button type="button" onClick={cancel} data-testid="search-cancel">Cancel</button>}
          {run.status === 'done' && run.wallMs !== null && <span data-testid="search-done" data-value={run.wallMs}>done in {seconds(run.wallMs)}</span>}
          {run.status === 'cancelled' && <span className="warning" data-testid="search-cancelled">Search cancelled; the table keeps the folds that finished.</span>}
        </div>
      )}
      {run.status === 'error' && <div className="error" role="alert" data-testid="search-error">Search failed: {run.error}</div>}
      {rows.length > 0 && (
        <>
          <div className="scroll-x">
            <table className="grid search-table" data-testid="search-results">
              <thead>
                <tr>
                  {header('candidate', '#')}
                  {paramKeys.map((k) => header(`param:${k}`, k))}
                  {metrics.map((m) => header(m, `${METRIC_LABELS[m]}${m === scoring ? ' ★' : ''}`, m === scoring ? 'scoring-col' : ''))}
                  <th>folds</th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((r) => {
                  const isBest = best?.candidate === r.candidate && r.folds === run.k;
                  return (
                    <tr key={r.candidate} className={best?.candidate === r.candidate ? 'best' : ''} data-testid={`search-row-${r.candidate}`} data-best={isBest}>
                      <td>{r.candidate + 1}</td>
                      {paramKeys.map((k) => <td key={k} data-testid={`search-row-${r.candidate}-${k}`} data-value={String(r.params[k])}>{paramText(r.params[k])}</td>)}
                      {metrics.map((m) => (
                        <td key={m} data-value={r.mean[m]} className={m === scoring ? 'scoring-col' : ''}>
                          {fmt(r.mean[m])} <span className="muted">± {fmt(r.std[m])}</span>
                        </td>
                      ))}
                      <td>{r.folds}/{run.k}{r.allConverged ? '' : ' ⚠'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted">Mean ± population standard deviation over the folds (scikit-learn’s cv_results_). F1 is at each validation fold’s own best threshold, an optimistic ceiling as in GridSearchCV with a tuned threshold. ★ ranks the candidates.</p>
          {best && (
            <div className="toolbar">
              <span data-testid="search-best" data-candidate={best.candidate} data-value={best.mean[scoring]}>
                Best: <strong>#{best.candidate + 1}</strong> ({describeParams(best.params)}), {METRIC_LABELS[scoring]} {fmt(best.mean[scoring])} ± {fmt(best.std[scoring])}
              </span>
              <button type="button" className="primary" disabled={running} onClick={useBest} data-testid="search-use-best">
                Use best in {run.task === 'regressor' ? 'Train regressor' : 'Train classifier'}
              </button>
            </div>
          )}
          {run.applied && <p className="ok-note" role="status" data-testid="search-applied">{run.applied}</p>}
          {chart && <Plot testId="search-parcoords" label="parallel coordinates of the search candidates" data={chart.data} layout={chart.layout} height={320} />}
        </>
      )}
    </div>
  );
}
