import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../testing/index.js';
import { filesUnder } from './file-test-kit.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
const serverEntry = fileURLToPath(new URL('../index.ts', import.meta.url));

/** A script for a child process: a real server (through tsx) on a data folder, printing its URL and a token. */
const childScript = `
import { createApiToken, createUser, startServer } from ${JSON.stringify(serverEntry)};
const server = await startServer({ dataDir: process.argv[2], port: 0, logLevel: 'silent' });
const { user, workspace } = await createUser(server.ctx, { email: 'crash@example.test', password: 'crash-password' });
const { token } = await createApiToken(server.ctx, { userId: user.id, name: 'crash' });
process.stdout.write(JSON.stringify({ url: server.url, token, rootFolderId: workspace.rootFolderId, workspaceId: workspace.id }) + '\\n');
`;

interface ChildInfo {
  url: string;
  token: string;
  rootFolderId: string;
  workspaceId: string;
}

async function startChild(scriptPath: string, dataDir: string): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', scriptPath, dataDir], { cwd: serverDir, stdio: ['ignore', 'pipe', 'inherit'] });
  const output = child.stdout;
  if (output === null) throw new Error('the server child has no stdout');
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: output }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as ChildInfo };
}

describe('a server killed mid-upload', () => {
  const work = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('starts clean on the same data folder: no half file visible, no temp file left', async () => {
    const dataDir = join(work, 'data');
    const scriptPath = join(work, 'server-child.mjs');
    writeFileSync(scriptPath, childScript);
    const { child, info } = await startChild(scriptPath, dataDir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const url = new URL(`${info.url}/api/v1/nodes/${info.rootFolderId}/files/half.bin`);
      const upload = httpRequest(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/octet-stream', 'content-length': String(8 * 1024 * 1024) },
      });
      upload.on('error', () => undefined);
      upload.write(Buffer.alloc(1024 * 1024, 7));
      // Wait until the server has part of the body in a temp file, then kill it hard.
      for (let attempt = 0; attempt < 200; attempt++) {
        if (filesUnder(join(dataDir, 'tmp')).length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(filesUnder(join(dataDir, 'tmp')).length).toBe(1);
      child.kill('SIGKILL');
      await exited;
      upload.destroy();
    } finally {
      child.kill('SIGKILL');
    }

    const server = await startTestServer({ dataDir });
    try {
      expect(filesUnder(join(dataDir, 'tmp'))).toEqual([]);
      expect(filesUnder(join(dataDir, 'blobs'))).toEqual([]);
      const resolved = await fetch(`${server.url}/api/v1/workspaces/${info.workspaceId}/resolve?path=/half.bin`, { headers: { authorization: `Bearer ${info.token}` } });
      expect(resolved.status).toBe(404);
      const stored = await fetch(`${server.url}/api/v1/nodes/${info.rootFolderId}/files/whole.bin`, {
        method: 'PUT',
        body: 'whole',
        headers: { authorization: `Bearer ${info.token}` },
      });
      expect(stored.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
