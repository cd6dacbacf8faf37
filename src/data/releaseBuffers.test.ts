import { afterEach, describe, expect, it } from 'vitest';
import { releaseBuffers } from './releaseBuffers.ts';

type WithTransfer = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
const proto = ArrayBuffer.prototype as WithTransfer;
const native = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'transfer');

/** Chromium's `transfer(0)` detaches the buffer; node 20 lacks it, so the test detaches with structuredClone as it does. */
function withTransfer(): void {
  if (native !== undefined) return;
  Object.defineProperty(ArrayBuffer.prototype, 'transfer', {
    configurable: true,
    value(this: ArrayBuffer, length: number) {
      structuredClone(this, { transfer: [this] });
      return new ArrayBuffer(length);
    },
  });
}

afterEach(() => {
  if (native === undefined) delete proto.transfer;
});

describe('releaseBuffers', () => {
  it('detaches the buffers it is given, so their bytes go at once', () => {
    withTransfer();
    const a = new Float64Array(1000).fill(1);
    const b = new Uint8Array(10);
    releaseBuffers(a, null, undefined, b);
    expect(a.length).toBe(0);
    expect(a.buffer.byteLength).toBe(0);
    expect(b.length).toBe(0);
  });

  it('leaves shared memory and wasm memory alone', () => {
    withTransfer();
    const shared = new Float32Array(new SharedArrayBuffer(64)).fill(2);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const wasmView = new Uint8Array(memory.buffer);
    wasmView[0] = 7;
    releaseBuffers(shared, wasmView);
    expect(shared.length).toBe(16);
    expect(shared[15]).toBe(2);
    expect(new Uint8Array(memory.buffer)[0]).toBe(7);
  });

  it('is a no-op where the runtime cannot detach (node 20 has no ArrayBuffer.prototype.transfer)', () => {
    if (native !== undefined) return;
    const a = new Int32Array([1, 2, 3]);
    releaseBuffers(a);
    expect(Array.from(a)).toEqual([1, 2, 3]);
  });
});
