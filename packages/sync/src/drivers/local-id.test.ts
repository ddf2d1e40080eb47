/**
 * @module drivers/local-id.test
 * Ids and revisions of local entries are written as before the cache-free
 * number formatting: a state file written by an earlier version still finds
 * every unchanged file unchanged (same inode, size and mtime text).
 */
import { describe, expect, it } from 'vitest';
import { decimalText, localEntryId, localRevision } from './local-id.js';

const samples = [0, 1, 100, 4096, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, 1764028800123, 1764028800123.25, 1764028800123.5, 0.001, 1e-7, 123456789.987654];

describe('local ids and revisions', () => {
  it('write numbers exactly as String() does', () => {
    for (const value of samples) expect(decimalText(value)).toBe(String(value));
    for (let index = 0; index < 2_000; index++) {
      const mtime = 1.7e12 + index * 7_919.123_456_7 + index / 3;
      expect(decimalText(mtime)).toBe(String(mtime));
    }
  });

  it('keep the inode:size:mtime revision and the inode.birth id of earlier versions', () => {
    expect(localRevision(123456, 100, 1764028800123.25)).toBe('123456:100:1764028800123.25');
    const mtime = 1.7e12 + 1 / 3;
    expect(localRevision(7, 0, mtime)).toBe(`7:0:${String(mtime)}`);
    expect(localEntryId(123456, 0)).toBe('123456');
    expect(localEntryId(123456, 1764028800123.25)).toBe(`123456.${Math.round(1764028800123.25 * 1000).toString(36)}`);
  });
});
