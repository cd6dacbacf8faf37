import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
// @ts-expect-error plain JS module shared with the node static server
import { workbenchMiddleware } from './scripts/static-server.mjs';

/** Correct range requests (suffix ranges included) for /data and the /mlflow proxy, in dev and preview. */
function workbenchServer(): Plugin {
  return {
    name: 'workbench-server',
    configureServer(server) {
      server.middlewares.use(workbenchMiddleware(path.resolve('public')));
    },
    configurePreviewServer(server) {
      server.middlewares.use(workbenchMiddleware(path.resolve('dist')));
    },
  };
}

export default defineConfig({
  plugins: [react(), workbenchServer()],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['parquet-wasm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 6000, sourcemap: false },
  server: { host: '127.0.0.1' },
});
