/**
 * @module format.test
 * Folder names survive the trip through the address bar (spaces, unicode,
 * `#`, `%`, `?`), and sizes read as people expect.
 */
import { describe, expect, it } from 'vitest';
import { folderHref, folderPathFromHref, formatBytes } from './format.js';

describe('console folder URLs', () => {
  it('round-trips folder paths with characters that mean something in a URL', () => {
    for (const path of ['/', '/Reports 2024', '/Équipe/Été', '/a#b/c%d/e?f', '/日本語/資料']) {
      const href = folderHref(path);
      expect(href.startsWith('/files')).toBe(true);
      expect(new URL(href, 'http://ferry.test').pathname).toBe(href);
      expect(folderPathFromHref(new URL(href, 'http://ferry.test').pathname)).toBe(path);
    }
  });

  it('opens the root for /files and /files/', () => {
    expect(folderPathFromHref('/files')).toBe('/');
    expect(folderPathFromHref('/files/')).toBe('/');
  });
});

describe('formatBytes', () => {
  it('reads sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(formatBytes(250 * 1024 ** 3)).toBe('250 GB');
  });
});
