/** Live status of a training job: backend, epoch progress, loss chart, fallbacks, cancel, tensors left. */
import { useMemo } from 'react';
import { useWorkbench } from '../app/store.ts';
import { Plot } from '../app/Plot.tsx';
import { fmt } from '../app/format.ts';
import type { ModelKind } from '../notebook/runs.ts';
import type { CellId } from '../app/notebookSlice.ts';
import { jobOf } from '../app/trainingSlice.ts';

export function TrainingStatus({ kind, cellId }: { kind: ModelKind; cellId: CellId }) {
  const job = useWorkbench((s) => jobOf(s, cellId));
  const cancel = useWorkbench((s) => s.cancelTraining);
  const chart = useMemo(() => {
    if (job.epochs.length === 0) return null;
    const x = job.epochs.map((e) => e.epoch);
    return {
      data: [
        { type: 'scatter', mode: 'lines+markers', name: 'training loss', x, y: job.epochs.map((e) => e.loss) },
        { type: 'scatter', mode: 'lines+markers', name: 'validation loss', x, y: job.epochs.map((e) => e.valLoss) },
      ],
      layout: { title: { text: 'Loss per epoch', font: { size: 13 } }, xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'loss' } }, legend: { orientation: 'h' } },
    };
  }, [job.epochs]);
  if (job.status === 'idle') return null;
  const last = job.epochs[job.epochs.length - 1];
  return (
    <div data-testid={`${kind}-status`} data-status={job.status}>
      <div className="run-status">
        {job.backend && (
          <span data-testid={`${kind}-backend`} data-value={job.backend.chosen}>
            backend <strong>{job.backend.chosen}</strong>
            {Object.keys(job.backend.timings).length > 1 && (
              <span className="muted"> (warm-up: {Object.entries(job.backend.timings).map(([b, ms]) => `${b} ${Math.round(ms)} ms`).join(', ')})</span>
            )}
          </span>
        )}
        {job.status === 'running' && (
          <>
            {job.protocol
              ? <progress max={1} value={job.protocol.fraction} aria-label={`${kind} training progress`} data-testid={`${kind}-progress`} data-value={job.protocol.fraction} />
              : <progress max={job.maxEpochs} value={job.epochs.length + (job.batch ? job.batch.batch / job.batch.batches : 0)} aria-label={`${kind} training progress`} />}
            {job.protocol && (
              <span data-testid={`${kind}-protocol-progress`} data-value={job.protocol.fraction} data-parts-done={job.protocol.partsDone} data-parts={job.protocol.parts}>
                {job.protocol.running.length > 0 ? job.protocol.running.join(' · ') : 'starting'} ({job.protocol.partsDone} of {job.protocol.parts} fits done, {Math.floor(job.protocol.fraction * 100)} % of the work) ·{' '}
              </span>
            )}
            <span data-testid={`${kind}-epoch`} data-value={job.epochs.length}>
              epoch {job.epochs.length} / {job.maxEpochs}{last ? ` · loss ${fmt(last.loss, 4)} · val ${fmt(last.valLoss, 4)} · ${Math.round(last.ms)} ms/epoch` : job.batch ? '' : ' · choosing backend…'}
            </span>
            {job.batch && (
              <span data-testid={`${kind}-batch`} data-value={job.batch.batch} data-total={job.batch.batches}>
                · epoch {job.batch.epoch}: batch {job.batch.batch} / {job.batch.batches}
              </span>
            )}
            <button type="button" onClick={() => cancel(cellId)} data-testid={`${kind}-cancel`}>Cancel</button>
          </>
        )}
        {job.status === 'cancelled' && (
          <span className="warning" data-testid={`${kind}-cancelled`}>
            Training cancelled {job.protocol && job.protocol.running.length > 0 ? `during ${job.protocol.running.map((r) => r.replace(/:.*/, '')).join(' and ')} (${job.protocol.partsDone} of ${job.protocol.parts} fits done)` : `after ${job.epochs.length} epochs`}.
          </span>
        )}
        {job.numTensorsAfter !== null && (
          <span className="muted" data-testid={`${kind}-tensors`} data-value={job.numTensorsAfter}>tensors left on the backend: {job.numTensorsAfter}</span>
        )}
      </div>
      {job.status === 'error' && <div className="error" role="alert" data-testid={`${kind}-error`}>Training failed: {job.error}</div>}
      {job.fallbacks.map((m) => <div key={m} className="warning" data-testid={`${kind}-fallback`}>Backend fallback: {m}</div>)}
      {job.warnings.length > 0 && <ul className="notes warning">{job.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
      {chart && <Plot testId={`${kind}-loss-chart`} label={`${kind} loss per epoch`} data={chart.data} layout={chart.layout} height={240} />}
    </div>
  );
}

/** Which step trained an MLP (tfjs's kernels or the fused wasm kernel) and why, in the result's line. */
export function MlpPathNote({ testId, path, why, threads }: { readonly testId: string; readonly path: string; readonly why: string | undefined; readonly threads?: number | undefined }) {
  return (
    <>
      , step <strong data-testid={testId} data-value={path}>{path}</strong>
      {threads !== undefined && threads > 1 && <> on <span data-testid={`${testId}-threads`} data-value={threads}>{threads} threads</span></>}
      {why !== undefined && <span className="muted"> ({why})</span>}
    </>
  );
}
