/**
 * @module e2e/connections.spec
 * Connecting Google Drive, Slack and Microsoft 365 from the console, against
 * their emulators: a server of its own (the shared one has no providers
 * configured) points those providers at the emulators; Connect goes through
 * the emulator's sign-in (which approves at once) and back, and the console
 * lists the connection as active. When the user removes Ferry's access at
 * the provider (the emulator's control API), Check turns the connection to
 * needs-reauth and the console offers Reconnect; Disconnect revokes the
 * grant at Slack (auth.revoke) and Microsoft (revokeSignInSessions).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startGoogleDriveEmulator,
  startMicrosoftEmulator,
  startSlackEmulator,
  type GoogleDriveEmulator,
  type MicrosoftEmulator,
  type SlackEmulator,
} from '../packages/emulators/dist/index.js';
import { startServer, type RunningServer } from '../apps/server/dist/index.js';
import { installForTest } from '../apps/server/dist/testing/install-integration.js';
import { test, expect, openConnectionsSignedIn, setUpFirstUser } from './support.js';

const person = { email: 'connector@example.test', password: 'a long enough password', workspace: 'Linked' };
const google = { clientId: 'ferry-e2e-google', clientSecret: 'e2e-google-client-secret-5c1a' };
const slackClient = { clientId: '4242.1717', clientSecret: 'e2e-slack-client-secret-9b2e' };
const microsoftClient = { clientId: '0c2d7a51-5e2f-4c3b-9a1d-e2e000000365', clientSecret: 'e2e-microsoft-client-secret-3f7d' };
// With User.RevokeSessions.All (not asked for by default) Disconnect can end the grant at Microsoft.
const microsoftScopes = ['offline_access', 'User.Read', 'Files.ReadWrite', 'Mail.ReadWrite', 'User.RevokeSessions.All'];

let emulator: GoogleDriveEmulator;
let slack: SlackEmulator;
let microsoft: MicrosoftEmulator;
let server: RunningServer;
let dataDir: string;
let workspaceId = '';
/** fetch as the person (the set-up's session cookie), for admin steps outside the stories. */
let asOwner: (path: string, init?: RequestInit) => Promise<Response>;

test.beforeAll(async () => {
  emulator = await startGoogleDriveEmulator({ clients: [{ clientId: google.clientId, clientSecret: google.clientSecret }], user: { displayName: 'Drive Person', emailAddress: 'drive.person@example.test', permissionId: '00000000000000000042' } });
  slack = await startSlackEmulator({ clients: [slackClient], team: { id: 'T0E2E', name: 'Acme', domain: 'acme' }, user: { id: 'U0ADA', name: 'ada' } });
  microsoft = await startMicrosoftEmulator({ clients: [microsoftClient], user: { displayName: 'Megan Bowen', userPrincipalName: 'megan@contoso.test', mail: 'megan@contoso.test' } });
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-connections-'));
  server = await startServer({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    webhookWorker: false,
    outboundAllowList: ['127.0.0.1'],
    providers: {
      'google-drive': { clientId: google.clientId, clientSecret: google.clientSecret, origin: emulator.url },
      slack: { ...slackClient, origin: slack.url },
      microsoft: { ...microsoftClient, origin: microsoft.url, scopes: microsoftScopes },
    },
    shutdownGraceMs: 1_000,
  });
  const setup = await setUpFirstUser(server.url, person);
  // A provider account can be connected only while its integration is installed: the admin installs the three first.
  const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { workspaces } = (await setup.json()) as { workspaces: { id: string }[] };
  workspaceId = workspaces[0]?.id ?? '';
  asOwner = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { cookie, 'x-ferry-request': '1', ...(init.headers ?? {}) } });
  for (const integrationId of ['google-drive', 'slack', 'outlook']) await installForTest(asOwner, workspaceId, integrationId);
});

test.afterAll(async () => {
  await server.close();
  await Promise.all([emulator.close(), slack.close(), microsoft.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

test('connect Google Drive through its sign-in, then reconnect after access is removed at Google', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
  try {
    const page = await openConnectionsSignedIn(context, person);

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

test('connect Slack and Microsoft 365 through their sign-ins, reconnect after sessions are revoked, then disconnect both at the provider', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
  try {
    const page = await openConnectionsSignedIn(context, person);
    const services = page.getByRole('table', { name: 'Services' });
    await expect(services.getByRole('row').filter({ hasText: 'Slack' })).toContainText('Configured');
    await expect(services.getByRole('row').filter({ hasText: 'Microsoft 365' })).toContainText('Configured');

    // Slack: OAuth v2 with user scopes; the account is the one auth.test names.
    await page.getByRole('button', { name: 'Connect Slack' }).click();
    await expect(page).toHaveURL(/\/connections\?connected=/);
    await expect(page.getByRole('status')).toHaveText('Connected Slack.');
    const slackRow = page.getByRole('row', { name: 'Slack connection' });
    await expect(slackRow).toContainText('ada (Acme)');
    await expect(slackRow).toContainText('Active');
    await slackRow.getByRole('button', { name: 'Check' }).click();
    await expect(slackRow).toContainText('Active');

    // Microsoft 365: the v2.0 code flow; the account is Graph's /me.
    await page.getByRole('button', { name: 'Connect Microsoft 365' }).click();
    await expect(page).toHaveURL(/\/connections\?connected=/);
    await expect(page.getByRole('status')).toHaveText('Connected Microsoft 365 as megan@contoso.test.');
    const microsoftRow = page.getByRole('row', { name: 'Microsoft 365 connection' });
    await expect(microsoftRow).toContainText('megan@contoso.test');
    await expect(microsoftRow).toContainText('Active');

    // The user's sign-in sessions are revoked at Microsoft: the next refresh answers invalid_grant.
    const revoked = await fetch(`${microsoft.url}/__emulator/revoke-grants`, { method: 'POST' });
    expect(((await revoked.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(1);
    await fetch(`${microsoft.url}/__emulator/expire-tokens`, { method: 'POST' });
    await microsoftRow.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByRole('alert')).toContainText('connection_needs_reauth');
    await expect(microsoftRow).toContainText('Needs sign-in again');
    await microsoftRow.getByRole('button', { name: 'Reconnect' }).click();
    await expect(page).toHaveURL(/\/connections\?connected=/);
    await expect(page.getByRole('row', { name: 'Microsoft 365 connection' })).toContainText('Active');

    // Disconnect revokes at each provider.
    const slackRevocations = slack.tokens.counts.revocations;
    await page.getByRole('row', { name: 'Slack connection' }).getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByRole('row', { name: 'Slack connection' })).toContainText('Disconnected');
    expect(slack.tokens.counts.revocations).toBe(slackRevocations + 1);
    const microsoftRevocations = microsoft.tokens.counts.revocations;
    await page.getByRole('row', { name: 'Microsoft 365 connection' }).getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByRole('row', { name: 'Microsoft 365 connection' })).toContainText('Disconnected');
    expect(microsoft.tokens.counts.revocations).toBeGreaterThan(microsoftRevocations);
  } finally {
    await context.close();
  }
});

test('without Google Drive installed, Connect says to install it from the marketplace first, and works once installed', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
  try {
    expect((await asOwner(`/api/v1/workspaces/${workspaceId}/integrations/google-drive`, { method: 'DELETE' })).status).toBe(200);
    const page = await openConnectionsSignedIn(context, person);
    await page.getByRole('button', { name: 'Connect Google Drive' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('integration_not_enabled');
    await expect(alert).toContainText('an admin must install Google Drive from the marketplace first');
    await expect(page).toHaveURL(/\/connections$/);

    await installForTest(asOwner, workspaceId, 'google-drive');
    await page.getByRole('button', { name: 'Connect Google Drive' }).click();
    await expect(page).toHaveURL(/\/connections\?connected=/);
    await expect(page.getByRole('row', { name: 'Google Drive connection' }).filter({ hasText: 'Active' })).toHaveCount(1);
  } finally {
    await context.close();
  }
});
