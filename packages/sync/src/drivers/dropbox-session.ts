/**
 * @module drivers/dropbox-session
 * The Dropbox driver's connection: the SDK (loaded on first use) with a
 * `DropboxAuth` the driver feeds with access tokens itself — from a refresh
 * token at the OAuth token endpoint, a caller's token provider, or a fixed
 * token — and `call()`, which runs one SDK call under the retry policy
 * (an expired token is refreshed once, then the call is tried again).
 */
import { FerryError } from '@ferry/core/errors';
import type { Dropbox, DropboxAuth } from 'dropbox';
import { classifyDropboxFailure, describeDropboxFailure, type DropboxFetch, providerName, sdkFetch } from './dropbox-api.js';
import { type RetryContext, type RetryPolicy, withProviderRetry } from './provider-retry.js';
import { type AccessTokenProvider, refreshTokenProvider } from './provider-tokens.js';

export type DropboxAuthOptions =
  | { readonly kind: 'access-token'; readonly accessToken: string }
  /** Refreshed at `tokenUrl` (default Dropbox's). */
  | { readonly kind: 'refresh-token'; readonly refreshToken: string; readonly clientId: string; readonly clientSecret?: string; readonly accessToken?: string; readonly tokenUrl?: string }
  | { readonly kind: 'token-provider'; readonly getAccessToken: AccessTokenProvider };

export interface DropboxHost {
  /** The SDK's `domain` / `domainDelimiter` (emulators). */
  readonly domain?: string;
  readonly domainDelimiter?: string;
  /** The fetch the SDK sends with (default the global one). */
  readonly fetch?: DropboxFetch;
}

interface Connection {
  readonly client: Dropbox;
  readonly auth: DropboxAuth;
}

export class DropboxSession {
  private connection: Promise<Connection> | undefined;
  private readonly tokens: AccessTokenProvider;
  private readonly retryContext: RetryContext;

  constructor(
    auth: DropboxAuthOptions,
    private readonly host: DropboxHost,
    readonly policy: RetryPolicy,
  ) {
    this.tokens = tokenProvider(auth, host.fetch);
    this.retryContext = {
      provider: providerName,
      policy,
      classify: classifyDropboxFailure,
      refreshAuth: async () => (await this.connect()).auth.setAccessToken(await this.tokens({ forceRefresh: true })),
    };
  }

  /** A client whose requests must answer within `timeoutMs` (default: the policy's). */
  private async newClient(timeoutMs: number): Promise<Connection> {
    const { Dropbox: Client, DropboxAuth: Auth } = await import('dropbox');
    const base = this.host.fetch ?? ((url, init) => globalThis.fetch(url, init));
    const fetch = sdkFetch(base, () => timeoutMs);
    const host = { ...(this.host.domain !== undefined ? { domain: this.host.domain } : {}), ...(this.host.domainDelimiter !== undefined ? { domainDelimiter: this.host.domainDelimiter } : {}) };
    // The SDK reads an empty domainDelimiter from the auth object only (`'' || auth.domainDelimiter`).
    const auth = new Auth({ fetch, ...host });
    return { auth, client: new Client({ auth, fetch, ...host }) };
  }

  private connect(): Promise<Connection> {
    this.connection ??= this.newClient(this.policy.requestTimeoutMs);
    return this.connection;
  }

  /** One SDK call under the retry policy, signed with a current token; failures it gives up on are thrown as they came. */
  async callRaw<T>(label: string, operation: (client: Dropbox, attempt: number) => Promise<T>, timeoutMs?: number): Promise<T> {
    const connection = timeoutMs === undefined ? await this.connect() : await this.newClient(timeoutMs);
    return withProviderRetry(this.retryContext, label, async (attempt) => {
      connection.auth.setAccessToken(await this.tokens({ forceRefresh: false }));
      return operation(connection.client, attempt);
    });
  }

  /** `callRaw`, with what is left mapped to a FerryError. */
  async call<T>(label: string, operation: (client: Dropbox, attempt: number) => Promise<T>, timeoutMs?: number): Promise<T> {
    try {
      return await this.callRaw(label, operation, timeoutMs);
    } catch (error) {
      throw describeDropboxFailure(error, label);
    }
  }
}

function tokenProvider(auth: DropboxAuthOptions, fetchImpl: DropboxFetch | undefined): AccessTokenProvider {
  if (auth.kind === 'token-provider') return auth.getAccessToken;
  if (auth.kind === 'refresh-token') {
    const grant = { ...auth, tokenUrl: auth.tokenUrl ?? 'https://api.dropboxapi.com/oauth2/token' };
    return refreshTokenProvider(grant, providerName, fetchImpl === undefined ? fetch : (url, init) => fetchImpl(String(url), init));
  }
  return async ({ forceRefresh }) => {
    if (forceRefresh) throw new FerryError('unauthenticated', `${providerName} refused the access token and there is no refresh token: reconnect the account.`);
    return auth.accessToken;
  };
}
