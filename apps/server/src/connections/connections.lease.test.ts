/**
 * @module connections/connections.lease.test
 * The refresh race from the issue: 500 concurrent calls that all need a
 * refresh of the same expired token, spread over two server PROCESSES sharing
 * one database. In each process the callers share one refresh; across the
 * processes the lease lets one refresh and the other wait and re-read. The
 * emulator's token endpoint is reached exactly once. The second process runs
 * the built server with debug logs, which are searched for the tokens.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBoxFor } from '../outbound/secret-box.js';
import { clientSecrets, startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const builtServer = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

let harness: ConnectionHarness;
let child: ChildProcessWithoutNullStreams;
let childUrl = '';
let childOutput = '';

const childScript = `
const { startServer } = await import(process.argv[2]);
const server = await startServer({ dataDir: process.argv[3], port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ ready: server.url }) + '\\n');
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
`;

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-b', 'apps/server'], { cwd: repoRoot, stdio: 'pipe' });
  harness = await startConnectionHarness({}, 100_000);
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('google-drive');
  const script = `${harness.server.dataDir}/second-server.mjs`;
  writeFileSync(script, childScript);
  child = spawn(process.execPath, [script, builtServer, harness.server.dataDir], {
    env: {
      ...process.env,
      FERRY_LOG_LEVEL: 'debug',
      FERRY_WEBHOOK_WORKER: '0',
      FERRY_OUTBOUND_ALLOW_LIST: '127.0.0.1',
      FERRY_GOOGLE_CLIENT_ID: 'ferry-google',
      FERRY_GOOGLE_CLIENT_SECRET: clientSecrets.google,
      FERRY_PROVIDER_GOOGLE_DRIVE_ORIGIN: harness.google.url,
      FERRY_PROVIDER_GOOGLE_DRIVE_RATE_LIMIT_PER_SECOND: '100000',
    },
  });
  childUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      childOutput += chunk.toString('utf8');
      const ready = /\{"ready":"([^"]+)"\}/.exec(childOutput);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      childOutput += chunk.toString('utf8');
    });
    child.on('exit', (code) => reject(new Error(`second server exited (${String(code)}): ${childOutput}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
  }
  await harness.close();
});

describe('refresh across two processes', () => {
  it('500 concurrent calls over 2 processes needing the same refresh reach the token endpoint once', async () => {
    const { connectionId } = await harness.connect('google-drive');
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', connectionId).execute();
    // The refresh takes a while, so both processes are inside it at once.
    harness.google.faults.push({ match: { path: '/token' }, delayMs: 400 });
    const before = harness.google.tokens.counts.refreshes;
    const path = `/api/v1/workspaces/${harness.workspaceId}/connections/${connectionId}/check`;
    const calls = Array.from({ length: 500 }, (_, index) =>
      fetch(`${index % 2 === 0 ? harness.server.url : childUrl}${path}`, { method: 'POST', headers: { cookie: harness.cookie, 'x-ferry-request': '1' } }),
    );
    const answers = await Promise.all(calls);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(500);
    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    expect(harness.google.tokens.counts.refreshes - before).toBe(1);

    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirstOrThrow();
    expect(row.refresh_lease_owner).toBeNull();
    const box = secretBoxFor(harness.server.dataDir);
    const access = box.open(row.access_token_ciphertext ?? '');
    const refresh = box.open(row.refresh_token_ciphertext ?? '');
    expect(harness.google.tokens.check(access)).toBe('valid');
    // The debug log of the second process and all 500 answers hold no token.
    expect(childOutput).toContain('/check');
    for (const secret of [access, refresh, clientSecrets.google]) {
      expect(childOutput).not.toContain(secret);
      expect(bodies.join('\n')).not.toContain(secret);
    }
  });
});
