import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4319);
// separate folders let several runs share the tree (CI uses the defaults)
const outputDir = process.env.E2E_OUT ?? 'test-results/e2e-artifacts';

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  // CI retries a failed spec once and the summary counts it as flaky (scripts/test.mjs prints each by name);
  // a spec that fails twice fails the run
  retries: Number(process.env.E2E_RETRIES ?? 0),
  outputDir,
  reporter: [['list'], ['json', { outputFile: process.env.E2E_JSON ?? 'test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--ignore-gpu-blocklist',
      ],
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `node scripts/serve.mjs`,
    env: { PORT: String(port), DIST_DIR: process.env.DIST_DIR ?? 'dist' },
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
