/**
 * @module e2e/paths
 * Where the e2e run keeps the signed-in session and the screenshots (under
 * the repository's `test-results/`).
 */
import { fileURLToPath } from 'node:url';

export const ownerStatePath = fileURLToPath(new URL('../test-results/.auth/owner.json', import.meta.url));
export const screenshotDir = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
