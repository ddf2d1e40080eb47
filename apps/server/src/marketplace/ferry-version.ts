/**
 * @module marketplace/ferry-version
 * The version of this Ferry server (from apps/server/package.json, found the
 * same way from `src/` and `dist/`), which manifests' compatibility ranges
 * are checked against.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

let cached: string | null = null;

export function ferryVersion(): string {
  if (cached === null) {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    cached = z.object({ version: z.string() }).parse(JSON.parse(text)).version;
  }
  return cached;
}
