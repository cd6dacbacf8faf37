/** The one transfer-list helper: every worker, client and node thread names its buffers through it. */

/** An array whose bytes may travel: any typed array (`ArrayBufferView`), or nothing. */
export type TransferableView = ArrayBufferView | null | undefined;

/**
 * The distinct ArrayBuffers behind `views`, for postMessage's transfer list. Shared memory (a SharedArrayBuffer) is
 * left out: posting it shares it, and it cannot be transferred. Transfer only buffers the sender no longer needs;
 * copy (`slice()`) the ones it keeps first.
 */
export function transferables(...views: readonly TransferableView[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of views) {
    const buf = v?.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf)) out.push(buf);
  }
  return out;
}
