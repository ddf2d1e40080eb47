/**
 * @module testing
 * A real server on an ephemeral port with a temp data folder, and users with
 * API tokens, for integration tests of the server, the CLI and the sync engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User, Workspace } from '@ferry/core';
import { createApiToken, createUser } from '../auth/users.js';
import { startServer, type RunningServer, type StartOptions } from '../index.js';

export interface TestUser {
  user: User;
  workspace: Workspace;
  token: string;
  /** fetch against the server as this user (Bearer token). */
  api(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestServer extends RunningServer {
  dataDir: string;
  newUser(email?: string, password?: string): Promise<TestUser>;
}

let counter = 0;

export async function startTestServer(options: Partial<StartOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-test-'));
  const server = await startServer({ logLevel: 'silent', port: 0, host: '127.0.0.1', shutdownGraceMs: 1000, ...options, dataDir });
  const ownsDir = options.dataDir === undefined;
  return {
    ...server,
    dataDir,
    async newUser(email, password = 'correct horse battery') {
      counter += 1;
      const { user, workspace } = await createUser(server.ctx, { email: email ?? `user${counter}-${Date.now()}@example.test`, password });
      const { token } = await createApiToken(server.ctx, { userId: user.id, name: 'test' });
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
      return { user, workspace, token, api };
    },
    async close() {
      await server.close();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` every 20 ms until it answers something truthy, and answers that; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | null | false | Promise<T | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
