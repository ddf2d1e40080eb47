/**
 * @module microsoft/microsoft-emulator
 * `startMicrosoftEmulator()`: the Microsoft identity platform's v2.0 OAuth
 * endpoints (`/{tenant}/oauth2/v2.0/authorize` and `/token`) and the Graph
 * calls `GET /v1.0/me` and `POST /v1.0/me/revokeSignInSessions` on one local
 * port, with fault injection and the `/__emulator/*` controls
 * (`revoke-grants` plays the user's sessions being revoked: a refresh then
 * answers `invalid_grant` AADSTS50173). Microsoft has no RFC 7009 revocation
 * endpoint; revokeSignInSessions is the nearest thing.
 */
import { randomUUID } from 'node:crypto';
import { FaultInjector } from '../http/faults.js';
import { startEmulatorServer } from '../http/emulator-server.js';
import { Router } from '../http/http-kit.js';
import type { OAuthServerOptions } from '../oauth/oauth-routes.js';
import { TokenStore, type IssuedTokens } from '../oauth/token-store.js';
import { renderMicrosoftFault, sendGraphError, type MicrosoftContext, type MicrosoftUser } from './microsoft-context.js';
import { registerMicrosoftGraphRoutes } from './microsoft-graph-routes.js';
import { registerMicrosoftOAuthRoutes } from './microsoft-oauth-routes.js';

export interface MicrosoftEmulatorOptions extends OAuthServerOptions {
  port?: number;
  host?: string;
  /** Lifetime of access tokens; default 3,600 s. */
  accessTokenTtlSeconds?: number;
  tenantId?: string;
  tenantDomain?: string;
  user?: Partial<MicrosoftUser>;
}

export interface MicrosoftEmulator {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  readonly tokens: TokenStore;
  readonly tenantId: string;
  readonly user: MicrosoftUser;
  /** Tokens as after a completed consent with offline_access. */
  issueToken(scope?: string): IssuedTokens;
  expireTokens(): void;
  /** The user's sign-in sessions were revoked: every grant ends; answers how many. */
  revokeGrants(): number;
  close(): Promise<void>;
}

export async function startMicrosoftEmulator(options: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const router = new Router();
  const faults = new FaultInjector();
  const tokens = new TokenStore({
    prefix: 'eyJ0eXAi.emu-',
    ...(options.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
  });
  const tenantDomain = options.tenantDomain ?? 'emulated.onmicrosoft.com';
  const upn = options.user?.userPrincipalName ?? `emulated.user@${tenantDomain}`;
  const user: MicrosoftUser = {
    id: options.user?.id ?? randomUUID(),
    displayName: options.user?.displayName ?? 'Emulated User',
    givenName: options.user?.givenName ?? 'Emulated',
    surname: options.user?.surname ?? 'User',
    mail: options.user?.mail === undefined ? upn : options.user.mail,
    userPrincipalName: upn,
  };
  const context: MicrosoftContext = {
    tenantId: options.tenantId ?? randomUUID(),
    tenantDomain,
    user,
    clients: options.clients ?? [],
    approve: options.approve ?? (() => true),
    tokens,
  };
  registerMicrosoftOAuthRoutes(router, context);
  registerMicrosoftGraphRoutes(router, context);

  const issueToken = (scope = 'offline_access User.Read Files.ReadWrite'): IssuedTokens => tokens.issue(scope);
  const revokeGrants = (): number => tokens.revokeAll();
  const server = await startEmulatorServer(options, {
    router,
    faults,
    renderFault: renderMicrosoftFault,
    notFound: (response, request) => sendGraphError(response, 400, 'BadRequest', `Resource not found for the segment '${request.url.pathname.split('/').filter(Boolean).at(-1) ?? ''}'.`),
    controls: { expireTokens: () => tokens.expireAll(), revokeGrants, expireCursors: () => undefined, issueToken: () => issueToken() },
  });
  return {
    url: server.url,
    port: server.port,
    faults,
    tokens,
    tenantId: context.tenantId,
    user,
    issueToken,
    expireTokens: () => tokens.expireAll(),
    revokeGrants,
    close: () => server.close(),
  };
}
