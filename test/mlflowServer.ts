// Test-only: a real MLflow tracking server per test file (or MLFLOW_TEST_URL), started in beforeAll and stopped in afterAll.
import { afterAll, beforeAll } from 'vitest';
import { freePort, startMlflowServer, type MlflowServer } from '../scripts/mlflow.mjs';

export { freePort };

/** Register hooks that provide a tracking server's URL; read `server.url` inside tests. */
export function useMlflowServer(): { url: string; version: string } {
  const handle = { url: '', version: '' };
  let started: MlflowServer | null = null;
  beforeAll(async () => {
    const given = process.env.MLFLOW_TEST_URL;
    if (given) {
      handle.url = given.replace(/\/+$/, '');
      handle.version = await fetch(`${handle.url}/version`).then((r) => r.text());
      return;
    }
    started = await startMlflowServer({ port: await freePort(), fresh: true });
    handle.url = started.url;
    handle.version = started.version;
  });
  afterAll(async () => {
    await started?.stop();
  });
  return handle;
}

/** A name unique to this test run, so runs against a shared MLFLOW_TEST_URL server do not collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
