/// <reference lib="webworker" />
/** The data worker: a message switch around the pure loader. */
import initParquet, * as parquet from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { copyDataset } from '../data/datasetCopy.ts';
import { loadParquet } from '../data/load.ts';
import { analyseDataset } from '../notebook/analysis.ts';
import { preparedDataset, splitLabels, type DataSettings } from '../notebook/dataSettings.ts';
import { featuresView } from '../notebook/featuresView.ts';
import { buildTrainingInputs, type TrainingInputs } from '../notebook/trainingInputs.ts';
import { revenueView } from '../notebook/revenueView.ts';
import { planSplit, type SplitPlan } from '../trainers/splitPlan.ts';
import { transferables } from './transferables.ts';
import { blobByteSource, urlByteSource } from '../data/byteSource.ts';
import { DEFAULT_NETWORK_POLICY } from '../data/networkPolicy.ts';
import type { Dataset, DataSource } from '../data/types.ts';
import { datasetTransferables, type DataOps, type LoadSpec } from './dataProtocol.ts';
import { appendTestFile } from '../data/testFile.ts';
import { targetFacts } from '../data/targetProposal.ts';
import { canShareMemory, isShared } from './sharedMemory.ts';
import { serveRequests } from './workerServer.ts';

declare const self: DedicatedWorkerGlobalScope;

let ready: Promise<unknown> | null = null;
/** The last dataset loaded successfully: what `analyse` reads (a cancelled load keeps the previous one, as the page does). */
let current: Dataset | null = null;
/** The training file as loaded, without an appended test file: what a test file is checked against. */
let training: Dataset | null = null;
/** The last prepared dataset (date parts, filters): `analyse` and `revenueView` ask for the same one in turn. */
let prepared: { from: Dataset; key: string; ds: Dataset } | null = null;
/** The last training inputs (shared memory): both training workers of one Train-all read this one copy. */
let inputsCache: { from: Dataset; key: string; inputs: TrainingInputs } | null = null;

function preparedFor(prepare: Pick<DataSettings, 'dateParts' | 'filters'> | undefined, classTarget: string): Dataset {
  if (current === null) throw new Error('the data worker has no dataset yet; load a file first');
  if (prepare === undefined) return current;
  // the class target matters to the filters only (a filter may keep rows by label)
  const key = JSON.stringify([prepare.dateParts, prepare.filters, prepare.filters.length > 0 ? classTarget : '']);
  if (prepared?.from !== current || prepared.key !== key) prepared = { from: current, key, ds: preparedDataset(current, { ...prepare, classTarget }).dataset };
  return prepared.ds;
}

/** The dataset with every column in shared memory: as it is when it was decoded there, else a shared copy. */
function sharedDataset(ds: Dataset): Dataset {
  const inShared = ds.columns.every((c) => isShared(c.kind === 'categorical' ? c.codes : c.values));
  return inShared ? ds : copyDataset(ds, (n) => new SharedArrayBuffer(n));
}

function describe(spec: LoadSpec): { source: ReturnType<typeof urlByteSource>; dataSource: DataSource } {
  if (spec.kind === 'file') {
    return { source: blobByteSource(spec.file, spec.file.name), dataSource: { type: 'file', name: spec.file.name } };
  }
  const absolute = new URL(spec.url, self.location.href).href;
  return {
    source: urlByteSource(absolute, spec.name, fetch, spec.timeoutMs === undefined ? {} : { policy: { ...DEFAULT_NETWORK_POLICY, timeoutMs: spec.timeoutMs } }),
    dataSource: spec.bundled ? { type: 'bundled', url: spec.url, name: spec.name } : { type: 'url', url: spec.url, name: spec.name },
  };
}

/**
 * For the memory benchmark (CDP evaluates it): bytes of the shared memory this worker made and holds (the dataset,
 * the training inputs). Heap figures leave SharedArrayBuffers out, and the page and training workers read the same
 * bytes, so they are counted here, once.
 */
(self as unknown as { __sharedMemoryBytes: () => number }).__sharedMemoryBytes = () => {
  const buffers = new Set<SharedArrayBuffer>();
  const add = (a: ArrayBufferView | undefined): void => {
    if (a !== undefined && a.buffer instanceof SharedArrayBuffer) buffers.add(a.buffer);
  };
  for (const ds of [current, training, prepared?.ds]) for (const c of ds?.columns ?? []) add(c.kind === 'categorical' ? c.codes : c.values);
  const inputs = inputsCache?.inputs;
  [inputs?.matrix.X, inputs?.y, inputs?.revenue].forEach(add);
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
};

/** For the memory benchmark (CDP evaluates it): bytes of parquet-wasm's WebAssembly.Memory. */
(self as unknown as { __wasmMemoryBytes: () => number }).__wasmMemoryBytes = () => {
  try {
    return parquet.wasmMemory().buffer.byteLength;
  } catch {
    return 0; // not initialised yet
  }
};

serveRequests<DataOps>(self, {
  async load(spec, { signal, progress }) {
    const t0 = performance.now();
    inputsCache = null;
    ready ??= initParquet({ module_or_path: parquetWasmUrl });
    await ready;
    const { source, dataSource } = describe(spec);
    const shared = canShareMemory(self);
    // decoded straight into shared memory when isolated: the page reads the columns this worker keeps, no copy made
    const loaded = await loadParquet({
      source, dataSource, parquet, signal, onProgress: progress, narrowToFit: spec.narrowToFit === true, ...(spec.selection ? { selection: spec.selection } : {}),
      ...(shared ? { allocate: (n: number) => new SharedArrayBuffer(n) } : {}),
    });
    // keep one copy here for `analyse`: shared with the page when isolated, else the page gets its own
    const kept = shared ? sharedDataset(loaded.dataset) : loaded.dataset;
    const sent = shared ? kept : copyDataset(loaded.dataset, (n) => new ArrayBuffer(n));
    current = kept;
    training = kept;
    // the previous file's prepared rows (which hold that file) go with it, not at the next analysis
    prepared = null;
    const result = {
      dataset: sent,
      notes: loaded.notes,
      requests: loaded.requests,
      rowGroups: loaded.footer.rowGroups.length,
      targetFacts: targetFacts(kept),
      workerMs: performance.now() - t0,
    };
    return { result, transfer: datasetTransferables(sent) };
  },
  async loadTestFile(spec, { signal, progress }) {
    const t0 = performance.now();
    if (training === null) throw new Error('load the training file first, then its test file');
    inputsCache = null;
    ready ??= initParquet({ module_or_path: parquetWasmUrl });
    await ready;
    const { source, dataSource } = describe(spec);
    const loaded = await loadParquet({ source, dataSource, parquet, signal, onProgress: progress, narrowToFit: false });
    let joined: { dataset: Dataset; trainRows: number };
    try {
      joined = appendTestFile(training, loaded.dataset);
    } catch (e) {
      // the first mismatch, one sentence naming the column and its types; the training file stays as it was
      throw new Error((e as Error).message.split('\n')[0]);
    }
    const shared = canShareMemory(self);
    const kept = shared ? sharedDataset(joined.dataset) : joined.dataset;
    const sent = shared ? kept : copyDataset(joined.dataset, (n) => new ArrayBuffer(n));
    current = kept;
    prepared = null;
    const result = {
      dataset: sent, notes: loaded.notes, requests: loaded.requests, rowGroups: loaded.footer.rowGroups.length, targetFacts: targetFacts(kept), workerMs: performance.now() - t0, trainRows: joined.trainRows,
    };
    return { result, transfer: datasetTransferables(sent) };
  },
  dropTestFile() {
    current = training;
    prepared = null;
    inputsCache = null;
    return { result: null };
  },
  analyse({ classTarget, revenueTarget, options, prepare, planRandomSplit }) {
    const ds = preparedFor(prepare, classTarget);
    let splitPlan: SplitPlan | undefined;
    let splitError: string | undefined;
    if (planRandomSplit !== undefined && planRandomSplit !== null) {
      try {
        splitPlan = planSplit(ds, { kind: 'random' }, splitLabels(ds, classTarget), planRandomSplit);
      } catch (e) {
        splitError = (e as Error).message;
      }
    }
    const split = splitPlan === undefined ? options?.split : { fit: splitPlan.fit, valid: splitPlan.valid, test: splitPlan.test };
    const analysis = analyseDataset(ds, classTarget, revenueTarget, { ...options, ...(split === undefined ? {} : { split }) });
    return {
      result: { analysis, ...(splitPlan === undefined ? {} : { splitPlan }), ...(splitError === undefined ? {} : { splitError }) },
      transfer: splitPlan === undefined ? [] : transferables(splitPlan.fit, splitPlan.valid, splitPlan.test),
    };
  },
  featuresView({ prepare, ...input }) {
    return { result: featuresView(preparedFor(prepare, input.classTarget), input) };
  },
  trainingInputs({ inputs, prepare }) {
    if (!canShareMemory(self)) throw new Error('the page is not cross-origin isolated, so the training inputs cannot be shared; send the training worker the dataset instead');
    const ds = preparedFor(prepare, inputs.classTarget);
    const key = JSON.stringify(inputs);
    if (inputsCache?.from !== ds || inputsCache.key !== key) {
      inputsCache = null; // the previous matrix can go before the next is built
      inputsCache = { from: ds, key, inputs: buildTrainingInputs(ds, inputs, (n) => new SharedArrayBuffer(n)) };
    }
    return { result: inputsCache.inputs };
  },
  revenueView({ prepare, ...input }) {
    const ds = preparedFor(prepare, input.inputs.classTarget);
    // the shared matrix of these rows and settings, when built for training: the test rows are scored from it
    const built = inputsCache?.from === ds && inputsCache.key === JSON.stringify(input.inputs) ? inputsCache.inputs.matrix : undefined;
    const view = revenueView(ds, input, built);
    return { result: view, transfer: transferables(view.captured.sorted, view.captured.cumRevenue) };
  },
});
