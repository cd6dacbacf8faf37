// Types for scripts/mlflow.mjs, so TypeScript tests can start a real tracking server.

/** The MLflow version the workbench is tested against. */
export const MLFLOW_VERSION: string;

/** The MLflow version installed in `.venv-mlflow`, or null. */
export function installedMlflowVersion(): string | null;

/** Create `.venv-mlflow` and pip-install the pinned MLflow unless present; returns the mlflow binary's path. */
export function ensureMlflow(): string;

/** A running tracking server; `stop` ends its whole process group. */
export interface MlflowServer {
  url: string;
  port: number;
  version: string;
  stop(): Promise<void>;
}

/** Start `mlflow server` on 127.0.0.1 with a SQLite store and proxied artifacts; resolves once `/health` answers. */
export function startMlflowServer(options: {
  port: number;
  corsAllowedOrigins?: string;
  allowedHosts?: string;
  dir?: string;
  fresh?: boolean;
  startTimeoutMs?: number;
}): Promise<MlflowServer>;

/** A port nothing listens on right now (for test servers). */
export function freePort(): Promise<number>;
