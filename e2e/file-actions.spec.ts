/**
 * @module e2e/file-actions.spec
 * Rename, move into another folder (picked in the move dialog), delete to
 * the trash and restore from it; a refused rename shows the API's message.
 */
import { createFolder, fileRow, openFolder, screenshot, test, expect, uniqueName, uploadFiles } from './support.js';

test('renames, moves, deletes and restores a file', async ({ page }) => {
  const work = uniqueName('Work');
  await openFolder(page, '/');
  await createFolder(page, work);
  await openFolder(page, `/${work}`);
  await createFolder(page, 'Archive');
  await uploadFiles(page, [
    { name: 'draft.txt', content: 'first draft' },
    { name: 'other.txt', content: 'x' },
  ]);
  await screenshot(page, '04-file-browser');

  // A name that is taken: the API's refusal is shown, nothing changes.
  await page.getByRole('button', { name: 'Rename draft.txt' }).click();
  let dialog = page.getByRole('dialog', { name: 'Rename draft.txt' });
  await dialog.getByLabel('New name').fill('other.txt');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog.getByRole('alert')).toContainText('name_conflict');
  await dialog.getByLabel('New name').fill('final.txt');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Renamed' })).toContainText('final.txt');
  await expect(fileRow(page, 'final.txt')).toBeVisible();
  await expect(fileRow(page, 'draft.txt')).toHaveCount(0);

  await page.getByRole('button', { name: 'Move final.txt' }).click();
  dialog = page.getByRole('dialog', { name: 'Move final.txt' });
  await dialog.getByRole('button', { name: work }).click();
  await dialog.getByRole('button', { name: 'Archive' }).click();
  await expect(dialog.getByRole('navigation', { name: 'Target folder path' })).toContainText('Archive');
  await dialog.getByRole('button', { name: 'Move here' }).click();
  await expect(dialog).toBeHidden();
  await expect(fileRow(page, 'final.txt')).toHaveCount(0);

  await page.getByRole('link', { name: 'Archive', exact: true }).click();
  await expect(fileRow(page, 'final.txt')).toBeVisible();

  await page.getByRole('button', { name: 'Delete final.txt' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'trash' })).toContainText('Moved “final.txt” to the trash.');
  await expect(fileRow(page, 'final.txt')).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Trash' }).click();
  const deleted = page.getByRole('table', { name: 'Deleted items' }).getByRole('row').filter({ hasText: 'final.txt' });
  await expect(deleted).toContainText(`/${work}/Archive`);
  await screenshot(page, '05-trash');
  await deleted.getByRole('button', { name: 'Restore final.txt' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toContainText('final.txt');
  await expect(deleted).toHaveCount(0);

  await openFolder(page, `/${work}/Archive`);
  await expect(fileRow(page, 'final.txt')).toBeVisible();
});
