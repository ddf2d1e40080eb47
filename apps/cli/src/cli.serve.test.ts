/**
 * @module cli.serve.test
 * The built `ferry` binary as an administrator uses it: `serve` on a fresh
 * data folder (port 0, the URL read from its output), `admin create-user` and
 * `admin token` on the same folder, then a client command with that token,
 * and a clean stop on SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from './testing/build-cli.js';
import { runFerry, spawnFerry } from './testing/run-ferry.js';

let dataDir: string;
let serve: ChildProcess | null = null;

/** Collects a child's output and resolves once `pattern` shows up in stdout. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<{ match: RegExpExecArray; stdout: () => string; stderr: () => string }> {
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = pattern.exec(stdout);
      if (match) resolve({ match, stdout: () => stdout, stderr: () => stderr });
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code) => reject(new Error(`ferry serve exited ${String(code)} early: ${stderr}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

beforeAll(async () => {
  await buildCli();
  dataDir = await mkdtemp(join(tmpdir(), 'ferry-serve-'));
}, 300_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGKILL');
    await exitOf(serve);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('ferry serve and ferry admin', { timeout: 180_000 }, () => {
  it('serves a fresh data folder, and an admin-made user signs in with an admin-made token', async () => {
    serve = spawnFerry(['serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent']);
    const started = await waitForOutput(serve, /running at (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl-C/);
    const url = started.match[1] ?? '';
    expect(started.stdout()).toContain('admin create-user');

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);

    const created = await runFerry(['admin', 'create-user', '--data', dataDir, '--email', 'boss@example.test', '--password-stdin', '--name', 'Boss'], {
      input: 'a long enough password\n',
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('boss@example.test');

    const duplicate = await runFerry(['admin', 'create-user', '--data', dataDir, '--email', 'boss@example.test', '--password', 'another password'], {});
    expect(duplicate.code).toBe(5);

    const tokenRun = await runFerry(['--json', 'admin', 'token', '--data', dataDir, '--email', 'boss@example.test', '--name', 'laptop']);
    expect(tokenRun.code).toBe(0);
    const token = (JSON.parse(tokenRun.stdout) as { token: string; name: string }).token;
    expect(token).toMatch(/^fry_/);

    const plainToken = await runFerry(['admin', 'token', '--data', dataDir, '--email', 'boss@example.test']);
    expect(plainToken.stdout.trim()).toMatch(/^fry_\S+$/);

    const whoami = await runFerry(['--json', 'whoami'], { env: { FERRY_SERVER: url, FERRY_TOKEN: token } });
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { email: 'boss@example.test', name: 'Boss' } });

    const setup = await fetch(`${url}/api/v1/auth/setup`);
    expect(await setup.json()).toEqual({ needed: false });

    serve.kill('SIGTERM');
    expect(await exitOf(serve)).toBe(0);
    expect(started.stderr()).toContain('Stopped');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('refuses a token for an unknown user (3) and a missing --data (2)', async () => {
    const unknown = await runFerry(['admin', 'token', '--data', dataDir, '--email', 'nobody@example.test']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('nobody@example.test');
    const noData = await runFerry(['admin', 'token', '--email', 'boss@example.test']);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('--data');
  });
});
