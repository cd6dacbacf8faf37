/**
 * Frees the bytes of arrays nothing will read again now, rather than at a garbage collection that an idle worker may
 * not run for minutes: the ×10 file's load left ~300 MB of dead row-group buffers in the data worker while both models
 * trained. Detaching a buffer (`ArrayBuffer.prototype.transfer(0)`) releases its bytes at once. Shared memory, wasm
 * memory and runtimes without `transfer` (node 20) are left to the collector. Pass only arrays whose whole buffer the
 * caller owns: every other view of it becomes empty.
 */
export function releaseBuffers(...arrays: ReadonlyArray<ArrayBufferView | null | undefined>): void {
  for (const a of arrays) {
    const buffer = a?.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) continue;
    const transfer = (buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer;
    if (typeof transfer !== 'function') return;
    try {
      transfer.call(buffer, 0);
    } catch {
      // not detachable (a WebAssembly.Memory's buffer): the collector frees what it can
    }
  }
}

