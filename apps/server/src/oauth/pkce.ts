/**
 * @module oauth/pkce
 * Proof Key for Code Exchange (RFC 7636), S256 only: `plain` is refused
 * because it protects nothing once the authorization request is seen.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** code_verifier = 43–128 unreserved characters (RFC 7636 §4.1); a S256 challenge is 43 base64url characters. */
const verifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/;
const challengePattern = /^[A-Za-z0-9\-_]{43}$/;

export function isCodeVerifier(value: string): boolean {
  return verifierPattern.test(value);
}

export function isS256Challenge(value: string): boolean {
  return challengePattern.test(value);
}

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function verifierMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(s256Challenge(verifier));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
