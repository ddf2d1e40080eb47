/**
 * @module ignore-rules
 * `.ferryignore` at the root of either side, in gitignore syntax. The rules
 * of both sides are combined and applied to both listings and to the base,
 * so an ignored path is never copied, never deleted, and never mistaken for
 * a deletion on the side that ignores it.
 */
import { createRequire } from 'node:module';
import type ignore from 'ignore';
import type { Ignore } from 'ignore';
import type { EntryKind, SyncDriver } from './driver.js';

/** `ignore` loads only when some side has rules (its load is ≈ 20 ms of every run's start otherwise). */
const loadIgnore = (): typeof ignore => (createRequire(import.meta.url)('ignore') as { default: typeof ignore }).default;

export const ignoreFileName = '.ferryignore';

export type IgnoreMatcher = (path: string, kind: EntryKind) => boolean;

async function readRules(driver: SyncDriver): Promise<string> {
  const entry = await driver.stat(ignoreFileName);
  if (entry === null || entry.kind !== 'file') return '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of await driver.read(ignoreFileName)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Builds a matcher from rules text (one gitignore pattern a line); null when there are no rules. */
export function ignoreMatcher(rules: readonly string[]): IgnoreMatcher | null {
  if (rules.every((text) => text.trim() === '')) return null; // nothing to check per path
  const matcher: Ignore = loadIgnore()();
  for (const text of rules) matcher.add(text);
  return (path, kind) => matcher.ignores(kind === 'folder' ? `${path}/` : path);
}

/** The combined `.ferryignore` rules of both sides; null when there are none. */
export async function loadIgnoreRules(drivers: readonly SyncDriver[]): Promise<IgnoreMatcher | null> {
  const texts = await Promise.all(drivers.map(readRules));
  return ignoreMatcher(texts);
}
