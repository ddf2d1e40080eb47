/**
 * @module e2e/playwright.config
 * Browser tests of the web console against the real, built server
 * (`pnpm run build` first). The server starts on a free port with an empty
 * data folder; the "setup" project does the first-run set-up and signs in,
 * the console tests reuse that session.
 *
 * Browser: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`, else
 * Playwright's own (`pnpm exec playwright install chromium`).
 */
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { ownerStatePath } from './paths.js';

function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

const executablePath = chromiumPath();

export default defineConfig({
  testDir: '.',
  outputDir: '../test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    baseURL: process.env.FERRY_E2E_URL,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(executablePath !== undefined ? { executablePath } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'setup', testMatch: /first-run\.setup\.ts$/ },
    {
      name: 'console',
      testMatch: /\.spec\.ts$/,
      dependencies: ['setup'],
      use: { storageState: ownerStatePath },
    },
  ],
  webServer: {
    command: 'node e2e/start-server.mjs',
    cwd: '..',
    wait: { stdout: /FERRY_E2E_URL=(?<ferry_e2e_url>http:\/\/\S+)/ },
    stdout: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 2_000 },
    timeout: 30_000,
  },
});
