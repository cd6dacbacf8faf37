/** Owns one training worker: runs a job, streams its epochs, cancels, reports tensors left on the backend. */
import type { BackendChoice } from '../trainers/backend.ts';
import type { EpochLog } from '../trainers/types.ts';
import { jobTransferables, type TrainJob, type TrainOutcome, type TrainRequest, type TrainResponse } from './trainProtocol.ts';
import { deserializeError } from './workerErrors.ts';

export interface TrainCallbacks {
  onBackend?(choice: BackendChoice): void;
  onEpoch?(log: EpochLog): void;
  onFallback?(message: string): void;
}

export interface TrainHandle {
  readonly result: Promise<{ outcome: TrainOutcome; numTensors: number }>;
  cancel(): void;
}

interface Pending extends TrainCallbacks {
  resolve(v: { outcome: TrainOutcome; numTensors: number }): void;
  reject(e: Error): void;
  onMemory?(n: number): void;
}

/** Client of one training worker; two of them train the classifier and the regressor in parallel. */
export class TrainClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(name: string) {
    this.worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (ev: MessageEvent<TrainResponse>) => this.receive(ev.data);
    this.worker.onerror = (ev) => {
      for (const p of this.pending.values()) p.reject(new Error(`training worker crashed: ${ev.message}`));
      this.pending.clear();
    };
  }

  private receive(msg: TrainResponse): void {
    const p = this.pending.get(msg.requestId);
    if (!p) return;
    switch (msg.type) {
      case 'backend': p.onBackend?.(msg.choice); break;
      case 'epoch': p.onEpoch?.(msg.log); break;
      case 'fallback': p.onFallback?.(msg.message); break;
      case 'done': this.pending.delete(msg.requestId); p.resolve({ outcome: msg.outcome, numTensors: msg.numTensors }); break;
      case 'memory': this.pending.delete(msg.requestId); p.onMemory?.(msg.numTensors); break;
      case 'error': this.pending.delete(msg.requestId); p.reject(deserializeError(msg.error)); break;
      default: {
        const never: never = msg;
        throw new Error(`unknown train response ${JSON.stringify(never)}`);
      }
    }
  }

  /** Starts a job; its buffers are transferred, so pass copies. */
  train(job: TrainJob, callbacks: TrainCallbacks = {}): TrainHandle {
    const requestId = this.nextId++;
    const result = new Promise<{ outcome: TrainOutcome; numTensors: number }>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, ...callbacks });
    });
    const msg: TrainRequest = { type: 'train', requestId, job };
    this.worker.postMessage(msg, jobTransferables(job));
    return { result, cancel: () => this.worker.postMessage({ type: 'cancel', requestId } satisfies TrainRequest) };
  }

  /** Tensors alive on the worker's backend (for the leak check). */
  numTensors(): Promise<number> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve: () => undefined, reject, onMemory: resolve });
      this.worker.postMessage({ type: 'memory', requestId } satisfies TrainRequest);
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}
