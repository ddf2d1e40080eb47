/** @module sync.conflicts.test — the conflict stories between two local folders (testing/stories/conflicts), and the copy's name format. */
import { describe, expect, it } from 'vitest';
import { conflictTimestamp } from './conflict-policy.js';
import { conflictStories } from './testing/stories/index.js';

conflictStories({ a: 'local', b: 'local' });

describe('conflicted copy names', () => {
  it('formats conflict timestamps as YYYY-MM-DD HHMMSS (UTC)', () => {
    expect(conflictTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 030405');
  });
});
