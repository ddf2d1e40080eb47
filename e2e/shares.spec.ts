/**
 * @module e2e/shares.spec
 * A share link with a password and a download limit: created in the
 * console, opened signed out in a fresh browser context, refused with a
 * wrong password, downloaded with the right one (the bytes checked), then
 * exhausted; revoked from the Share links view, the link says so.
 */
import { createFolder, downloadedText, openFolder, screenshot, test, expect, uniqueName, uploadFiles } from './support.js';

test('creates a share link and downloads through it signed out', async ({ page, context, browser, baseURL }) => {
  const folder = uniqueName('Shared');
  const content = `quarterly numbers ${folder}\n`;
  await openFolder(page, '/');
  await createFolder(page, folder);
  await openFolder(page, `/${folder}`);
  await uploadFiles(page, [{ name: 'report.csv', content }]);

  await page.getByRole('button', { name: 'Share report.csv' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share report.csv' });
  await dialog.getByLabel('Password (optional)').fill('open sesame');
  await dialog.getByLabel('Download limit (optional)').fill('1');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'created' })).toBeVisible();
  const urlField = dialog.getByLabel('Share link URL');
  await expect(urlField).toHaveCount(1);
  await expect(dialog.getByRole('list', { name: 'Share links' })).toContainText('password');
  await expect(dialog.getByRole('list', { name: 'Share links' })).toContainText('0 of 1 downloads');
  await screenshot(page, '07-share-dialog');
  const shareUrl = new URL(await urlField.inputValue());
  expect(shareUrl.pathname).toMatch(/^\/s\/.+/);

  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: shareUrl.origin });
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl.href);

  const visitor = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const publicPage = await visitor.newPage();
    await publicPage.goto(shareUrl.pathname);
    await expect(publicPage.getByRole('heading', { name: 'report.csv' })).toBeVisible();
    await expect(publicPage.getByText(`${Buffer.byteLength(content)} B`)).toBeVisible();
    await publicPage.getByLabel('Password').fill('wrong');
    await publicPage.getByRole('button', { name: 'Download' }).click();
    await expect(publicPage.getByRole('alert')).toContainText('share_password_required');
    await screenshot(publicPage, '08-share-page-wrong-password');

    await publicPage.getByLabel('Password').fill('open sesame');
    const [download] = await Promise.all([publicPage.waitForEvent('download'), publicPage.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('report.csv');
    expect(await downloadedText(download)).toBe(content);

    await publicPage.reload();
    await expect(publicPage.getByRole('alert')).toContainText('This link has reached its download limit.');
  } finally {
    await visitor.close();
  }

  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Share links' }).click();
  const listed = page.getByRole('list', { name: 'Share links' }).getByRole('listitem').filter({ hasText: `/${folder}/report.csv` });
  await expect(listed).toContainText('1 of 1 downloads');
  await screenshot(page, '10-share-links');
  await listed.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'revoked' })).toBeVisible();
  await expect(listed).toHaveCount(0);
  const late = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const latePage = await late.newPage();
    await latePage.goto(shareUrl.pathname);
    await expect(latePage.getByRole('alert')).toContainText(/does not exist, or it was revoked|reached its download limit/);
  } finally {
    await late.close();
  }
});

test('an unknown share link says so', async ({ browser, baseURL }) => {
  const visitor = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const page = await visitor.newPage();
    await page.goto('/s/no-such-token');
    await expect(page.getByRole('alert')).toContainText('This link does not exist, or it was revoked.');
  } finally {
    await visitor.close();
  }
});
