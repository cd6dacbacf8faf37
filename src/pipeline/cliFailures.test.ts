// The pipeline as a scheduler sees it: every failure is exactly one line on stderr and exit 2 (bad input) or
// 1 (failure), nothing hangs, nothing prints a secret or a stack trace. Files and servers are made by the test.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { footerLength, parseFooter } from '../data/parquetFooter.ts';
import { startDataFaultServer, type DataFaultServer } from '../../test/dataFaultServer.ts';

const SECRET = 'sekr1t-t0ken-value';
const ROWS = 400;

/** A session table: is_ordered every 5th row, revenue for orders, two features; `edit` changes columns. */
function sessions(edit: (cols: Array<[string, Float64Array]>) => void = () => undefined): Uint8Array {
  const cols: Array<[string, Float64Array]> = [
    ['is_ordered', Float64Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? 1 : 0))],
    ['revenue', Float64Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? 20 + (i % 7) : 0))],
    ['pages', Float64Array.from({ length: ROWS }, (_, i) => (i * 7) % 13)],
    ['minutes', Float64Array.from({ length: ROWS }, (_, i) => ((i * 3) % 11) + (i % 5 === 0 ? 4 : 0))],
  ];
  edit(cols);
  const vectors = cols.map(([, v]) => arrow.makeVector(v));
  const schema = new arrow.Schema(cols.map(([name], i) => new arrow.Field(name, vectors[i]!.type)));
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: ROWS, children: vectors.map((v) => v.data[0]!) });
  const table = new arrow.Table(schema, new arrow.RecordBatch(schema, data));
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
}

interface Outcome { code: number | null; stderr: string; stdout: string; ms: number }

function runCli(args: string[], timeoutMs = 90_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/pipeline/cli.ts', '--classifier', 'logistic', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(killer); resolve({ code, stderr, stdout, ms: performance.now() - t0 }); });
  });
}

/** The single `error:` line, asserting there is exactly one and nothing else on stderr says "at " (a stack). */
function errorLine(o: Outcome): string {
  const lines = o.stderr.split('\n').filter((l) => l.startsWith('error:'));
  expect(lines, o.stderr).toHaveLength(1);
  expect(o.stderr).not.toMatch(/^\s+at /m);
  expect(o.stderr).not.toContain(SECRET);
  return lines[0]!;
}

let dir: string;
let server: DataFaultServer;
const file = (name: string, bytes: Uint8Array): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-cli-'));
  server = await startDataFaultServer({ 'sessions.parquet': sessions() });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('pipeline failures: one line, the right exit code', () => {
  it('refuses --seed=-1 before loading anything', async () => {
    const o = await runCli(['--data', `${server.url('stall')}?token=${SECRET}`, '--seed=-1']);
    expect(o.code).toBe(2);
    expect(errorLine(o)).toMatch(/--seed "-1" is not a whole number in 0 … 4294967295/);
    expect(server.requests.some((r) => r.path.startsWith('/stall'))).toBe(false);
  });

  it('exits 1 on a URL that stalls, within the --timeout and its retries, naming it without the token', async () => {
    const o = await runCli(['--data', `${server.url('stall')}?token=${SECRET}`, '--timeout', '1']);
    expect(o.code).toBe(1);
    expect(errorLine(o)).toMatch(/sent no complete answer within 1 s/);
    expect(o.stderr).toContain('token=REDACTED');
    expect(o.ms).toBeLessThan(30_000);
  });

  it('exits 2 on a 404 without CORS advice (node has no CORS)', async () => {
    const o = await runCli(['--data', `${server.origin}/ok/missing.parquet?X-Amz-Signature=${SECRET}`]);
    expect(o.code).toBe(2);
    expect(errorLine(o)).toMatch(/answered 404/);
    expect(o.stderr).not.toMatch(/CORS|Access-Control/);
  });

  it('exits 2 with one line on a damaged page instead of a wasm stack trace', async () => {
    const bytes = sessions();
    const len = footerLength(bytes.subarray(bytes.length - 8), 'x');
    const chunk = parseFooter(bytes.subarray(bytes.length - 8 - len, bytes.length - 8)).rowGroups[0]!.chunks[2]!;
    for (let i = chunk.start + 30; i < chunk.end - 4; i++) bytes[i] = (i * 37) & 0xff;
    const o = await runCli(['--data', file('damaged.parquet', bytes)]);
    expect(o.code).toBe(2);
    expect(errorLine(o)).toMatch(/damaged|could not be decoded/);
  });

  it('exits 2 naming the rows when revenue holds +Infinity, instead of exit 0 with rmse null', async () => {
    const o = await runCli(['--data', file('inf.parquet', sessions((cols) => { const rev = cols[1]![1]; rev[5] = Infinity; rev[10] = Infinity; rev[300] = Infinity; }))]);
    expect(o.code).toBe(2);
    expect(errorLine(o)).toMatch(/revenue column "revenue" has 3 infinite values \(rows 5, 10, 300, counting from 0\)/);
    expect(o.stdout).toBe('');
  });

  it('exits 2 naming a feature beyond float32, instead of a solver failing on "NaN" the file does not hold', async () => {
    const o = await runCli(['--data', file('huge.parquet', sessions((cols) => { const pages = cols[2]![1]; pages[4] = 1e300; pages[8] = -5e38; }))]);
    expect(o.code).toBe(2);
    expect(errorLine(o)).toBe('error: feature "pages" has 2 values beyond ±3.4e38, more than the models hold (rows 4, 8, counting from 0); rescale the column or drop those rows before training');
    expect(o.stdout).toBe('');
  });

  it('exits 2 on duplicate column names instead of training on the first one twice', async () => {
    const o = await runCli(['--data', file('dup.parquet', sessions((cols) => { cols[3]![0] = 'pages'; }))]);
    expect(o.code).toBe(2);
    expect(errorLine(o)).toMatch(/column name used twice \("pages"\)/);
  });

  it('leaves R² out (never 0) and names why when every order has the same value, and still exits 0', async () => {
    const o = await runCli(['--data', file('constant.parquet', sessions((cols) => { cols[1]![1] = cols[1]![1].map((v) => (v > 0 ? 30 : 0)); })), '--epochs', '3']);
    expect(o.code, o.stderr).toBe(0);
    const { regressor } = JSON.parse(o.stdout) as { regressor: Record<string, unknown> };
    expect(regressor).not.toHaveProperty('r2');
    expect(regressor).not.toHaveProperty('baseline_r2');
    expect(regressor.undefined_metrics).toEqual({ r2: 'n/a — the test target is constant' });
    expect(Number.isFinite(regressor.rmse)).toBe(true);
  }, 120_000);

  it('trains on columns named constructor, __proto__ and toString', async () => {
    const o = await runCli(['--data', file('proto.parquet', sessions((cols) => {
      cols[2]![0] = 'constructor';
      cols[3]![0] = '__proto__';
      cols.push(['toString', Float64Array.from({ length: ROWS }, (_, i) => i % 3)]);
    })), '--epochs', '3']);
    expect(o.code, o.stderr).toBe(0);
    const report = JSON.parse(o.stdout) as { data: { features: string[] }; regressor: { rmse: number } };
    expect(report.data.features).toEqual(['constructor', '__proto__', 'toString']);
    expect(Number.isFinite(report.regressor.rmse)).toBe(true);
  }, 120_000);
});
