/**
 * @module e2e/connections.spec
 * Connecting Google Drive from the console, against the Google Drive emulator:
 * a server of its own (the shared one has no providers configured) points the
 * Google provider at the emulator; Connect goes through the emulator's
 * sign-in (which approves at once) and back, and the console lists the
 * connection as active. When the user removes Ferry's access at Google (the
 * emulator's control API), Check turns the connection to needs-reauth and
 * the console offers Reconnect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from '../packages/emulators/dist/index.js';
import { startServer, type RunningServer } from '../apps/server/dist/index.js';
import { test, expect } from './support.js';

const person = { email: 'connector@example.test', password: 'a long enough password', workspace: 'Linked' };
const google = { clientId: 'ferry-e2e-google', clientSecret: 'e2e-google-client-secret-5c1a' };

let emulator: GoogleDriveEmulator;
let server: RunningServer;
let dataDir: string;

test.beforeAll(async () => {
  emulator = await startGoogleDriveEmulator({ clients: [{ clientId: google.clientId, clientSecret: google.clientSecret }], user: { displayName: 'Drive Person', emailAddress: 'drive.person@example.test', permissionId: '00000000000000000042' } });
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-connections-'));
  server = await startServer({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    webhookWorker: false,
    outboundAllowList: ['127.0.0.1'],
    providers: { 'google-drive': { clientId: google.clientId, clientSecret: google.clientSecret, origin: emulator.url } },
    shutdownGraceMs: 1_000,
  });
  const setup = await fetch(`${server.url}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: person.email, password: person.password, workspaceName: person.workspace }),
  });
  expect(setup.status).toBeLessThan(300);
});

test.afterAll(async () => {
  await server.close();
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('connect Google Drive through its sign-in, then reconnect after access is removed at Google', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
  try {
    const page = await context.newPage();
    await page.goto('/connections');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Connections' }).click();

    const services = page.getByRole('table', { name: 'Services' });
    const googleRow = services.getByRole('row').filter({ hasText: 'Google Drive' });
    await expect(googleRow).toContainText('Configured');
    await expect(services.getByRole('row').filter({ hasText: 'Dropbox' })).toContainText('Not configured');
    await expect(page.getByText('No connections yet.')).toBeVisible();

    await page.getByRole('button', { name: 'Connect Google Drive' }).click();
    await expect(page).toHaveURL(/\/connections\?connected=/);
    await expect(page.getByRole('status')).toHaveText('Connected Google Drive as drive.person@example.test.');
    const connection = page.getByRole('row', { name: 'Google Drive connection' });
    await expect(connection).toContainText('drive.person@example.test');
    await expect(connection).toContainText('Active');
    await connection.getByRole('button', { name: 'Check' }).click();
    await expect(connection).toContainText('Active');

    // The user removes Ferry's access in their Google account.
    const removed = await fetch(`${emulator.url}/__emulator/revoke-grants`, { method: 'POST' });
    expect(((await removed.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(1);

    await connection.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByRole('alert')).toContainText('connection_needs_reauth');
    await expect(connection).toContainText('Needs sign-in again');
    await expect(connection.getByRole('button', { name: 'Reconnect' })).toBeVisible();
    await expect(connection.getByRole('button', { name: 'Check' })).toHaveCount(0);

    await connection.getByRole('button', { name: 'Reconnect' }).click();
    await expect(page).toHaveURL(/\/connections\?connected=/);
    await expect(page.getByRole('row', { name: 'Google Drive connection' }).filter({ hasText: 'Active' })).toHaveCount(1);
  } finally {
    await context.close();
  }
});
