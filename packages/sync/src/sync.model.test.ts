/** @module sync.model.test — 500 seeded random stories on both sides; the invariants must hold for all. */
import { describe, expect, it } from 'vitest';
import { runModelSeeds } from './testing/model.js';

describe('randomized model', () => {
  it('holds every invariant for 500 seeds', { timeout: 180_000 }, async () => {
    const failures = await runModelSeeds(500, 1);
    expect(failures.slice(0, 3).map((failure) => failure.error)).toEqual([]);
  });
});
