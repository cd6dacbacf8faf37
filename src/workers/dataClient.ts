/** Owns the data worker: sends requests, routes progress, rebuilds errors, cancels. */
import type { LoadProgress } from '../data/load.ts';
import type { DataRequest, DataResponse, LoadSpec, LoadedPayload } from './dataProtocol.ts';
import { deserializeError } from './workerErrors.ts';

interface Pending {
  resolve(p: LoadedPayload): void;
  reject(e: Error): void;
  onProgress?: (p: LoadProgress) => void;
}

/** A running load: its result and a cancel handle. */
export interface LoadHandle {
  readonly requestId: number;
  readonly result: Promise<LoadedPayload>;
  cancel(): void;
}

/** Client for the data worker. */
export class DataClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' });
    this.worker.onmessage = (ev: MessageEvent<DataResponse>) => this.receive(ev.data);
    this.worker.onerror = (ev) => {
      for (const p of this.pending.values()) p.reject(new Error(`data worker crashed: ${ev.message}`));
      this.pending.clear();
    };
  }

  private send(msg: DataRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private receive(msg: DataResponse): void {
    const p = this.pending.get(msg.requestId);
    if (!p) return;
    switch (msg.type) {
      case 'progress':
        p.onProgress?.(msg.progress);
        break;
      case 'loaded':
        this.pending.delete(msg.requestId);
        p.resolve(msg.payload);
        break;
      case 'error':
        this.pending.delete(msg.requestId);
        p.reject(deserializeError(msg.error));
        break;
      default: {
        const never: never = msg;
        throw new Error(`unknown data response ${JSON.stringify(never)}`);
      }
    }
  }

  /** Starts loading; progress arrives after the footer and each row group. */
  load(spec: LoadSpec, onProgress?: (p: LoadProgress) => void): LoadHandle {
    const requestId = this.nextId++;
    const result = new Promise<LoadedPayload>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
    });
    this.send({ type: 'load', requestId, spec });
    return { requestId, result, cancel: () => this.send({ type: 'cancel', requestId }) };
  }

  /** Stops the worker; pending loads reject. */
  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('data worker stopped'));
    this.pending.clear();
  }
}
