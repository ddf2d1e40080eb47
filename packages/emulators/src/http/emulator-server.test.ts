/**
 * @module http/emulator-server.test
 * The control endpoints a separate process uses (`/__emulator/...`) and the
 * fault kinds: error statuses that run out after `times`, hung requests that
 * trip the client's time-out, reset connections, delays, expired tokens.
 */
import { Dropbox, DropboxResponseError } from 'dropbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDropboxEmulator, type DropboxEmulator } from '../dropbox/dropbox-emulator.js';
import { dropboxSdkFetch } from '../dropbox/dropbox-sdk-fetch.js';

let emulator: DropboxEmulator;
let dbx: Dropbox;

beforeAll(async () => {
  emulator = await startDropboxEmulator();
  dbx = new Dropbox({ accessToken: emulator.issueToken().accessToken, domain: emulator.domain, domainDelimiter: '', fetch: dropboxSdkFetch() });
});

afterAll(async () => {
  await emulator.close();
});

function control(path: string, body?: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${emulator.url}/__emulator/${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  return call.then(
    () => 200,
    (error: unknown) => (error instanceof DropboxResponseError ? error.status : -1),
  );
}

describe('emulator control endpoints and faults', () => {
  it('sets faults over HTTP that fire the given number of times, then clears them', async () => {
    const created = await control('faults', { match: { method: 'POST', path: '/2/files/*' }, status: 503, times: 2 });
    expect(created.status).toBe(201);
    expect(await statusOf(dbx.filesListFolder({ path: '' }))).toBe(503);
    expect(await statusOf(dbx.filesCreateFolderV2({ path: '/a' }))).toBe(503);
    expect(await statusOf(dbx.filesListFolder({ path: '' }))).toBe(200);

    await control('faults', [{ match: { path: '/2/files/list_folder' }, status: 500, times: 5 }]);
    const listed = (await (await control('faults', undefined, 'GET')).json()) as { faults: { remaining: number }[] };
    expect(listed.faults.map((fault) => fault.remaining)).toEqual([5]);
    await control('faults', undefined, 'DELETE');
    expect(await statusOf(dbx.filesListFolder({ path: '' }))).toBe(200);

    const rejected = await control('faults', { status: 'soon' });
    expect(rejected.status).toBe(400);
  });

  it('hangs a request until the client gives up, resets a connection, and delays without failing', async () => {
    emulator.faults.push({ match: { path: '/2/users/get_current_account' }, hang: true });
    const hung = await fetch(`${emulator.url}/2/users/get_current_account`, { method: 'POST', signal: AbortSignal.timeout(150) }).catch(
      (error: unknown) => error,
    );
    expect(hung).toMatchObject({ name: 'TimeoutError' });

    emulator.faults.push({ match: { path: '/2/users/get_current_account' }, reset: true });
    await expect(dbx.usersGetCurrentAccount()).rejects.toThrow(/fetch failed/);

    emulator.faults.push({ match: { path: '/2/users/get_current_account' }, delayMs: 20 });
    await expect(dbx.usersGetCurrentAccount()).resolves.toMatchObject({ status: 200 });
  });

  it('expires tokens and issues new ones for a separate process', async () => {
    await control('expire-tokens');
    expect(await statusOf(dbx.usersGetCurrentAccount())).toBe(401);
    const issued = (await (await control('tokens')).json()) as { accessToken: string };
    const fresh = new Dropbox({ accessToken: issued.accessToken, domain: emulator.domain, domainDelimiter: '', fetch: dropboxSdkFetch() });
    expect(await statusOf(fresh.usersGetCurrentAccount())).toBe(200);
  });

  it('revokes every grant, as when the user removes the app at the provider', async () => {
    const issued = (await (await control('tokens')).json()) as { accessToken: string };
    const client = new Dropbox({ accessToken: issued.accessToken, domain: emulator.domain, domainDelimiter: '', fetch: dropboxSdkFetch() });
    expect(await statusOf(client.usersGetCurrentAccount())).toBe(200);
    const answer = (await (await control('revoke-grants')).json()) as { revoked: number };
    expect(answer.revoked).toBeGreaterThanOrEqual(1);
    expect(await statusOf(client.usersGetCurrentAccount())).toBe(401);
  });
});
