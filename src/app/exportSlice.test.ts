import '../notebook-cells/registry.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlflowTimeoutSeconds } from './exportSlice.ts';
import { firstCellOf } from './notebookSlice.ts';
import { notebookToDoc, validateNotebookValue } from './notebookDoc.ts';
import { useWorkbench } from './store.ts';

describe('the MLflow and data timeouts are cell settings', () => {
  let server: http.Server;
  let origin = '';
  beforeAll(async () => {
    // accepts every request and never answers
    server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  it('a notebook saved before the settings existed gets the stated default of 30 s', () => {
    useWorkbench.getState().resetNotebook();
    const doc = notebookToDoc(useWorkbench.getState());
    const old = { ...doc, cells: doc.cells.map((c) => (c.kind === 'export' || c.kind === 'data' ? { ...c, config: {} } : c)) };
    const back = validateNotebookValue(JSON.parse(JSON.stringify(old)));
    expect(back.cells.find((c) => c.kind === 'export')?.config).toEqual({ mlflowTimeoutSeconds: 30 });
    expect(back.cells.find((c) => c.kind === 'data')?.config).toEqual({ fetchTimeoutSeconds: 30 });
    expect(() => validateNotebookValue({ ...old, cells: old.cells.map((c) => (c.kind === 'export' ? { ...c, config: { mlflowTimeoutSeconds: 0 } } : c)) }))
      .toThrow(/\(export\) mlflowTimeoutSeconds is number 0; expected >=1/);
  });

  it("the Export cell's timeout bounds each MLflow call and is named in the message", async () => {
    useWorkbench.getState().resetNotebook();
    const exportCell = firstCellOf(useWorkbench.getState(), 'export');
    expect(exportCell).toBeDefined();
    expect(mlflowTimeoutSeconds(useWorkbench.getState())).toBe(30);
    useWorkbench.getState().setCellSettings(exportCell!.id, 'export', { mlflowTimeoutSeconds: 1 });
    useWorkbench.getState().setMlflowTrackingUri(origin);
    const t0 = Date.now();
    await useWorkbench.getState().testMlflowConnection();
    const elapsed = Date.now() - t0;
    const { status, error } = useWorkbench.getState().mlflowConnection;
    expect(status).toBe('error');
    expect(error?.message).toMatch(/got no complete answer within 1 s/);
    expect(error?.fix).toContain('within 1 s per request');
    // three attempts of 1 s and two short back-offs, far below the default's 30 s per attempt
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(10_000);
  }, 20_000);
});
