/// <reference lib="webworker" />
/** The data worker: a message switch around the pure loader. */
import initParquet, * as parquet from 'parquet-wasm/esm';
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { loadParquet } from '../data/load.ts';
import { blobByteSource, urlByteSource } from '../data/byteSource.ts';
import type { DataSource } from '../data/types.ts';
import { datasetTransferables, type DataRequest, type DataResponse, type LoadSpec } from './dataProtocol.ts';
import { serializeError } from './workerErrors.ts';

declare const self: DedicatedWorkerGlobalScope;

let ready: Promise<unknown> | null = null;
const controllers = new Map<number, AbortController>();

function post(msg: DataResponse, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function describe(spec: LoadSpec): { source: ReturnType<typeof urlByteSource>; dataSource: DataSource } {
  if (spec.kind === 'file') {
    return { source: blobByteSource(spec.file, spec.file.name), dataSource: { type: 'file', name: spec.file.name } };
  }
  const absolute = new URL(spec.url, self.location.href).href;
  return {
    source: urlByteSource(absolute, spec.name),
    dataSource: spec.bundled ? { type: 'bundled', url: spec.url, name: spec.name } : { type: 'url', url: spec.url, name: spec.name },
  };
}

async function load(requestId: number, spec: LoadSpec): Promise<void> {
  const t0 = performance.now();
  const ctrl = new AbortController();
  controllers.set(requestId, ctrl);
  try {
    ready ??= initParquet({ module_or_path: parquetWasmUrl });
    await ready;
    const { source, dataSource } = describe(spec);
    const result = await loadParquet({
      source,
      dataSource,
      parquet,
      signal: ctrl.signal,
      onProgress: (progress) => post({ type: 'progress', requestId, progress }),
    });
    const payload = {
      dataset: result.dataset,
      notes: result.notes,
      requests: result.requests,
      rowGroups: result.footer.rowGroups.length,
      workerMs: performance.now() - t0,
    };
    post({ type: 'loaded', requestId, payload }, datasetTransferables(result.dataset));
  } catch (err) {
    post({ type: 'error', requestId, error: serializeError(err) });
  } finally {
    controllers.delete(requestId);
  }
}

/** For the memory benchmark (CDP evaluates it): bytes of parquet-wasm's WebAssembly.Memory. */
(self as unknown as { __wasmMemoryBytes: () => number }).__wasmMemoryBytes = () => {
  try {
    return parquet.wasmMemory().buffer.byteLength;
  } catch {
    return 0; // not initialised yet
  }
};

self.onmessage = (ev: MessageEvent<DataRequest>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'load':
      void load(msg.requestId, msg.spec);
      break;
    case 'cancel':
      controllers.get(msg.requestId)?.abort();
      break;
    default: {
      const never: never = msg;
      throw new Error(`unknown data request ${JSON.stringify(never)}`);
    }
  }
};
