/**
 * @module webhooks/signing
 * Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * keyed with the base64-decoded part of the `whsec_` secret, one per secret,
 * space-separated (two during a secret rotation's overlap). Computed with
 * `node:crypto` (native HMAC); `signing.test.ts` holds it to the spec's test
 * vector and to the `standardwebhooks` package's own verify. Secrets are
 * `whsec_` + base64 of 32 random bytes.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const secretPrefix = 'whsec_';

export function newSigningSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`;
}

const keys = new Map<string, KeyObject>();

/** The HMAC key of a secret: the bytes of its base64 part (the `whsec_` prefix is optional, as in the spec's libraries). */
function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
    key = createSecretKey(Buffer.from(encoded, 'base64'));
    // A small cache: enough for the endpoints being delivered to right now.
    if (keys.size >= 1000) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/** The `webhook-timestamp` value: whole seconds since the epoch. */
export function webhookTimestamp(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

/** One `v1,<base64>` signature of the message `id.timestamp.body`. */
export function signOnce(secret: string, messageId: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', keyFor(secret)).update(`${messageId}.${timestamp}.`).update(body).digest('base64')}`;
}

/** The `webhook-signature` value: a signature by each secret, newest first. */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return signatureHeaderAt(secrets, messageId, webhookTimestamp(at), body);
}

/** The same, for a `webhook-timestamp` value already made. */
export function signatureHeaderAt(secrets: readonly string[], messageId: string, timestamp: string, body: string): string {
  const [newest, ...older] = secrets;
  if (newest === undefined) return '';
  const first = signOnce(newest, messageId, timestamp, body);
  return older.length === 0 ? first : [first, ...older.map((secret) => signOnce(secret, messageId, timestamp, body))].join(' ');
}
