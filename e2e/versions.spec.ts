/**
 * @module e2e/versions.spec
 * Uploading a file again adds a version; the versions dialog lists them,
 * downloads an older one, and restores it as the current content.
 */
import { createFolder, downloadedText, fileRow, openFolder, screenshot, test, expect, uniqueName, uploadFiles } from './support.js';

test('lists, downloads and restores versions of a file', async ({ page }) => {
  const folder = uniqueName('Versions');
  await openFolder(page, '/');
  await createFolder(page, folder);
  await openFolder(page, `/${folder}`);
  await uploadFiles(page, [{ name: 'plan.txt', content: 'plan, first take' }]);
  await page.getByRole('button', { name: 'Clear finished' }).click();
  await uploadFiles(page, [{ name: 'plan.txt', content: 'plan, second take!' }]);

  await page.getByRole('button', { name: 'Versions plan.txt' }).click();
  const dialog = page.getByRole('dialog', { name: 'Versions of plan.txt' });
  const rows = dialog.getByRole('row', { name: /^Version \d$/ });
  await expect(rows).toHaveCount(2);
  await expect(dialog.getByRole('row', { name: 'Version 2' })).toContainText('current');
  await screenshot(page, '06-versions');

  const [older] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('link', { name: 'Download version 1' }).click()]);
  expect(await downloadedText(older)).toBe('plan, first take');

  await dialog.getByRole('button', { name: 'Restore version 1' }).click();
  await expect(dialog.getByRole('status')).toContainText('now the current one');
  await expect(rows).toHaveCount(3);
  await expect(dialog.getByRole('row', { name: 'Version 3' })).toContainText('current');
  await dialog.getByRole('button', { name: 'Close' }).click();

  const [current] = await Promise.all([page.waitForEvent('download'), fileRow(page, 'plan.txt').getByRole('link', { name: 'plan.txt' }).click()]);
  expect(await downloadedText(current)).toBe('plan, first take');
});
