/**
 * @module outbound/ip-address
 * Parses IP addresses the way resolvers do and says whether one is a public
 * unicast address Ferry may call. IPv4 accepts the inet_aton forms a URL or
 * getaddrinfo would accept (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`);
 * IPv6 is parsed into 16 bytes, so an IPv4 address hidden inside one
 * (mapped, compatible, NAT64, 6to4) is judged as that IPv4 address.
 */

export interface ParsedAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

/** An IPv4 address in any inet_aton form: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x). */
export function parseIPv4Loose(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 64) return null;
  const parts = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return null;
    if (!Number.isFinite(value)) return null;
    values.push(value);
  }
  const last = values.pop() ?? 0;
  if (values.some((value) => value > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let number = last;
  values.forEach((value, index) => {
    number += value * 256 ** (3 - index);
  });
  return Uint8Array.of((number >>> 24) & 255, (number >>> 16) & 255, (number >>> 8) & 255, number & 255);
}

/** An IPv6 address (brackets and a zone id are stripped), with an optional dotted IPv4 tail. */
export function parseIPv6(input: string): Uint8Array | null {
  let text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(':') || text.length > 64) return null;
  let tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  const lastPart = text.slice(lastColon + 1);
  if (lastPart.includes('.')) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(lastPart)) return null;
    const octets = lastPart.split('.').map(Number);
    if (octets.some((octet) => octet > 255)) return null;
    tail = Uint8Array.from(octets);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string | undefined): number[] | null => {
    if (half === undefined || half === '') return [];
    const groups: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || rest === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 255;
  });
  if (tail !== null) bytes.set(tail, 12);
  return bytes;
}

export function parseAddress(text: string): ParsedAddress | null {
  const v6 = parseIPv6(text);
  if (v6 !== null) return { family: 6, bytes: v6 };
  const v4 = parseIPv4Loose(text);
  if (v4 !== null) return { family: 4, bytes: v4 };
  return null;
}

export function formatAddress(address: ParsedAddress): string {
  if (address.family === 4) return [...address.bytes].join('.');
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) groups.push((((address.bytes[index] ?? 0) << 8) | (address.bytes[index + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** A CIDR block such as `10.0.0.0/8` or `fc00::/7` (a bare address is a /32 or /128). */
export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

export function parseCidr(text: string): Cidr | null {
  const [addressText, prefixText] = text.split('/');
  if (addressText === undefined) return null;
  const address = parseAddress(addressText.trim());
  if (address === null) return null;
  const max = address.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { ...address, prefix };
}

export function cidrContains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false;
  let bits = cidr.prefix;
  for (let index = 0; bits > 0; index += 1, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.bytes[index] ?? 0) & mask) !== ((address.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

function block(text: string, reason: string): { cidr: Cidr; reason: string } {
  const cidr = parseCidr(text);
  if (cidr === null) throw new Error(`bad built-in CIDR ${text}`);
  return { cidr, reason };
}

/** IPv4 ranges that are not public unicast (RFC 6890 and friends). */
const blockedV4 = [
  block('0.0.0.0/8', 'unspecified ("this network")'),
  block('10.0.0.0/8', 'private'),
  block('100.64.0.0/10', 'carrier-grade NAT'),
  block('127.0.0.0/8', 'loopback'),
  block('169.254.169.254/32', 'cloud metadata'),
  block('169.254.0.0/16', 'link-local'),
  block('172.16.0.0/12', 'private'),
  block('192.0.0.0/24', 'IETF protocol assignments'),
  block('192.0.2.0/24', 'documentation'),
  block('192.31.196.0/24', 'AS112'),
  block('192.52.193.0/24', 'AMT'),
  block('192.88.99.0/24', '6to4 relay anycast'),
  block('192.168.0.0/16', 'private'),
  block('192.175.48.0/24', 'AS112'),
  block('198.18.0.0/15', 'benchmarking'),
  block('198.51.100.0/24', 'documentation'),
  block('203.0.113.0/24', 'documentation'),
  block('224.0.0.0/4', 'multicast'),
  block('255.255.255.255/32', 'broadcast'),
  block('240.0.0.0/4', 'reserved'),
];

/** IPv6 ranges inside 2000::/3 (global unicast) that are still not public. */
const blockedV6InGlobal = [
  block('2001::/32', 'Teredo'),
  block('2001:2::/48', 'benchmarking'),
  block('2001:10::/28', 'ORCHID'),
  block('2001:20::/28', 'ORCHIDv2'),
  block('2001:db8::/32', 'documentation'),
  block('3fff::/20', 'documentation'),
];

const globalUnicastV6 = block('2000::/3', '').cidr;
const mappedV6 = block('::ffff:0:0/96', '').cidr;
const compatibleV6 = block('::/96', '').cidr;
const nat64 = block('64:ff9b::/96', '').cidr;
const sixToFour = block('2002::/16', '').cidr;

const namedV6 = [
  block('::/128', 'unspecified'),
  block('::1/128', 'loopback'),
  block('fd00:ec2::254/128', 'cloud metadata'),
  block('fc00::/7', 'unique local'),
  block('fe80::/10', 'link-local'),
  block('fec0::/10', 'site-local'),
  block('ff00::/8', 'multicast'),
  block('64:ff9b:1::/48', 'local-use NAT64'),
  block('100::/64', 'discard-only'),
];

/** Why an address may not be called, or null when it is public unicast. */
export function blockedReason(address: ParsedAddress): string | null {
  if (address.family === 4) {
    return blockedV4.find((entry) => cidrContains(entry.cidr, address))?.reason ?? null;
  }
  const embedded = (offset: number, what: string): string | null => {
    const inner = blockedReason({ family: 4, bytes: address.bytes.slice(offset, offset + 4) });
    return inner === null ? null : `${what} of a ${inner} IPv4 address`;
  };
  if (cidrContains(mappedV6, address)) return embedded(12, 'IPv4-mapped form');
  if (cidrContains(nat64, address)) return embedded(12, 'NAT64 form');
  if (cidrContains(sixToFour, address)) return embedded(2, '6to4 form') ?? null;
  const named = namedV6.find((entry) => cidrContains(entry.cidr, address));
  if (named) return named.reason;
  if (cidrContains(compatibleV6, address)) return 'IPv4-compatible (deprecated) form';
  if (!cidrContains(globalUnicastV6, address)) return 'reserved (not global unicast)';
  return blockedV6InGlobal.find((entry) => cidrContains(entry.cidr, address))?.reason ?? null;
}
