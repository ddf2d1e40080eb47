/**
 * @module e2e/start-server
 * Starts the built Ferry server (apps/server/dist) on a free port with a fresh
 * temporary data folder, for the Playwright tests. Prints
 * `FERRY_E2E_URL=<url>` once it listens; removes the data folder on exit.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverEntry = fileURLToPath(new URL('../apps/server/dist/index.js', import.meta.url));
const consoleIndex = fileURLToPath(new URL('../apps/server/dist/console/index.html', import.meta.url));
for (const [file, what] of [
  [serverEntry, 'the server'],
  [consoleIndex, 'the web console'],
]) {
  if (!existsSync(file)) {
    console.error(`${what} is not built (${file} is missing): run \`pnpm run build\` first.`);
    process.exit(1);
  }
}

const { startServer } = await import(serverEntry);
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logLevel: process.env.FERRY_LOG_LEVEL ?? 'warn' });
console.log(`FERRY_E2E_URL=${server.url}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
