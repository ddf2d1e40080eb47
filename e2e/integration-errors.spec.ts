/**
 * @module e2e/integration-errors.spec
 * When the integration gate refuses an action in the console (403
 * `integration_not_enabled` / `integration_disabled`), the alert links to
 * that integration's marketplace page, and following the link fixes it: on a
 * server of its own with Google Drive configured (so Connect is offered) and
 * not installed, Connect Google Drive shows the refusal with "Install Google
 * Drive from the marketplace"; the link opens Google Drive's page, where the
 * admin installs it. Once it is disabled, Connect says so with "Enable Google
 * Drive in the marketplace", and the link leads to where it is enabled again.
 * No provider is called: the gate refuses before Ferry leaves the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../apps/server/dist/index.js';
import { test, expect, openConnectionsSignedIn, setUpFirstUser } from './support.js';

const person = { email: 'gatekeeper@example.test', password: 'a long enough password', workspace: 'Gated' };

let server: RunningServer;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-integration-errors-'));
  server = await startServer({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    webhookWorker: false,
    syncPairWorker: false,
    // Configured, so the console offers Connect; the origin is never reached (the gate refuses first).
    providers: { 'google-drive': { clientId: 'ferry-e2e-gate', clientSecret: 'e2e-gate-secret', origin: 'http://127.0.0.1:9' } },
    shutdownGraceMs: 1_000,
  });
  await setUpFirstUser(server.url, person);
});

test.afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test("a refused Connect links to the integration's marketplace page, where the admin installs and later enables it", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
  try {
    const page = await openConnectionsSignedIn(context, person);

    // Not installed: the refusal says so and links to Google Drive's page.
    await page.getByRole('button', { name: 'Connect Google Drive' }).click();
    const refused = page.getByRole('alert');
    await expect(refused).toContainText('integration_not_enabled');
    await expect(refused).toContainText('an admin must install Google Drive from the marketplace first');
    const installLink = refused.getByRole('link', { name: 'Install Google Drive from the marketplace' });
    await expect(installLink).toHaveAttribute('href', '/marketplace/google-drive');
    await installLink.click();
    await expect(page).toHaveURL(/\/marketplace\/google-drive$/);
    await expect(page.getByRole('heading', { name: 'Google Drive', level: 1 })).toBeVisible();

    await page.getByRole('button', { name: 'Install' }).click();
    const consent = page.getByRole('dialog', { name: 'Install Google Drive' });
    await consent.getByLabel('I agree to grant these permissions').check();
    await consent.getByRole('button', { name: 'Install' }).click();
    await expect(page).toHaveURL(/\/marketplace\/installed$/);
    const card = page.getByRole('region', { name: 'Google Drive' });
    await card.getByRole('button', { name: 'Disable' }).click();
    await expect(card.getByText('Disabled', { exact: true })).toBeVisible();

    // Disabled: the refusal says so and links to the same page, which leads to Enable.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: 'Connect Google Drive' }).click();
    await expect(page.getByRole('alert')).toContainText('integration_disabled');
    await page.getByRole('alert').getByRole('link', { name: 'Enable Google Drive in the marketplace' }).click();
    await expect(page).toHaveURL(/\/marketplace\/google-drive$/);
    await expect(page.getByRole('heading', { name: 'Google Drive', level: 1 })).toBeVisible();
    await page.getByRole('link', { name: 'Manage' }).click();
    await page.getByRole('region', { name: 'Google Drive' }).getByRole('button', { name: 'Enable' }).click();
    await expect(page.getByRole('region', { name: 'Google Drive' }).getByText('Enabled', { exact: true })).toBeVisible();
  } finally {
    await context.close();
  }
});
