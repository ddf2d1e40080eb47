/**
 * @module api/sign-in-next.test
 * After sign-in the console continues only to this server's OAuth authorize
 * page; other targets (other hosts, scheme tricks, other paths) are refused.
 */
import { describe, expect, it } from 'vitest';
import { signInNextTarget } from './sign-in-next.js';

const origin = 'http://ferry.test:8080';
const nextOf = (value: string) => `?${new URLSearchParams({ next: value }).toString()}`;

describe('sign-in next target', () => {
  it('continues to the authorize endpoint with its query intact', () => {
    const authorize = '/oauth/authorize?response_type=code&client_id=c1&state=a%20b&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb';
    expect(signInNextTarget(nextOf(authorize), origin)).toBe(authorize);
    expect(signInNextTarget(nextOf('/oauth/authorize'), origin)).toBe('/oauth/authorize');
  });

  it('refuses other origins and protocol-relative or scheme targets', () => {
    for (const next of [
      'https://evil.test/oauth/authorize',
      '//evil.test/oauth/authorize',
      '/\\evil.test/oauth/authorize',
      '\\\\evil.test/oauth/authorize',
      'javascript:alert(1)//oauth/authorize',
      'http://ferry.test:8080/oauth/authorize',
    ]) {
      expect(signInNextTarget(nextOf(next), origin), next).toBeNull();
    }
  });

  it('refuses other paths on the same server, and no next at all', () => {
    for (const next of ['/files', '/oauth/authorizex', '/oauth/token', '/oauth/authorize/../../files', '/api/v1/me', '']) {
      expect(signInNextTarget(nextOf(next), origin), next).toBeNull();
    }
    expect(signInNextTarget('', origin)).toBeNull();
    expect(signInNextTarget('?other=1', origin)).toBeNull();
  });
});
