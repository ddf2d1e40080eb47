/**
 * @module e2e/activity.spec
 * The activity view is live: with the console open in two tabs, an upload in
 * one appears in the other's activity without a reload.
 */
import { createFolder, openFolder, screenshot, test, expect, uniqueName, uploadFiles } from './support.js';

test('shows new events from another tab without a reload', async ({ page, context }) => {
  const folder = uniqueName('Live');
  const watcher = await context.newPage();
  await watcher.goto('/activity');
  await expect(watcher.getByRole('heading', { name: 'Activity' })).toBeVisible();
  await expect(watcher.getByRole('status')).toHaveText('Live');
  let reloaded = false;
  watcher.on('load', () => {
    reloaded = true;
  });

  await openFolder(page, '/');
  await createFolder(page, folder);
  await openFolder(page, `/${folder}`);
  await uploadFiles(page, [{ name: 'fresh.txt', content: 'just arrived' }]);

  const events = watcher.getByRole('list', { name: 'Events' });
  await expect(events.getByRole('listitem').filter({ hasText: `/${folder}/fresh.txt` })).toContainText('File added');
  await expect(events.getByRole('listitem').filter({ hasText: `/${folder}` }).filter({ hasText: 'Folder created' })).toBeVisible();
  expect(reloaded).toBe(false);
  await screenshot(watcher, '09-activity');
});
