/**
 * @module e2e/first-run.setup
 * A new server: the console asks for the first-run set-up, creates the owner,
 * signs out, rejects a wrong password, signs in again, and keeps the session
 * for the other tests.
 */
import { owner, ownerStatePath, screenshot, test, expect } from './support.js';

test('first-run set-up, sign out, and sign in again', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Set up Ferry' })).toBeVisible();
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByLabel('Workspace name').fill(owner.workspace);
  await screenshot(page, '01-first-run-setup');
  await page.getByRole('button', { name: 'Create account' }).click();

  const sections = page.getByRole('navigation', { name: 'Sections' });
  await expect(sections).toBeVisible();
  await expect(page).toHaveURL(/\/files$/);
  await expect(page.getByText('This folder is empty')).toBeVisible();
  await expect(page.getByText(owner.workspace).first()).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('invalid_credentials');
  await screenshot(page, '02-sign-in-error');

  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(sections).toBeVisible();
  await page.context().storageState({ path: ownerStatePath });
});
