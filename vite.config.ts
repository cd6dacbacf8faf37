import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
// @ts-expect-error plain JS module shared with the node static server
import { workbenchMiddleware } from './scripts/static-server.mjs';
import { buildKernels } from './scripts/build-kernels.mjs';

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

/** Compiles the AssemblyScript kernels (kernels/) before a build or the dev server imports them (skipped when up to date). */
function wasmKernels(): Plugin {
  return {
    name: 'workbench-wasm-kernels',
    async buildStart() {
      await buildKernels();
    },
  };
}

/**
 * tfjs's threaded SIMD wasm starts each pthread worker from `factory.toString()`: the Emscripten factory's source
 * without its enclosing closure. Inside, it reads `_scriptDir`, a variable of that closure, behind a
 * `typeof _scriptDir !== "undefined"` guard; the minifier, knowing the variable is declared, renames it and drops the
 * guard (`e !== void 0 && e`), so every pthread worker threw "e is not defined" and the threaded build failed in
 * production builds only (tfjs-backend-wasm README, "JS Minification"). In a browser worker `_scriptDir` is always
 * undefined (no `document.currentScript`, no `__filename`), so its two uses inside the factory are rewritten to the
 * global it falls back to, which a minifier must leave guarded. The build fails if tfjs changes these lines.
 */
const THREADED_WASM_SCRIPT_DIR: ReadonlyArray<readonly [string, string]> = [
  ['if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}', 'if(typeof __filename !== "undefined" && __filename){scriptDirectory=__filename}'],
  ['"mainScriptUrlOrBlob"]||_scriptDir,', '"mainScriptUrlOrBlob"]||(typeof __filename !== "undefined" ? __filename : undefined),'],
];
function tfjsThreadedWasmMinifySafe(): Plugin {
  return {
    name: 'tfjs-threaded-wasm-minify-safe',
    transform(code, id) {
      if (!/tfjs-backend-wasm-threaded-simd\.js$/.test(id.split('?')[0] ?? '')) return null;
      let out = code;
      for (const [from, to] of THREADED_WASM_SCRIPT_DIR) {
        if (!out.includes(from)) this.error(`${id} no longer contains \`${from}\`; check tfjs's threaded wasm build in production (see vite.config.ts)`);
        out = out.replaceAll(from, to);
      }
      return { code: out, map: null };
    },
  };
}

export default defineConfig({
  plugins: [wasmKernels(), react(), workbenchServer()],
  // config.plugins reach workers only in dev; the production worker bundles get their own list
  worker: { format: 'es', plugins: () => [tfjsThreadedWasmMinifySafe()] },
  optimizeDeps: { exclude: ['parquet-wasm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 6000, sourcemap: false },
  server: { host: '127.0.0.1' },
});
