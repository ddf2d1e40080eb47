/**
 * @module webhooks/signing.test
 * Ferry's signatures match the Standard Webhooks spec's published test vector
 * and verify with the spec library's own `Webhook.verify`, one secret or two;
 * the native HMAC gives byte for byte the library's own `Webhook.sign`.
 */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newSigningSecret, signatureHeader, webhookTimestamp } from './signing.js';

describe('Standard Webhooks signing', () => {
  it('reproduces the spec test vector', () => {
    // Values of the test vector published with the spec's reference libraries.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const header = signatureHeader([secret], 'msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}');
    expect(header).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs exactly as the standardwebhooks library does (native HMAC, any body)', () => {
    const at = new Date(1_700_000_000_000);
    const bodies = ['', '{}', JSON.stringify({ type: 'file.created', data: { name: 'Résumé – ünïcode ✓ 📁', size: 12 } }), 'x'.repeat(100_000)];
    for (const body of bodies) {
      const secret = newSigningSecret();
      expect(signatureHeader([secret], 'msg_same', at, body)).toBe(new Webhook(secret).sign('msg_same', at, body));
    }
    // A secret given without its whsec_ prefix is the same key.
    const secret = newSigningSecret();
    expect(signatureHeader([secret.slice('whsec_'.length)], 'msg_2', at, '{}')).toBe(signatureHeader([secret], 'msg_2', at, '{}'));
  });

  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });

  it('signs with several secrets (rotation overlap); each verifies on its own', () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const now = new Date();
    const body = JSON.stringify({ type: 'file.created', timestamp: now.toISOString(), data: { id: 'x' } });
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': webhookTimestamp(now), 'webhook-signature': signatureHeader([current, previous], 'msg_1', now, body) };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toMatchObject({ type: 'file.created' });
    expect(new Webhook(previous).verify(body, headers)).toMatchObject({ type: 'file.created' });
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
  });
});
