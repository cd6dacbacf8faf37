import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
    // the wasm kernels (kernels/) are compiled before any test imports them
    globalSetup: ['scripts/build-kernels.mjs'],
  },
});
