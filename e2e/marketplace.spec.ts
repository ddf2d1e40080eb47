/**
 * @module e2e/marketplace.spec
 * The integration marketplace and analytics in the console: an admin browses
 * and searches the catalog, installs Webhooks 1.0.0 after consenting to its
 * scopes, configures it through the generated form (an invalid value shows
 * the field's error), disables it (the card says what is paused) and enables
 * it, upgrades to 1.1.0 (asked again for the added scope) and removes it; a
 * real member (on a server of this test's own) signs in, is offered no
 * Install, and the server refuses the member's install, disable and remove;
 * after a few measured calls the analytics dashboard charts them (bars and
 * points drawn, the data table holds the calls).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createUser, startServer } from '../apps/server/dist/index.js';
import { screenshot, test, expect } from './support.js';

const csrf = { 'x-ferry-request': '1' };

async function workspaceId(page: Page): Promise<string> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { workspaces: { id: string }[] };
  const id = me.workspaces[0]?.id;
  if (id === undefined) throw new Error('the owner has no workspace');
  return id;
}

test('an admin installs, configures, upgrades and removes an integration', async ({ page }) => {
  await page.goto('/marketplace');
  await expect(page.getByRole('heading', { name: 'Marketplace' })).toBeVisible();
  const cards = page.getByRole('list', { name: 'Integrations' }).getByRole('listitem');
  await expect(cards).toHaveCount(6);
  await screenshot(page, '20-marketplace');

  await page.getByLabel('Search integrations').fill('slash command');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Slack');
  await page.getByLabel('Search integrations').fill('');
  await page.getByLabel('Category').selectOption('storage');
  await expect(cards).toHaveCount(2);
  await expect(cards.getByRole('heading')).toHaveText(['Dropbox', 'Google Drive']);
  await page.getByLabel('Category').selectOption('');

  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Permissions' })).toContainText('Add, change and remove webhook endpoints');
  await page.getByLabel('Version').selectOption('1.0.0');
  await expect(page.getByText('version 1.0.0')).toBeVisible();
  await page.getByRole('button', { name: 'Install' }).click();
  const consent = page.getByRole('dialog', { name: 'Install Webhooks' });
  await expect(consent.getByRole('list', { name: 'Permissions asked for' }).getByRole('listitem')).toHaveCount(1);
  await expect(consent.getByRole('button', { name: 'Install' })).toBeDisabled();
  await consent.getByLabel('I agree to grant these permissions').check();
  await screenshot(page, '21-marketplace-consent');
  await consent.getByRole('button', { name: 'Install' }).click();

  await expect(page).toHaveURL(/\/marketplace\/installed$/);
  const card = page.getByRole('region', { name: 'Webhooks' });
  await expect(card).toContainText('Version 1.0.0');
  const limit = card.getByLabel('Most deliveries per minute');
  await expect(limit).toHaveValue('120');
  await limit.fill('5000');
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(card.getByText('Most deliveries per minute must be at most 1000')).toBeVisible();
  await expect(limit).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, '22-marketplace-settings-error');
  await limit.fill('60');
  await card.getByLabel('file.deleted').check();
  await card.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings of Webhooks saved.' })).toBeVisible();
  await expect(card.getByLabel('Most deliveries per minute')).toHaveValue('60');

  await card.getByRole('button', { name: 'Disable' }).click();
  await expect(card.getByText('Disabled', { exact: true })).toBeVisible();
  await expect(card.getByRole('note')).toContainText('webhook deliveries wait');
  await card.getByRole('button', { name: 'Enable' }).click();
  await expect(card.getByText('Enabled', { exact: true })).toBeVisible();
  await expect(card.getByRole('note')).toHaveCount(0);

  await card.getByRole('button', { name: 'Upgrade to 1.1.0' }).click();
  const reconsent = page.getByRole('dialog', { name: 'Upgrade Webhooks to 1.1.0' });
  await expect(reconsent).toContainText('Include file names, paths and sizes');
  await reconsent.getByLabel('I agree to grant these permissions').check();
  await reconsent.getByRole('button', { name: 'Upgrade' }).click();
  await expect(card).toContainText('Version 1.1.0');
  await expect(card.getByLabel('Most deliveries per minute')).toHaveValue('60');
  await expect(card.getByLabel('Alert email')).toBeVisible();
  await screenshot(page, '23-marketplace-installed');

  await card.getByRole('button', { name: 'Remove' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove Webhooks?' });
  await confirm.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Webhooks removed' })).toBeVisible();
  await expect(card).toHaveCount(0);
});

test('a member is offered no Install, and the server refuses their install, disable and remove', async ({ browser }) => {
  // A server of this test's own: the shared one has only the owner, and users are made on the server's data folder.
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-marketplace-'));
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'warn', webhookWorker: false, syncPairWorker: false, shutdownGraceMs: 1_000 });
  try {
    const setup = await fetch(`${server.url}/api/v1/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.test', password: 'an admin password', workspaceName: 'Members' }),
    });
    expect(setup.status).toBeLessThan(300);
    const ownerCookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const workspace = ((await setup.json()) as { workspaces: { id: string }[] }).workspaces[0]?.id ?? '';
    const asOwner = (path: string, method: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method, headers: { cookie: ownerCookie, ...csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await createUser(server.ctx, { email: 'member@example.test', password: 'a member password' });
    expect((await asOwner(`/api/v1/workspaces/${workspace}/members`, 'POST', { email: 'member@example.test', role: 'member' })).status).toBe(201);
    expect((await asOwner(`/api/v1/workspaces/${workspace}/integrations`, 'POST', { integrationId: 'slack', consentedScopes: ['files:read', 'files:write', 'shares:write', 'slack:chat.write', 'slack:commands', 'slack:files.read'] })).status).toBe(201);

    const context = await browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email').fill('member@example.test');
    await page.getByLabel('Password').fill('a member password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
    // A new user owns a workspace of their own too: switch to the one they are a member of.
    await page.getByLabel('Workspace').selectOption(workspace);
    await page.goto('/marketplace/webhooks');
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await expect(page.getByText('Only workspace admins can install integrations.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Install' })).toHaveCount(0);
    await screenshot(page, '25-marketplace-member');

    const installs = `/api/v1/workspaces/${workspace}/integrations`;
    const attempts = [
      await page.request.post(installs, { headers: csrf, data: { integrationId: 'webhooks', consentedScopes: ['webhooks:manage', 'files:read'] } }),
      await page.request.patch(`${installs}/slack`, { headers: csrf, data: { enabled: false } }),
      await page.request.delete(`${installs}/slack`, { headers: csrf }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status()).toBe(403);
      expect(((await attempt.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    const still = (await (await page.request.get(`${installs}/slack`)).json()) as { enabled: boolean };
    expect(still.enabled).toBe(true);
    await context.close();
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the analytics dashboard charts measured integration calls', async ({ page }) => {
  const id = await workspaceId(page);
  // Endpoints belong to the Webhooks integration: it must be installed (the first story removed it again).
  const installed = await page.request.post(`/api/v1/workspaces/${id}/integrations`, { headers: csrf, data: { integrationId: 'webhooks', consentedScopes: ['webhooks:manage', 'files:read'] } });
  expect(installed.status()).toBe(201);
  const created = await page.request.post(`/api/v1/workspaces/${id}/webhooks`, { headers: csrf, data: { url: 'https://hooks.example.invalid/ferry', description: 'analytics e2e' } });
  expect(created.status()).toBe(201);
  const endpoint = (await created.json()) as { id: string };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const tested = await page.request.post(`/api/v1/webhooks/${endpoint.id}/test`, { headers: csrf });
    expect(tested.status()).toBe(200);
  }
  await page.request.delete(`/api/v1/workspaces/${id}/webhooks/${endpoint.id}`, { headers: csrf });
  expect((await page.request.delete(`/api/v1/workspaces/${id}/integrations/webhooks`, { headers: csrf })).status()).toBe(200);

  await page.goto('/analytics');
  await expect(page.getByRole('heading', { name: 'Integration analytics' })).toBeVisible();
  const totals = page.getByRole('definition').first();
  await expect(totals).toHaveText(/^[1-9]/);
  await expect(page.getByRole('img', { name: 'Calls over time' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'p95 latency over time' })).toBeVisible();
  const row = page.getByRole('table', { name: 'Usage by integration' }).getByRole('row', { name: /Webhooks/ });
  await expect(row).toContainText(/refused|network/);
  await screenshot(page, '24-analytics');
  // The charts draw what was measured: a bar for the hour of the calls, a point on the latency line.
  await expect(page.getByRole('img', { name: 'Calls over time' }).locator('rect.chart-bar')).not.toHaveCount(0);
  await expect(page.getByRole('img', { name: 'p95 latency over time' }).locator('circle.chart-dot')).not.toHaveCount(0);
  await page.getByText('Show data').first().click();
  const rows = page.getByRole('table', { name: 'Calls over time data' }).getByRole('row');
  await expect(rows).not.toHaveCount(0);
  const counts = (await rows.locator('td:nth-child(2)').allTextContents()).map((text) => Number(text.replace(/[^\d]/g, '')) || 0);
  expect(counts.reduce((total, count) => total + count, 0)).toBeGreaterThanOrEqual(3);
});
