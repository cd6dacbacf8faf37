import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../data/urlSecrets.ts';
import { dataFileToSupply, fragmentToNotebook, hasSignature, notebookToFragment } from './notebookLink.ts';
import { NOTEBOOK_SCHEMA_VERSION, NotebookDocError, type NotebookDoc } from './notebookSchema.ts';
import { SAMPLE_CELL_SCHEMAS, SAMPLE_NOTEBOOK } from '../../test/reportFixture.ts';
import { bytesToBase64Url } from '../report/sha256.ts';

const KINDS = SAMPLE_CELL_SCHEMAS;
const SIGNED = 'https://bucket.s3.eu-west-1.amazonaws.com/orders.parquet?X-Amz-Algorithm=AWS4-HMAC-SHA256'
  + '&X-Amz-Credential=AKIAEXAMPLE%2F20250314%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20250314T000000Z'
  + '&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef';

async function refusal(fragment: string): Promise<string> {
  try {
    await fragmentToNotebook(fragment, KINDS);
  } catch (error) {
    expect(error).toBeInstanceOf(NotebookDocError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('notebook link round trip', () => {
  it('gives an identical notebook, compressed into a URL-safe fragment', async () => {
    const fragment = await notebookToFragment(SAMPLE_NOTEBOOK);
    expect(fragment).toMatch(/^nb=[A-Za-z0-9_-]+$/);
    expect(fragment.length).toBeLessThan(JSON.stringify(SAMPLE_NOTEBOOK).length);
    expect(await fragmentToNotebook(fragment, KINDS)).toEqual(SAMPLE_NOTEBOOK);
    expect(await fragmentToNotebook(`#${fragment}`, KINDS)).toEqual(SAMPLE_NOTEBOOK);
  });

  it('reads the uncompressed form written where CompressionStream is missing', async () => {
    const fragment = `nbj=${bytesToBase64Url(new TextEncoder().encode(JSON.stringify(SAMPLE_NOTEBOOK)))}`;
    expect(await fragmentToNotebook(fragment, KINDS)).toEqual(SAMPLE_NOTEBOOK);
  });

  it('carries only the file name for local-file data, so the reader is asked for the file', async () => {
    const local: NotebookDoc = { ...SAMPLE_NOTEBOOK, data: { type: 'file', name: 'my orders.parquet' } };
    const back = await fragmentToNotebook(await notebookToFragment(local), KINDS);
    expect(back).toEqual(local);
    expect(dataFileToSupply(back)).toBe('my orders.parquet');
    expect(dataFileToSupply(SAMPLE_NOTEBOOK)).toBeNull();
  });
});

describe('presigned URLs', () => {
  it('recognises signatures of S3, GCS and Azure, and not ordinary queries', () => {
    expect(hasSignature(SIGNED)).toBe(true);
    expect(hasSignature('https://storage.googleapis.com/b/o.parquet?X-Goog-Algorithm=x&X-Goog-Signature=abc')).toBe(true);
    expect(hasSignature('https://acct.blob.core.windows.net/c/o.parquet?sv=2022-11-02&sig=abc%3D')).toBe(true);
    expect(hasSignature('https://example.org/o.parquet?download=1')).toBe(false);
    expect(hasSignature('https://example.org/o.parquet')).toBe(false);
    expect(hasSignature('https://example.org/o.parquet#sig=1')).toBe(false);
  });

  it('strips the signature from a link unless the user agreed to keep it', async () => {
    const signed: NotebookDoc = { ...SAMPLE_NOTEBOOK, data: { type: 'url', name: 'orders.parquet', url: SIGNED } };
    const stripped = await fragmentToNotebook(await notebookToFragment(signed), KINDS);
    const strippedUrl = stripped.data.type === 'url' ? stripped.data.url : null;
    expect(strippedUrl).toBe(redactUrl(SIGNED));
    expect(strippedUrl).not.toMatch(/0123456789abcdef/);
    const kept = await fragmentToNotebook(await notebookToFragment(signed, { keepSignature: true }), KINDS);
    expect(kept).toEqual(signed);
  });
});

describe('notebook link refusals', () => {
  it('refuses a link without a notebook, a damaged one and one with unknown kinds', async () => {
    expect(await refusal('#section-2')).toBe('link holds no notebook (expected "#nb=…"); copy the whole link');
    expect(await refusal('nb=!!!')).toBe('character "!" at 0 is not base64; copy the whole link');
    const fragment = await notebookToFragment(SAMPLE_NOTEBOOK);
    expect(await refusal(fragment.slice(0, 40))).toMatch(/damaged|truncated/);
    const evil = { ...SAMPLE_NOTEBOOK, cells: [{ id: 'x', kind: 'eval', collapsed: false, config: {} }] };
    const plain = `nbj=${bytesToBase64Url(new TextEncoder().encode(JSON.stringify(evil)))}`;
    expect(await refusal(plain)).toMatch(/^cell 1 has unknown kind "eval"/);
    const newer = { ...SAMPLE_NOTEBOOK, schemaVersion: NOTEBOOK_SCHEMA_VERSION + 1 };
    expect(await refusal(`nbj=${bytesToBase64Url(new TextEncoder().encode(JSON.stringify(newer)))}`)).toMatch(/made by a newer workbench/);
  });

  it('refuses a link that unpacks past the size limit without unpacking it all', async () => {
    const bomb = deflateRawSync(Buffer.alloc(5_000_000, 32));
    expect(bomb.length).toBeLessThan(10_000);
    expect(await refusal(`nb=${bytesToBase64Url(bomb)}`)).toBe('link notebook unpacks to more than 1000000 bytes; this is not a workbench link');
  });
});
