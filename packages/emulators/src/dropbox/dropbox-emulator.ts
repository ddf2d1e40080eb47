/**
 * @module dropbox/dropbox-emulator
 * `startDropboxEmulator()`: Dropbox API v2 (files RPC, content and notify
 * endpoints, users/get_current_account, auth/token/revoke) and Dropbox's
 * OAuth endpoints (`/oauth2/authorize`, `/oauth2/token`) on one local port,
 * with fault injection. With `domainDelimiter: ''` the SDK sends every host's
 * calls to `https://<domain>/2/...`, so one server answers api, content and
 * notify alike; `dropboxSdkFetch()` maps them to http.
 */
import { randomBytes } from 'node:crypto';
import { FaultInjector } from '../http/faults.js';
import { startEmulatorServer } from '../http/emulator-server.js';
import { Router, sendJson } from '../http/http-kit.js';
import { registerOAuthRoutes, type OAuthServerOptions } from '../oauth/oauth-routes.js';
import { TokenStore, type IssuedTokens } from '../oauth/token-store.js';
import { registerDropboxContentRoutes } from './dropbox-content-routes.js';
import { dropboxRoute, type DropboxAccount, type DropboxContext } from './dropbox-context.js';
import { renderDropboxFault, sendDropboxError, DropboxApiError } from './dropbox-errors.js';
import { registerDropboxFileRoutes } from './dropbox-files-routes.js';
import { registerDropboxLongpoll } from './dropbox-longpoll.js';
import { DropboxState } from './dropbox-state.js';

export interface DropboxEmulatorOptions extends OAuthServerOptions {
  port?: number;
  host?: string;
  accessTokenTtlSeconds?: number;
  staticTokens?: readonly string[];
  account?: Partial<DropboxAccount>;
}

export interface DropboxEmulator {
  readonly url: string;
  readonly port: number;
  /** The SDK's `domain` option: `127.0.0.1:<port>`. */
  readonly domain: string;
  readonly faults: FaultInjector;
  readonly state: DropboxState;
  readonly tokens: TokenStore;
  issueToken(scope?: string): IssuedTokens;
  expireTokens(): void;
  /** Every cursor issued so far answers 409 `reset` from now on. */
  expireCursors(): void;
  close(): Promise<void>;
}

function registerAccountRoutes(router: Router, context: DropboxContext): void {
  const { account } = context;
  router.on('POST', '/2/users/get_current_account', dropboxRoute(context, 'rpc', (call) => {
    const displayName = `${account.givenName} ${account.surname}`;
    sendJson(call.response, 200, {
      account_id: account.accountId,
      name: {
        given_name: account.givenName,
        surname: account.surname,
        familiar_name: account.givenName,
        display_name: displayName,
        abbreviated_name: `${account.givenName[0] ?? ''}${account.surname[0] ?? ''}`,
      },
      email: account.email,
      email_verified: true,
      disabled: false,
      locale: 'en',
      referral_link: 'https://www.dropbox.com/referrals/emulated',
      is_paired: false,
      account_type: { '.tag': 'basic' },
      root_info: { '.tag': 'user', root_namespace_id: '3235641', home_namespace_id: '3235641' },
      country: 'US',
    });
  }));

  router.on('POST', '/2/auth/token/revoke', dropboxRoute(context, 'rpc', (call) => {
    const token = /^Bearer\s+(\S+)$/i.exec(call.request.header('authorization') ?? '')?.[1] ?? '';
    context.tokens.revoke(token);
    sendJson(call.response, 200, null);
  }));
}

export async function startDropboxEmulator(options: DropboxEmulatorOptions = {}): Promise<DropboxEmulator> {
  const router = new Router();
  const faults = new FaultInjector();
  const state = new DropboxState();
  const tokens = new TokenStore({
    prefix: 'sl.emu-',
    ...(options.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    ...(options.staticTokens ? { staticTokens: options.staticTokens } : {}),
  });
  const account: DropboxAccount = {
    accountId: options.account?.accountId ?? `dbid:${randomBytes(20).toString('base64url')}`,
    email: options.account?.email ?? 'user@example.com',
    givenName: options.account?.givenName ?? 'Emulated',
    surname: options.account?.surname ?? 'User',
  };
  const context: DropboxContext = { state, tokens, account };

  registerDropboxFileRoutes(router, context);
  registerDropboxContentRoutes(router, context);
  const releaseLongpolls = registerDropboxLongpoll(router, context);
  registerAccountRoutes(router, context);
  registerOAuthRoutes(
    router,
    tokens,
    {
      authorizePath: '/oauth2/authorize',
      tokenPath: '/oauth2/token',
      tokenType: 'bearer',
      extraTokenFields: { account_id: account.accountId, uid: '12345' },
    },
    options,
  );

  const issueToken = (scope = 'files.content.read files.content.write files.metadata.read account_info.read'): IssuedTokens =>
    tokens.issue(scope);
  const server = await startEmulatorServer(options, {
    router,
    faults,
    renderFault: renderDropboxFault,
    notFound: (response, request) => sendDropboxError(response, new DropboxApiError(404, `Unknown API function: "${request.url.pathname}"`)),
    controls: {
      expireTokens: () => tokens.expireAll(),
      revokeGrants: () => tokens.revokeAll(),
      expireCursors: () => {
        state.cursorEpoch += 1;
      },
      issueToken: () => issueToken(),
    },
  });
  server.onClose(releaseLongpolls);

  return {
    url: server.url,
    port: server.port,
    domain: new URL(server.url).host,
    faults,
    state,
    tokens,
    issueToken,
    expireTokens: () => tokens.expireAll(),
    expireCursors: () => {
      state.cursorEpoch += 1;
    },
    close: () => server.close(),
  };
}
