/**
 * @module durations
 * Reading "30m", "12h", "7d", "2w" or an ISO date into an expiry time.
 */
import { UsageError } from './exit-codes.js';

const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The moment `text` from `now`: a duration such as "7d", or an absolute date. */
export function parseExpiry(text: string, now: Date = new Date()): Date {
  const match = /^(\d+)\s*([smhdw])$/i.exec(text.trim());
  if (match?.[1] !== undefined && match[2] !== undefined) {
    const amount = Number(match[1]);
    const unit = unitMs[match[2].toLowerCase()] ?? 0;
    if (amount > 0) return new Date(now.getTime() + amount * unit);
  }
  const absolute = new Date(text);
  if (!Number.isNaN(absolute.getTime()) && /^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    if (absolute.getTime() <= now.getTime()) throw new UsageError(`The expiry ${text} is in the past.`);
    return absolute;
  }
  throw new UsageError(`"${text}" is not an expiry: use e.g. 30m, 12h, 7d, 2w or a date such as 2030-01-31.`);
}
