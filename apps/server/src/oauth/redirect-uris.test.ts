/**
 * @module oauth/redirect-uris.test
 * Redirect URI rules (RFC 6749 §3.1.2, RFC 8252 §7.3/§8.3) and PKCE S256 (RFC 7636 Appendix B).
 */
import { describe, expect, it } from 'vitest';
import { isCodeVerifier, s256Challenge, verifierMatches } from './pkce.js';
import { checkRedirectUri, redirectUriMatches } from './redirect-uris.js';
import { parseScopeParameter } from './scopes.js';

describe('redirect URIs', () => {
  it('match exactly, except the port of a loopback IP', () => {
    expect(redirectUriMatches('https://a.test/cb', 'https://a.test/cb')).toBe(true);
    expect(redirectUriMatches('https://a.test/cb', 'https://a.test/cb/')).toBe(false);
    expect(redirectUriMatches('https://a.test/cb', 'https://A.test/cb')).toBe(false);
    expect(redirectUriMatches('https://a.test/cb', 'https://a.test:443/cb')).toBe(false);
    expect(redirectUriMatches('https://a.test/cb', 'https://a.test/cb?x=1')).toBe(false);
    expect(redirectUriMatches('https://a.test:8443/cb', 'https://a.test:9443/cb')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb')).toBe(true);
    expect(redirectUriMatches('http://127.0.0.1:8000/cb', 'http://127.0.0.1:51004/cb')).toBe(true);
    expect(redirectUriMatches('http://[::1]/cb', 'http://[::1]:51004/cb')).toBe(true);
    expect(redirectUriMatches('http://127.0.0.1/cb', 'http://127.0.0.1:51004/other')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/cb', 'http://[::1]:51004/cb')).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb#x')).toBe(false);
  });

  it('may be registered only as https or loopback-IP http, without fragment or user info', () => {
    expect(checkRedirectUri('https://zapier.com/dashboard/auth/oauth/return/App1CLIAPI/').ok).toBe(true);
    expect(checkRedirectUri('http://127.0.0.1/cb').ok).toBe(true);
    expect(checkRedirectUri('http://[::1]:3000/cb').ok).toBe(true);
    expect(checkRedirectUri('http://localhost:3000/cb').ok).toBe(false);
    expect(checkRedirectUri('http://example.com/cb').ok).toBe(false);
    expect(checkRedirectUri('https://example.com/cb#x').ok).toBe(false);
    expect(checkRedirectUri('com.example.app:/cb').ok).toBe(false);
    expect(checkRedirectUri('/relative').ok).toBe(false);
  });
});

describe('PKCE S256', () => {
  it('computes the RFC 7636 Appendix B example', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(s256Challenge(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifierMatches(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true);
    expect(verifierMatches(`${verifier}x`, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(false);
  });

  it('accepts verifiers of 43–128 unreserved characters only', () => {
    expect(isCodeVerifier('a'.repeat(42))).toBe(false);
    expect(isCodeVerifier('a'.repeat(43))).toBe(true);
    expect(isCodeVerifier('a'.repeat(128))).toBe(true);
    expect(isCodeVerifier('a'.repeat(129))).toBe(false);
    expect(isCodeVerifier(`${'a'.repeat(42)}+`)).toBe(false);
  });
});

describe('scope parameter', () => {
  it('is space-delimited, order-free, and refuses unknown names', () => {
    expect(parseScopeParameter('offline_access files:read')).toEqual(['files:read', 'offline_access']);
    expect(parseScopeParameter('files:read files:read')).toEqual(['files:read']);
    expect(parseScopeParameter('files:read admin')).toBeNull();
  });
});
