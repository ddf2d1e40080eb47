/**
 * @module slack/slack-emulator
 * `startSlackEmulator()`: Slack's OAuth v2 (`/oauth/v2/authorize`,
 * `/api/oauth.v2.access`, with optional token rotation) and the Web API
 * methods `auth.test` and `auth.revoke` on one local port, with fault
 * injection and the `/__emulator/*` controls (`revoke-grants` plays a user
 * removing the app: every token and refresh token stops working, so a
 * refresh answers `invalid_refresh_token`).
 */
import { randomBytes } from 'node:crypto';
import { FaultInjector } from '../http/faults.js';
import { startEmulatorServer } from '../http/emulator-server.js';
import { Router } from '../http/http-kit.js';
import type { OAuthServerOptions } from '../oauth/oauth-routes.js';
import { TokenStore, type IssuedTokens } from '../oauth/token-store.js';
import { registerSlackApiRoutes } from './slack-api-routes.js';
import { renderSlackFault, sendSlackError, type SlackContext, type SlackTeam, type SlackUser } from './slack-context.js';
import { registerSlackOAuthRoutes } from './slack-oauth-routes.js';

export interface SlackEmulatorOptions extends OAuthServerOptions {
  port?: number;
  host?: string;
  /** Token rotation (the app setting): expiring tokens plus refresh tokens. Default true. */
  tokenRotation?: boolean;
  /** Check PKCE at oauth.v2.access when authorize carried a challenge; default false (see slack-oauth-routes). */
  verifyPkce?: boolean;
  /** Lifetime of rotating access tokens; default 43,200 s (12 hours), as Slack issues them. */
  accessTokenTtlSeconds?: number;
  team?: Partial<SlackTeam>;
  user?: Partial<SlackUser>;
}

export interface SlackEmulator {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  /** User tokens (`xoxp`), the ones Ferry connects with. */
  readonly tokens: TokenStore;
  /** Bot tokens (`xoxb`), issued when bot scopes are asked for. */
  readonly botTokens: TokenStore;
  readonly team: SlackTeam;
  readonly user: SlackUser;
  /** A user token as after a completed install (with a refresh token when rotation is on). */
  issueToken(scope?: string): IssuedTokens;
  expireTokens(): void;
  /** The user removed the app: every grant is revoked; answers how many. */
  revokeGrants(): number;
  close(): Promise<void>;
}

function randomId(prefix: string): string {
  return prefix + randomBytes(5).toString('hex').toUpperCase();
}

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const router = new Router();
  const faults = new FaultInjector();
  const tokenRotation = options.tokenRotation ?? true;
  const ttl = options.accessTokenTtlSeconds ?? 43_200;
  const userTokens = new TokenStore({ prefix: tokenRotation ? 'xoxe.xoxp-1-emu-' : 'xoxp-emu-', accessTokenTtlSeconds: ttl });
  const botTokens = new TokenStore({ prefix: tokenRotation ? 'xoxe.xoxb-1-emu-' : 'xoxb-emu-', accessTokenTtlSeconds: ttl });
  const context: SlackContext = {
    team: { id: options.team?.id ?? randomId('T'), name: options.team?.name ?? 'Emulated Workspace', domain: options.team?.domain ?? 'emulated' },
    user: { id: options.user?.id ?? randomId('U'), name: options.user?.name ?? 'emulated.user' },
    appId: randomId('A'),
    botUserId: randomId('U'),
    botId: randomId('B'),
    tokenRotation,
    verifyPkce: options.verifyPkce ?? false,
    clients: options.clients ?? [],
    approve: options.approve ?? (() => true),
    userTokens,
    botTokens,
  };
  registerSlackOAuthRoutes(router, context);
  registerSlackApiRoutes(router, context);

  const issueToken = (scope = 'files:read,files:write'): IssuedTokens => {
    const issued = userTokens.issueGrant(scope, undefined, { refresh: tokenRotation, expires: tokenRotation });
    return { accessToken: issued.accessToken, refreshToken: issued.refreshToken ?? '', expiresIn: issued.expiresIn ?? 0, scope };
  };
  const expireTokens = (): void => {
    userTokens.expireAll();
    botTokens.expireAll();
  };
  const revokeGrants = (): number => userTokens.revokeAll() + botTokens.revokeAll();
  const server = await startEmulatorServer(options, {
    router,
    faults,
    renderFault: renderSlackFault,
    notFound: (response, request) => sendSlackError(response, 'unknown_method', { req_method: request.url.pathname.replace(/^\/api\//, '') }),
    controls: { expireTokens, revokeGrants, expireCursors: () => undefined, issueToken: () => issueToken() },
  });
  return {
    url: server.url,
    port: server.port,
    faults,
    tokens: userTokens,
    botTokens,
    team: context.team,
    user: context.user,
    issueToken,
    expireTokens,
    revokeGrants,
    close: () => server.close(),
  };
}
