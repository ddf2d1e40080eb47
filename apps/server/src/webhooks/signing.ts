/**
 * @module webhooks/signing
 * Standard Webhooks signatures through the spec's own library: `v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated (two
 * during a secret rotation's overlap). Secrets are `whsec_` + base64 of 32
 * random bytes.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const signers = new Map<string, Webhook>();

function signerFor(secret: string): Webhook {
  let signer = signers.get(secret);
  if (signer === undefined) {
    signer = new Webhook(secret);
    // A small cache: enough for the endpoints being delivered to right now.
    if (signers.size >= 1000) signers.clear();
    signers.set(secret, signer);
  }
  return signer;
}

/** The `webhook-timestamp` value: whole seconds since the epoch. */
export function webhookTimestamp(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

/** The `webhook-signature` value: a signature by each secret, newest first. */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((secret) => signerFor(secret).sign(messageId, at, body)).join(' ');
}
