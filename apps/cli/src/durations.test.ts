/**
 * @module durations.test
 * Share expiries as people type them.
 */
import { describe, expect, it } from 'vitest';
import { parseExpiry } from './durations.js';
import { UsageError } from './exit-codes.js';

const now = new Date('2026-03-01T12:00:00Z');

describe('parseExpiry', () => {
  it('reads durations in minutes, hours, days and weeks', () => {
    expect(parseExpiry('30m', now).toISOString()).toBe('2026-03-01T12:30:00.000Z');
    expect(parseExpiry('12h', now).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(parseExpiry('7d', now).toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(parseExpiry('2W', now).toISOString()).toBe('2026-03-15T12:00:00.000Z');
  });

  it('reads absolute dates in the future', () => {
    expect(parseExpiry('2030-01-31', now).toISOString()).toBe('2030-01-31T00:00:00.000Z');
  });

  it('refuses what it cannot read, zero, and the past, as usage errors', () => {
    for (const text of ['soon', '0d', '7 days', '2020-01-01', '']) expect(() => parseExpiry(text, now)).toThrow(UsageError);
  });
});
