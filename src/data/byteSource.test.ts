import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { HttpStatusError, urlByteSource } from './byteSource.ts';
import { loadParquet } from './load.ts';
import { NetworkTimeoutError, parseRetryAfter, retryDelayMs, type NetworkPolicy } from './networkPolicy.ts';
import { startDataFaultServer, type DataFaultServer } from '../../test/dataFaultServer.ts';

const POLICY: NetworkPolicy = { timeoutMs: 400, attempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 };
const SECRET = 's3cr3t-t0ken';

function parquetFile(rows: number): Uint8Array {
  const table = arrow.tableFromArrays({ x: Float64Array.from({ length: rows }, (_, i) => i * 0.5), y: Int32Array.from({ length: rows }, (_, i) => i % 2) });
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
}

let server: DataFaultServer;
beforeAll(async () => { server = await startDataFaultServer({ 'd.parquet': parquetFile(2000) }); });
afterAll(async () => { await server.close(); });

async function loadFrom(url: string, sleeps: number[] = []) {
  const source = urlByteSource(url, 'd.parquet', fetch, {
    policy: POLICY, cors: false, sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, 5)); },
  });
  return loadParquet({ source, dataSource: { type: 'url', url, name: 'd.parquet' }, parquet: pq });
}

const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);

describe('urlByteSource against a faulty server', () => {
  it('loads a healthy file', async () => {
    const { dataset } = await loadFrom(server.url('ok'));
    expect(dataset.rows).toBe(2000);
  });

  it('gives up on a server that never answers after the timeout, naming it without the secret', async () => {
    const t0 = performance.now();
    const error = await failure(loadFrom(`${server.url('stall')}?token=${SECRET}`));
    const elapsed = performance.now() - t0;
    expect(error).toBeInstanceOf(NetworkTimeoutError);
    expect(error.message).toMatch(/sent no complete answer within 0.4 s/);
    expect(error.message).not.toContain(SECRET);
    // three attempts of 0.4 s, not forever
    expect(elapsed).toBeLessThan(3000);
  });

  it('times out a body that stops half-way', async () => {
    const error = await failure(loadFrom(server.url('stall-body')));
    expect(error).toBeInstanceOf(NetworkTimeoutError);
  });

  it('waits what Retry-After asks before retrying a 429', async () => {
    const sleeps: number[] = [];
    const { dataset } = await loadFrom(server.url('429-once'), sleeps);
    expect(dataset.rows).toBe(2000);
    expect(sleeps[0]).toBe(1000);
  });

  it('retries a 503 and then names the status', async () => {
    const before = server.requests.length;
    const error = await failure(loadFrom(server.url('503')));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toMatch(/answered 503/);
    expect(server.requests.length - before).toBe(POLICY.attempts);
  });

  it('says a cut transfer was cut, not that the file is not parquet', async () => {
    const error = await failure(loadFrom(server.url('short')));
    expect(error.message).toMatch(/transfer|cut|closed|terminated/);
    expect(error.message).not.toMatch(/not a parquet file/);
    // the message names the file (by its URL, as the user gave it)
    expect(error.message).toContain(server.url('short'));
  });

  it('refuses an absurd Content-Range before allocating it', async () => {
    const error = await failure(loadFrom(server.url('huge-range')));
    expect(error.message).toMatch(/93\.1 GiB|100,000,000,000 bytes/);
    expect(error.message).not.toMatch(/Invalid typed array length/);
  });

  it('never advises CORS outside a page, and hides userinfo in messages', async () => {
    const url = `http://alice:${SECRET}@127.0.0.1:1/x.parquet`;
    const error = await failure(urlByteSource(url, 'x.parquet', fetch, { policy: { ...POLICY, attempts: 1 }, cors: false }).readTail(8));
    expect(error.message).not.toMatch(/CORS/);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('network policy', () => {
  it('reads Retry-After as seconds or a date and never waits less than the backoff', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(retryDelayMs(POLICY, 1, null)).toBe(10);
    expect(retryDelayMs(POLICY, 3, null)).toBe(40);
    expect(retryDelayMs(POLICY, 1, 2000)).toBe(2000);
    expect(retryDelayMs(POLICY, 1, 60_000)).toBe(5000);
  });
});
