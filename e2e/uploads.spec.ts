/**
 * @module e2e/uploads.spec
 * Uploading a whole folder (the webkitdirectory picker) and dropping files
 * and folders on the browser: the progress of every file ends in Done, and
 * the tree appears in the listing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFolder, fileRow, openFolder, screenshot, test, expect, uniqueName, waitForUploads } from './support.js';

test('uploads a folder with its sub-folders, showing per-file progress', async ({ page }) => {
  const local = mkdtempSync(join(tmpdir(), 'ferry-e2e-upload-'));
  const picked = join(local, 'holiday');
  mkdirSync(join(picked, 'day-2'), { recursive: true });
  writeFileSync(join(picked, 'notes.txt'), 'sunny\n');
  writeFileSync(join(picked, 'day-2', 'beach.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  const target = uniqueName('Uploads');
  try {
    await openFolder(page, '/');
    await createFolder(page, target);
    await openFolder(page, `/${target}`);

    await page.getByLabel('Upload folder').setInputFiles(picked);
    const uploads = page.getByRole('region', { name: 'Uploads' });
    await expect(uploads.getByRole('progressbar', { name: 'Upload of holiday/day-2/beach.bin' })).toBeVisible();
    await waitForUploads(page);
    await expect(uploads.getByRole('status')).toHaveText('2 uploaded');
    await expect(uploads.getByTestId('upload-item').filter({ hasText: 'holiday/notes.txt' })).toContainText('Done');
    await expect(uploads.getByTestId('upload-item').filter({ hasText: 'holiday/day-2/beach.bin' })).toContainText('Done');
    await screenshot(page, '03-folder-upload-done');

    await page.getByRole('link', { name: 'holiday', exact: true }).click();
    await expect(fileRow(page, 'notes.txt')).toContainText('6 B');
    await page.getByRole('link', { name: 'day-2', exact: true }).click();
    await expect(fileRow(page, 'beach.bin')).toContainText('3.0 MB');
    await expect(page).toHaveURL(new RegExp(`/files/${target}/holiday/day-2$`));
    await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link')).toHaveText(['Acme', target, 'holiday']);
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
});

test('uploads files dropped on the browser', async ({ page }) => {
  const target = uniqueName('Dropped');
  await openFolder(page, '/');
  await createFolder(page, target);
  await openFolder(page, `/${target}`);
  await expect(page.getByText('This folder is empty')).toBeVisible();

  const dataTransfer = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['first dropped file'], 'dropped-one.txt', { type: 'text/plain' }));
    transfer.items.add(new File(['second'], 'dropped-two.txt', { type: 'text/plain' }));
    return transfer;
  });
  const dropZone = page.getByTestId('drop-zone');
  await dropZone.dispatchEvent('dragover', { dataTransfer });
  await dropZone.dispatchEvent('drop', { dataTransfer });

  await waitForUploads(page);
  await expect(page.getByRole('region', { name: 'Uploads' }).getByRole('status')).toHaveText('2 uploaded');
  await expect(fileRow(page, 'dropped-one.txt')).toContainText('18 B');
  await expect(fileRow(page, 'dropped-two.txt')).toBeVisible();
});
