/**
 * @module e2e/session.spec
 * A session ended elsewhere (signed out in another tab): the next thing the
 * console asks the server sends the user to the sign-in page, which says why.
 */
import { owner, test, expect } from './support.js';

test('asks to sign in again when the session ends in another tab', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const first = await context.newPage();
    await first.goto('/files');
    await first.getByLabel('Email').fill(owner.email);
    await first.getByLabel('Password').fill(owner.password);
    await first.getByRole('button', { name: 'Sign in' }).click();
    await expect(first.getByRole('navigation', { name: 'Sections' })).toBeVisible();

    const second = await context.newPage();
    await second.goto('/files');
    await second.getByRole('button', { name: 'Sign out' }).click();
    await expect(second.getByRole('heading', { name: 'Sign in' })).toBeVisible();

    // The next request of the first tab finds the session gone: a click, or its own live feed
    // (which may get there first — then the link is gone and the click has nothing to do).
    const trash = first.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Trash' });
    await trash.click({ timeout: 5_000 }).catch(async (error: unknown) => {
      if (await first.getByRole('heading', { name: 'Sign in' }).isHidden()) throw error;
    });
    await expect(first.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(first.getByRole('status')).toHaveText('Your session has ended. Sign in again to go on.');
  } finally {
    await context.close();
  }
});
