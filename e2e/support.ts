/**
 * @module e2e/support
 * What the console tests share: the owner's credentials, where the signed-in
 * session is kept, a `test` whose `baseURL` is the started server, and small
 * steps that read like what a user does.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { test as base, expect, type BrowserContext, type Download, type Page } from '@playwright/test';
import { screenshotDir } from './paths.js';

export const owner = { name: 'Olivia Owner', email: 'owner@example.test', password: 'correct horse battery staple', workspace: 'Acme' };
export { ownerStatePath } from './paths.js';

/** Script errors and Content-Security-Policy refusals are bugs; failed requests the UI reports are not. */
function isBrowserFault(text: string): boolean {
  return /Content Security Policy|Refused to/i.test(text);
}

export const test = base.extend({
  baseURL: async ({ baseURL }, use) => {
    const url = process.env.FERRY_E2E_URL ?? baseURL;
    if (url === undefined || url === '') throw new Error('FERRY_E2E_URL is not set: the web server did not start.');
    await use(url);
  },
  context: async ({ context }, use) => {
    const faults: string[] = [];
    context.on('weberror', (error) => faults.push(`uncaught: ${error.error().message}`));
    context.on('console', (message) => {
      if (message.type() === 'error' && isBrowserFault(message.text())) faults.push(message.text());
    });
    await use(context);
    expect(faults, 'errors in the browser console').toEqual([]);
  },
});
export { expect };

/** A name no other test uses, so tests sharing one workspace stay apart. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}

/** Opens the file browser at a folder path such as "/Work/Archive". */
export async function openFolder(page: Page, path: string): Promise<void> {
  const segments = path.split('/').filter((segment) => segment !== '').map(encodeURIComponent);
  await page.goto(segments.length === 0 ? '/files' : `/files/${segments.join('/')}`);
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Folder contents' }).or(page.getByText('This folder is empty'))).toBeVisible();
}

export async function createFolder(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New folder' }).click();
  const dialog = page.getByRole('dialog', { name: 'New folder' });
  await dialog.getByLabel('Folder name').fill(name);
  await dialog.getByRole('button', { name: 'Create folder' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
}

/** Uploads in-memory files through "Upload files" and waits until every upload says Done. */
export async function uploadFiles(page: Page, files: { name: string; content: string | Buffer }[]): Promise<void> {
  await page.getByLabel('Upload files').setInputFiles(
    files.map((file) => ({ name: file.name, mimeType: 'application/octet-stream', buffer: Buffer.from(file.content) })),
  );
  await waitForUploads(page);
  for (const file of files) await expect(fileRow(page, file.name)).toBeVisible();
}

export async function waitForUploads(page: Page): Promise<void> {
  const uploads = page.getByRole('region', { name: 'Uploads' });
  await expect(uploads).toBeVisible();
  await expect(uploads.getByRole('status')).toHaveText(/^\d+ uploaded$/);
}

/** The listing row of an item. */
export function fileRow(page: Page, name: string) {
  return page.getByRole('table', { name: 'Folder contents' }).getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
}

export async function downloadedText(download: Download): Promise<string> {
  const path = await download.path();
  return readFileSync(path, 'utf8');
}

/** Signs `person` in from the connections page (in a fresh context) and opens the Connections section. */
export async function openConnectionsSignedIn(context: BrowserContext, person: { email: string; password: string }): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/connections');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Connections' }).click();
  return page;
}

/** Makes `person` the first user of a freshly started server (its own workspace); answers the set-up's response (session cookie, workspaces). */
export async function setUpFirstUser(serverUrl: string, person: { email: string; password: string; workspace: string }): Promise<Response> {
  const setup = await fetch(`${serverUrl}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: person.email, password: person.password, workspaceName: person.workspace }),
  });
  expect(setup.status).toBeLessThan(300);
  return setup;
}
