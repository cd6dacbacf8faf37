/** Notebook links: the notebook travels in the URL fragment (never sent to a server), deflated and base64url-encoded. */
import { base64ToBytes, bytesToBase64Url } from '../report/sha256.ts';
import { hasSecrets, redactUrl } from '../data/urlSecrets.ts';
import { NOTEBOOK_LIMITS, NotebookDocError, type NotebookDoc } from './notebookSchema.ts';
import { notebookJsonValue, validateNotebook, type CellSettingsSchemas } from './serializer.ts';

/** Whether a data URL carries a credential (kept under this name for the Report cell). */
export const hasSignature = hasSecrets;

/** Fragment key of a deflated notebook: `#nb=…`. */
const COMPRESSED_KEY = 'nb';
/** Fragment key of an uncompressed notebook, written where CompressionStream is missing: `#nbj=…`. */
const PLAIN_KEY = 'nbj';

/** Options for `notebookToFragment`. */
export interface NotebookLinkOptions {
  /** keep a presigned URL's query string; only after the user has agreed to share the credential */
  readonly keepSignature?: boolean;
}

/** `doc` as it may leave the page: its data URL's secrets replaced (`redactUrl`) unless the user agreed to share them. */
export function notebookForSharing(doc: NotebookDoc, keepSecrets: boolean): NotebookDoc {
  return doc.data.type === 'url' && !keepSecrets ? { ...doc, data: { ...doc.data, url: redactUrl(doc.data.url) } } : doc;
}

/**
 * The URL fragment (without `#`) holding `doc`. A data URL's secrets are replaced unless `keepSignature`;
 * a local file travels by name only (data type "file"), so the reader is asked for it.
 */
export async function notebookToFragment(doc: NotebookDoc, options: NotebookLinkOptions = {}): Promise<string> {
  // the one serializer: the same key order and the same fields as a notebook file, without the indentation
  const json = JSON.stringify(notebookJsonValue(notebookForSharing(doc, options.keepSignature === true)));
  const bytes = new TextEncoder().encode(json);
  if (typeof CompressionStream === 'undefined') return `${PLAIN_KEY}=${bytesToBase64Url(bytes)}`;
  const deflated = await pipeThrough(bytes, new CompressionStream('deflate-raw'), Number.POSITIVE_INFINITY);
  return `${COMPRESSED_KEY}=${bytesToBase64Url(deflated)}`;
}

/** Rebuilds and strictly validates the notebook in a link's fragment (with or without `#`). */
export async function fragmentToNotebook(fragment: string, cellSchemas: CellSettingsSchemas): Promise<NotebookDoc> {
  const params = new URLSearchParams(fragment.startsWith('#') ? fragment.slice(1) : fragment);
  const compressed = params.get(COMPRESSED_KEY);
  const plain = params.get(PLAIN_KEY);
  const encoded = compressed ?? plain;
  if (encoded === null) throw new NotebookDocError('link holds no notebook (expected "#nb=…"); copy the whole link');
  // base64 is 4/3 of the bytes, so this bounds the payload before any decoding.
  if (encoded.length > (NOTEBOOK_LIMITS.maxJsonBytes * 4) / 3 + 4) {
    throw new NotebookDocError(`link notebook is ${encoded.length} characters long; this is not a workbench link`);
  }
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(encoded);
  } catch (error) {
    throw new NotebookDocError(error instanceof Error ? error.message : String(error));
  }
  if (compressed !== null) {
    if (typeof DecompressionStream === 'undefined') {
      throw new NotebookDocError('this browser cannot decompress notebook links; open the link in a current browser');
    }
    try {
      bytes = await pipeThrough(bytes, new DecompressionStream('deflate-raw'), NOTEBOOK_LIMITS.maxJsonBytes);
    } catch (error) {
      if (error instanceof NotebookDocError) throw error;
      throw new NotebookDocError('link notebook is damaged and cannot be decompressed; copy the whole link');
    }
  }
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new NotebookDocError('link notebook is not UTF-8 text; copy the whole link');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new NotebookDocError('link notebook is not valid JSON; copy the whole link');
  }
  return validateNotebook(value, cellSchemas);
}

/** The file name the reader must supply when the notebook's data was a local file; null otherwise. */
export function dataFileToSupply(doc: NotebookDoc): string | null {
  return doc.data.type === 'file' ? doc.data.name : null;
}

// Runs `bytes` through a (de)compression stream, refusing output over `maxBytes` (a zip bomb in a link).
async function pipeThrough(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
  maxBytes: number,
): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  // Errors surface on the reader below; the writer's promises must not become unhandled rejections.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = transform.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new NotebookDocError(`link notebook unpacks to more than ${maxBytes} bytes; this is not a workbench link`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
