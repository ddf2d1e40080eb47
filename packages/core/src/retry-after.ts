/**
 * @module retry-after
 * The `Retry-After` header (RFC 9110 §10.2.3), read the same way by the API
 * client, the sync drivers and the webhook deliveries: delay-seconds (digits)
 * or an HTTP date.
 */

/** `Retry-After` as milliseconds from `now`; undefined when absent or unreadable (a past date is 0). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
