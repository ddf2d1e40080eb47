/**
 * @module oauth/token-rate-limiter.test
 * The per-client token limit: a client over its minute's budget waits for the
 * next window; other clients are not affected.
 */
import { describe, expect, it } from 'vitest';
import { TokenRateLimiter } from './token-rate-limiter.js';

describe('TokenRateLimiter', () => {
  it('allows the limit per minute per client, then answers the seconds to wait', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const limiter = new TokenRateLimiter(3, { now: () => new Date(now) });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    now += 20_000;
    expect(limiter.take('a')).toBe(40);
    expect(limiter.take('b')).toBe(0);
    now += 40_000;
    expect(limiter.take('a')).toBe(0);
  });
});
