/**
 * @module jobs/ordered-id
 * Ids for rows written at a high rate (jobs, webhook deliveries and their
 * attempts): the same shape as `newId` (`prefix_` + 26 base32 characters) but
 * the first 10 characters are the creation time in milliseconds, so new rows
 * land at the end of the primary-key index instead of on a random page each
 * (a batch of inserts touches a few pages, not one per row). The other 16
 * characters are 80 random bits from a buffer refilled 4 KiB at a time. These
 * ids name things; they are not secrets.
 */
import { randomFillSync } from 'node:crypto';

/** Base32 digits in ASCII order (digits before letters), so that ids compare as text in the order they were made. */
const alphabet = '234567abcdefghijklmnopqrstuvwxyz';
const randomPool = Buffer.alloc(4096);
let poolOffset = randomPool.length;

/** The time part of the last id made (ids come in bursts within one millisecond). */
let lastTime = { ms: -1, text: '' };

function timeText(ms: number): string {
  let time = '';
  let rest = ms;
  for (let index = 0; index < 10; index += 1) {
    time = alphabet.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  return time;
}

/** `prefix_` + 10 time characters + 16 random characters; ids made later sort after earlier ones (to the millisecond). */
export function newOrderedId(prefix: string, nowMs: number = Date.now()): string {
  const ms = Math.max(0, Math.floor(nowMs));
  if (ms !== lastTime.ms) lastTime = { ms, text: timeText(ms) };
  const time = lastTime.text;
  if (poolOffset + 16 > randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  let random = '';
  for (let index = 0; index < 16; index += 1) random += alphabet.charAt((randomPool[poolOffset + index] ?? 0) & 31);
  poolOffset += 16;
  return `${prefix}_${time}${random}`;
}
