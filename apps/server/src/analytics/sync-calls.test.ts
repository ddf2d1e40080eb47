/**
 * @module analytics/sync-calls.test
 * The measured fetch of sync drivers against a stand-in provider on
 * 127.0.0.1, through the server's provider client: a streamed download
 * without a length counts the bytes that came through once it has been read;
 * an answer cut off at the size limit counts as `too_large`; an error answer
 * counts by its status. The bytes and kinds are read back from the
 * analytics API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyticsReportSchema, FerryError } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttp } from '../connections/provider-http.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { integrationRecorder } from './recorder.js';
import { measuredDriverFetch } from './sync-calls.js';

const cap = 64 * 1024;
const piece = Buffer.alloc(16 * 1024, 'p');

describe('measured driver calls', () => {
  let server: TestServer;
  let admin: TestUser;
  let provider: Server;
  let base = '';
  const http = new ProviderHttp({ allowList: ['127.0.0.1'], timeoutMs: 5000, maxAnswerBytes: cap, maxStreamedAnswerBytes: cap });

  beforeAll(async () => {
    server = await startTestServer({ webhookWorker: false });
    admin = await server.newUser();
    provider = createServer((request, response) => {
      if (request.url === '/download') {
        // Streamed without a length, as a file download often is: 3 pieces.
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let index = 0; index < 3; index += 1) response.write(piece);
        response.end();
      } else if (request.url === '/endless') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const more = (): void => {
          while (!response.destroyed && response.write(piece));
          if (!response.destroyed) response.once('drain', more);
        };
        more();
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    provider.closeAllConnections();
    await new Promise((resolve) => provider.close(resolve));
    await http.close();
    await server.close();
  });

  async function operation(name: string) {
    await integrationRecorder(server.ctx).flush();
    const response = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/analytics?integration=dropbox`);
    expect(response.status).toBe(200);
    const report = analyticsReportSchema.parse(await response.json());
    return report.integrations.find((usage) => usage.integration === 'dropbox')?.operations.find((entry) => entry.operation === name);
  }

  it('counts a streamed answer once read, with the bytes that came through, and one cut off at the size limit as too_large', async () => {
    const fetch = measuredDriverFetch(server.ctx, { workspaceId: admin.workspace.id, integration: 'dropbox', userId: admin.user.id }, http.guardedFetch);
    const download = await fetch(`${base}/download`);
    expect(download.headers.get('content-length')).toBeNull();
    // Not counted before its body is read.
    expect(await operation('api:download')).toBeUndefined();
    expect((await download.arrayBuffer()).byteLength).toBe(3 * piece.byteLength);
    expect(await operation('api:download')).toMatchObject({ calls: 1, errors: 0, bytesIn: 3 * piece.byteLength });

    const endless = await fetch(`${base}/endless`);
    expect(endless.status).toBe(200);
    const failure = await endless.arrayBuffer().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure instanceof FerryError ? failure.code : failure).toBe('provider_error');
    const cut = await operation('api:endless');
    expect(cut).toMatchObject({ calls: 1, errors: 1, errorsByKind: { too_large: 1 } });
    expect(cut?.bytesIn).toBeLessThanOrEqual(cap);

    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await operation('api:missing')).toMatchObject({ calls: 1, errors: 1, errorsByKind: { http_4xx: 1 } });
  });
});
