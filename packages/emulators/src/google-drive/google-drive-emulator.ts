/**
 * @module google-drive/google-drive-emulator
 * `startGoogleDriveEmulator()`: Drive v3 (metadata, uploads, changes, about)
 * and Google's OAuth endpoints (`/o/oauth2/v2/auth`, `/token`, `/revoke`) on
 * one local port, with fault injection. Point the real SDK at it with
 * `drive({version: 'v3', rootUrl: url + '/'})` and pass `{rootUrl}` again on
 * media calls.
 */
import { FaultInjector } from '../http/faults.js';
import { startEmulatorServer, type RequestLog } from '../http/emulator-server.js';
import { Router, sendJson } from '../http/http-kit.js';
import { registerOAuthRoutes, type OAuthServerOptions } from '../oauth/oauth-routes.js';
import { TokenStore, type IssuedTokens } from '../oauth/token-store.js';
import type { DriveContext } from './drive-context.js';
import { DriveApiError, renderDriveFault, sendDriveError } from './drive-errors.js';
import { registerDriveFileRoutes } from './drive-files-routes.js';
import type { DriveOwner } from './drive-model.js';
import { DriveState } from './drive-state.js';
import { registerDriveUploadRoutes } from './drive-upload-routes.js';

export interface GoogleDriveEmulatorOptions extends OAuthServerOptions {
  port?: number;
  host?: string;
  accessTokenTtlSeconds?: number;
  staticTokens?: readonly string[];
  user?: Partial<DriveOwner>;
  quotaLimit?: number;
}

export interface GoogleDriveEmulator {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  readonly state: DriveState;
  readonly tokens: TokenStore;
  /** Every API, upload and OAuth request received (e.g. `count({ pathPrefix: '/drive/' })`, `count({ pathPrefix: '/token' })`). */
  readonly requests: RequestLog;
  /** A fresh access + refresh token, as after a completed consent. */
  issueToken(scope?: string): IssuedTokens;
  expireTokens(): void;
  /** Invalidates every changes and files.list page token issued so far. */
  expireCursors(): void;
  close(): Promise<void>;
}

export async function startGoogleDriveEmulator(options: GoogleDriveEmulatorOptions = {}): Promise<GoogleDriveEmulator> {
  const router = new Router();
  const faults = new FaultInjector();
  const state = new DriveState();
  const tokens = new TokenStore({
    prefix: 'ya29.emu-',
    ...(options.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    ...(options.staticTokens ? { staticTokens: options.staticTokens } : {}),
  });
  let baseUrl = '';
  const context: DriveContext = {
    state,
    tokens,
    owner: {
      displayName: options.user?.displayName ?? 'Emulated User',
      emailAddress: options.user?.emailAddress ?? 'user@example.com',
      permissionId: options.user?.permissionId ?? '00000000000000000001',
    },
    quotaLimit: options.quotaLimit ?? 15 * 1024 ** 3,
    baseUrl: () => baseUrl,
  };

  registerDriveFileRoutes(router, context);
  registerDriveUploadRoutes(router, context);
  registerOAuthRoutes(router, tokens, { authorizePath: '/o/oauth2/v2/auth', tokenPath: '/token', tokenType: 'Bearer' }, options);
  router.on('POST', '/revoke', async (request, response) => {
    const form = new URLSearchParams((await request.body()).toString('utf8'));
    const token = request.url.searchParams.get('token') ?? form.get('token') ?? '';
    if (!tokens.revoke(token)) {
      sendJson(response, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
      return;
    }
    sendJson(response, 200, {});
  });

  const issueToken = (scope = 'https://www.googleapis.com/auth/drive'): IssuedTokens => tokens.issue(scope);
  const server = await startEmulatorServer(options, {
    router,
    faults,
    renderFault: renderDriveFault,
    notFound: (response, request) =>
      sendDriveError(response, new DriveApiError(404, 'notFound', `Not Found: ${request.method} ${request.url.pathname}`)),
    controls: {
      expireTokens: () => tokens.expireAll(),
      revokeGrants: () => tokens.revokeAll(),
      expireCursors: () => state.expirePageTokens(),
      issueToken: () => issueToken(),
    },
  });
  baseUrl = server.url;

  return {
    url: server.url,
    port: server.port,
    faults,
    state,
    tokens,
    requests: server.requests,
    issueToken,
    expireTokens: () => tokens.expireAll(),
    expireCursors: () => state.expirePageTokens(),
    close: () => server.close(),
  };
}
