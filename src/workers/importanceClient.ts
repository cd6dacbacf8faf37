/** Owns the importance worker: runs a job, streams its progress, cancels. */
import type { PermutationImportanceResult } from '../trainers/permutationImportance.ts';
import { importanceTransferables, type ImportanceJob, type ImportanceRequest, type ImportanceResponse } from './importanceProtocol.ts';
import { deserializeError } from './workerErrors.ts';

export interface ImportanceOutcome {
  readonly result: PermutationImportanceResult;
  readonly backend: string;
}

export interface ImportanceHandle {
  readonly result: Promise<ImportanceOutcome>;
  cancel(): void;
}

interface Pending {
  resolve(v: ImportanceOutcome): void;
  reject(e: Error): void;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Client of the one importance worker; jobs queue inside it. */
export class ImportanceClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('./importance.worker.ts', import.meta.url), { type: 'module', name: 'importance' });
    this.worker.onmessage = (ev: MessageEvent<ImportanceResponse>) => this.receive(ev.data);
    this.worker.onerror = (ev) => {
      for (const p of this.pending.values()) p.reject(new Error(`importance worker crashed: ${ev.message}`));
      this.pending.clear();
    };
  }

  private receive(msg: ImportanceResponse): void {
    const p = this.pending.get(msg.requestId);
    if (!p) return;
    switch (msg.type) {
      case 'progress': p.onProgress?.(msg.done, msg.total); break;
      case 'done': this.pending.delete(msg.requestId); p.resolve({ result: msg.result, backend: msg.backend }); break;
      case 'error': this.pending.delete(msg.requestId); p.reject(deserializeError(msg.error)); break;
      default: {
        const never: never = msg;
        throw new Error(`unknown importance response ${JSON.stringify(never)}`);
      }
    }
  }

  /** Starts a job; its buffers are transferred, so pass copies. */
  run(job: ImportanceJob, onProgress?: (done: number, total: number) => void): ImportanceHandle {
    const requestId = this.nextId++;
    const result = new Promise<ImportanceOutcome>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, onProgress });
    });
    this.worker.postMessage({ type: 'run', requestId, job } satisfies ImportanceRequest, importanceTransferables(job));
    return { result, cancel: () => this.worker.postMessage({ type: 'cancel', requestId } satisfies ImportanceRequest) };
  }

  terminate(): void {
    this.worker.terminate();
  }
}
