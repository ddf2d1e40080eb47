/**
 * @module sync.model.test — seeded random stories on both sides; the invariants must hold for all.
 * 500 seeds on /dev/shm (fast), and 100 more on the OS temp dir, whose file system
 * (ext4 here) hands a deleted file's inode to the next new file at once.
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runModelSeeds } from './testing/model.js';

describe('randomized model', () => {
  it('holds every invariant for 500 seeds', { timeout: 180_000 }, async () => {
    const failures = await runModelSeeds(500, 1);
    expect(failures.slice(0, 3).map((failure) => failure.error)).toEqual([]);
  });

  it('holds every invariant for 100 seeds on a file system that reuses inodes', { timeout: 120_000 }, async () => {
    const failures = await runModelSeeds(100, 20_001, { tempRoot: tmpdir() });
    expect(failures.slice(0, 3).map((failure) => failure.error)).toEqual([]);
  });
});
