/**
 * @module outbound/ssrf-guard
 * Decides whether Ferry may call a URL on a user's behalf. Only http(s), no
 * credentials in the URL, no metadata or localhost names; the host is resolved
 * (every A/AAAA answer) and refused if ANY answer is not public unicast,
 * unless it is in the explicit allow-list (`outboundAllowList`, CIDRs).
 * `guardedLookup` is the same check in the shape of `dns.lookup`, handed to
 * the HTTP client's connector, so the address connected to is the address
 * checked (DNS rebinding cannot swap it in between).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { FerryError } from '@ferry/core';
import { blockedReason, cidrContains, formatAddress, parseAddress, parseCidr, type Cidr, type ParsedAddress } from './ip-address.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address (the default uses the system resolver, like connect would). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Host names that lead to cloud metadata services or to this machine, whatever DNS says. */
const blockedNames = new Set([
  'localhost',
  'localhost.localdomain',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

export class SsrfGuard {
  readonly #allow: Cidr[];
  readonly #resolve: Resolver;

  constructor(options: { allowList?: readonly string[]; resolver?: Resolver } = {}) {
    this.#allow = (options.allowList ?? []).map((entry) => {
      const cidr = parseCidr(entry);
      if (cidr === null) throw new Error(`outboundAllowList: "${entry}" is not an IP address or CIDR block`);
      return cidr;
    });
    this.#resolve = options.resolver ?? systemResolver;
  }

  /** Checks the URL's form (no DNS): scheme, credentials, a blocked name or literal address. */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refuse(`"${truncate(raw)}" is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`Only http and https URLs may be called, not ${url.protocol}`);
    if (url.username !== '' || url.password !== '') throw refuse('URLs may not carry credentials (user:password@); use the signing secret instead.');
    const host = normaliseHost(url.hostname);
    if (host === '') throw refuse('The URL has no host.');
    const literal = parseAddress(host);
    if (literal !== null) this.checkAddress(literal, host);
    else this.#checkName(host);
    return url;
  }

  /** Refuses an address that is not public unicast and not allow-listed. */
  checkAddress(address: ParsedAddress, shownAs: string = formatAddress(address)): void {
    if (this.#allow.some((cidr) => cidrContains(cidr, address))) return;
    const reason = blockedReason(address);
    if (reason !== null) throw refuse(`${shownAs} is a ${reason} address; Ferry calls only public addresses.`);
  }

  /** Resolves the host (all answers) and returns them once every one has passed. */
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const host = normaliseHost(hostname);
    const literal = parseAddress(host);
    if (literal !== null) {
      this.checkAddress(literal, host);
      return [{ address: formatAddress(literal), family: literal.family }];
    }
    this.#checkName(host);
    let answers: ResolvedAddress[];
    try {
      answers = await this.#resolve(host);
    } catch (error) {
      throw new FerryError('url_not_allowed', `Could not resolve ${host}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (answers.length === 0) throw new FerryError('url_not_allowed', `${host} has no addresses.`);
    for (const answer of answers) {
      const parsed = parseAddress(answer.address);
      if (parsed === null) throw refuse(`${host} resolved to an unreadable address "${answer.address}".`);
      try {
        this.checkAddress(parsed, answer.address);
      } catch (error) {
        throw refuse(`${host} resolves to ${answer.address}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return answers;
  }

  /** The check in the shape of `dns.lookup`, for a socket connector (`all: true` or a single answer). */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean; family?: number | string } | number | null | undefined,
    callback: (error: Error | null, address: string | ResolvedAddress[], family?: number) => void,
  ): void => {
    this.resolve(hostname).then(
      (answers) => {
        const all = typeof options === 'object' && options !== null && options.all === true;
        if (all) {
          callback(null, answers);
          return;
        }
        const first = answers[0];
        if (first === undefined) callback(refuse(`${hostname} has no addresses.`), '', 0);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), '', 0),
    );
  };

  #checkName(host: string): void {
    if (blockedNames.has(host) || host.endsWith('.localhost')) throw refuse(`${host} names a local or metadata service.`);
  }
}

function normaliseHost(hostname: string): string {
  const host = hostname.toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

export function refuse(message: string): FerryError {
  return new FerryError('url_not_allowed', `Outbound request refused: ${message}`);
}

/** The SSRF refusal behind an error (it may be the cause of a connect error), or null. */
export function findRefusal(error: unknown): FerryError | null {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof FerryError && current.code === 'url_not_allowed') return current;
  }
  return null;
}
