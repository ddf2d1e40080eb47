/**
 * @module outbound/ssrf-guard.test
 * The SSRF guard refuses every non-public address form a URL, a resolver or
 * an attacker's DNS can produce, and lets public addresses and the
 * allow-list through.
 */
import { describe, expect, it } from 'vitest';
import { blockedReason, formatAddress, parseAddress, parseIPv4Loose } from './ip-address.js';
import { SsrfGuard, type Resolver } from './ssrf-guard.js';

const refusedUrls = [
  'http://127.0.0.1/',
  'http://127.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7f.1/',
  'http://0x7f000001/',
  'http://017700000001/',
  'http://127.000.000.001/',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://172.31.255.255/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.1.1/',
  'http://0.0.0.0/',
  'http://0/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://240.0.0.1/',
  'http://192.0.2.1/',
  'http://198.51.100.7/',
  'http://203.0.113.9/',
  'http://198.18.0.1/',
  'http://192.0.0.8/',
  'http://[::1]/',
  'http://[::]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[::127.0.0.1]/',
  'http://[64:ff9b::7f00:1]/',
  'http://[64:ff9b::10.0.0.1]/',
  'http://[2002:7f00:1::]/',
  'http://[2002:a9fe:a9fe::1]/',
  'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
  'http://[fd00:ec2::254]/',
  'http://[fc00::1]/',
  'http://[fe80::1]/',
  'http://[fec0::1]/',
  'http://[ff02::1]/',
  'http://[2001:db8::1]/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://metadata/',
  'http://localhost:8080/',
  'http://api.localhost/',
  'http://LOCALHOST./',
  'ftp://example.com/file',
  'file:///etc/passwd',
  'gopher://example.com/',
  'http://user:secret@example.com/',
  'not a url',
];

describe('SSRF guard: URL forms', () => {
  const guard = new SsrfGuard();

  it.each(refusedUrls)('refuses %s with a clear url_not_allowed error', (url) => {
    expect(() => guard.checkUrl(url)).toThrow(/Outbound request refused|not a valid URL/);
    try {
      guard.checkUrl(url);
    } catch (error) {
      expect(error).toMatchObject({ code: 'url_not_allowed', status: 400 });
    }
  });

  it.each(['https://example.com/hook', 'http://93.184.216.34/x', 'http://[2606:4700:4700::1111]/', 'http://[::ffff:8.8.8.8]/', 'http://[2002:808:808::1]/'])(
    'lets the public address %s through',
    (url) => {
      expect(guard.checkUrl(url).href).toBe(new URL(url).href);
    },
  );
});

describe('SSRF guard: address parsing like a resolver', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0x7f.0.0.0x1', '127.0.0.1'],
    ['10.1', '10.0.0.1'],
    ['192.168.257', '192.168.1.1'],
    ['0xa9fea9fe', '169.254.169.254'],
  ])('reads %s as %s', (text, dotted) => {
    const bytes = parseIPv4Loose(text);
    expect(bytes && [...bytes].join('.')).toBe(dotted);
  });

  it('rejects forms no resolver accepts', () => {
    for (const text of ['256.0.0.1', '08.0.0.1', '1.2.3.4.5', 'example', '1..2', '4294967296']) {
      expect(parseIPv4Loose(text)).toBeNull();
    }
  });

  it('judges IPv4 hidden in IPv6 as the IPv4 address', () => {
    const reason = (text: string) => {
      const parsed = parseAddress(text);
      if (parsed === null) throw new Error(`unparsed ${text}`);
      return blockedReason(parsed);
    };
    expect(reason('::ffff:169.254.169.254')).toMatch(/IPv4-mapped.*cloud metadata/);
    expect(reason('64:ff9b::c0a8:101')).toMatch(/NAT64.*private/);
    expect(reason('2002:0a00:0001::')).toMatch(/6to4.*private/);
    expect(reason('2002:0808:0808::')).toBeNull();
    expect(formatAddress(parseAddress('::ffff:7f00:1') ?? { family: 4, bytes: new Uint8Array(4) })).toBe('0:0:0:0:0:ffff:7f00:1');
  });
});

describe('SSRF guard: DNS answers', () => {
  const answers: Record<string, { address: string; family: number }[]> = {
    'evil.test': [{ address: '127.0.0.1', family: 4 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ],
    'v6-loopback.test': [{ address: '::1', family: 6 }],
    'mapped-metadata.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
    'ula.test': [{ address: 'fd12:3456::1', family: 6 }],
    'public.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ],
  };
  const resolver: Resolver = async (host) => {
    const found = answers[host];
    if (found === undefined) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    return found;
  };
  const guard = new SsrfGuard({ resolver });

  it.each(['evil.test', 'mixed.test', 'v6-loopback.test', 'mapped-metadata.test', 'ula.test'])('refuses %s, which resolves to a private address', async (host) => {
    await expect(guard.resolve(host)).rejects.toMatchObject({ code: 'url_not_allowed', message: expect.stringContaining(`${host} resolves to`) });
  });

  it('accepts a name whose every answer is public, and reports unresolvable names', async () => {
    await expect(guard.resolve('public.test')).resolves.toHaveLength(2);
    await expect(guard.resolve('nowhere.test')).rejects.toMatchObject({ code: 'url_not_allowed', message: expect.stringContaining('Could not resolve') });
  });

  it('gives the socket connector only checked answers (dns.lookup shape, one or all)', async () => {
    const one = await new Promise<unknown[]>((resolve) => guard.lookup('public.test', {}, (...args) => resolve(args)));
    expect(one).toEqual([null, '93.184.216.34', 4]);
    const all = await new Promise<unknown[]>((resolve) => guard.lookup('public.test', { all: true }, (...args) => resolve(args)));
    expect(all[1]).toHaveLength(2);
    const refused = await new Promise<unknown[]>((resolve) => guard.lookup('evil.test', { all: true }, (...args) => resolve(args)));
    expect(refused[0]).toMatchObject({ code: 'url_not_allowed' });
  });

  it('lets allow-listed addresses and blocks through, and only those', async () => {
    const allowing = new SsrfGuard({ resolver, allowList: ['127.0.0.1', 'fd12:3456::/32'] });
    expect(allowing.checkUrl('http://127.0.0.1:9999/hook').port).toBe('9999');
    await expect(allowing.resolve('evil.test')).resolves.toHaveLength(1);
    await expect(allowing.resolve('ula.test')).resolves.toHaveLength(1);
    expect(() => allowing.checkUrl('http://127.0.0.2/')).toThrow(/loopback/);
    expect(() => allowing.checkUrl('http://[::1]/')).toThrow(/loopback/);
    expect(() => new SsrfGuard({ allowList: ['not-an-ip'] })).toThrow(/outboundAllowList/);
  });
});
