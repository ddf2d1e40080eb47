/**
 * @module oauth/oauth-routes
 * An OAuth 2.0 authorization server as each provider runs it: an authorize
 * endpoint that approves at once (a consent page can replace `approve` later)
 * and a token endpoint for the authorization_code and refresh_token grants
 * (RFC 6749 §4.1 and §6), answering errors as `{"error", "error_description"}`.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseJsonText, sendJson, sendText, type EmulatorRequest, type Router } from '../http/http-kit.js';
import type { AuthorizationRequest, TokenStore } from './token-store.js';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Decides an authorization request; the default approves everything. */
export type AuthorizationDecider = (request: AuthorizationRequest & { state?: string }) => boolean | Promise<boolean>;

export interface OAuthDialect {
  readonly authorizePath: string;
  readonly tokenPath: string;
  /** `Bearer` for Google, `bearer` for Dropbox. */
  readonly tokenType: string;
  /** Extra members of every token response (Dropbox adds account_id and uid). */
  readonly extraTokenFields?: Readonly<Record<string, string>>;
}

export interface OAuthServerOptions {
  /** Known clients; when empty every client id and secret is accepted. */
  clients?: readonly OAuthClient[];
  approve?: AuthorizationDecider;
}

const tokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  refresh_token: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code_verifier: z.string().optional(),
});

type TokenRequest = z.infer<typeof tokenRequestSchema>;

function oauthError(response: ServerResponse, status: number, error: string, description: string): void {
  sendJson(response, status, { error, error_description: description }, { 'cache-control': 'no-store' });
}

async function readTokenRequest(request: EmulatorRequest): Promise<TokenRequest | undefined> {
  const text = (await request.body()).toString('utf8');
  const isJson = (request.header('content-type') ?? '').includes('application/json');
  const raw = isJson ? parseJsonText(text) : Object.fromEntries(new URLSearchParams(text));
  const parsed = tokenRequestSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Client credentials from HTTP Basic or the body (both are allowed by RFC 6749 §2.3.1). */
function clientCredentials(request: EmulatorRequest, body: TokenRequest): { clientId?: string; clientSecret?: string } {
  const basic = /^Basic\s+(.+)$/i.exec(request.header('authorization') ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

export function registerOAuthRoutes(router: Router, store: TokenStore, dialect: OAuthDialect, options: OAuthServerOptions): void {
  const clients = options.clients ?? [];
  const approve = options.approve ?? (() => true);

  router.on('GET', dialect.authorizePath, async (request, response) => {
    const query = request.url.searchParams;
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    if (!clientId || !redirectUri) {
      sendText(response, 400, 'client_id and redirect_uri are required');
      return;
    }
    if (clients.length > 0 && !clients.some((client) => client.clientId === clientId)) {
      sendText(response, 400, 'unknown client_id');
      return;
    }
    const target = new URL(redirectUri);
    const state = query.get('state') ?? undefined;
    if (state !== undefined) target.searchParams.set('state', state);
    if (query.get('response_type') !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
    } else {
      const authorization: AuthorizationRequest = {
        clientId,
        redirectUri,
        scope: query.get('scope') ?? '',
        ...(query.get('code_challenge') ? { codeChallenge: query.get('code_challenge') ?? '' } : {}),
        ...(query.get('code_challenge_method') ? { codeChallengeMethod: query.get('code_challenge_method') ?? '' } : {}),
      };
      if (await approve({ ...authorization, ...(state !== undefined ? { state } : {}) })) {
        target.searchParams.set('code', store.createCode(authorization));
      } else {
        target.searchParams.set('error', 'access_denied');
      }
    }
    response.writeHead(302, { location: target.toString(), 'content-length': 0 });
    response.end();
  });

  router.on('POST', dialect.tokenPath, async (request, response) => {
    const body = await readTokenRequest(request);
    if (!body) {
      oauthError(response, 400, 'invalid_request', 'the request body could not be parsed');
      return;
    }
    const { clientId, clientSecret } = clientCredentials(request, body);
    if (clients.length > 0 && !clients.some((client) => client.clientId === clientId && client.clientSecret === clientSecret)) {
      oauthError(response, 401, 'invalid_client', 'client authentication failed');
      return;
    }
    const base = { token_type: dialect.tokenType, ...dialect.extraTokenFields };
    if (body.grant_type === 'authorization_code') {
      if (!body.code) {
        oauthError(response, 400, 'invalid_request', 'code is required');
        return;
      }
      const redeemed = store.redeemCode(body.code, clientId, body.redirect_uri, body.code_verifier);
      if (!redeemed.ok) {
        oauthError(response, 400, redeemed.error, redeemed.description);
        return;
      }
      const { tokens } = redeemed;
      sendJson(response, 200, {
        access_token: tokens.accessToken,
        expires_in: tokens.expiresIn,
        refresh_token: tokens.refreshToken,
        scope: tokens.scope,
        ...base,
      }, { 'cache-control': 'no-store' });
      return;
    }
    if (body.grant_type === 'refresh_token') {
      const refreshed = body.refresh_token ? store.refreshAccess(body.refresh_token) : undefined;
      if (!refreshed) {
        oauthError(response, 400, 'invalid_grant', 'the refresh token is invalid, expired or revoked');
        return;
      }
      sendJson(response, 200, {
        access_token: refreshed.accessToken,
        expires_in: refreshed.expiresIn,
        scope: refreshed.scope,
        ...base,
      }, { 'cache-control': 'no-store' });
      return;
    }
    oauthError(response, 400, 'unsupported_grant_type', `grant_type ${body.grant_type ?? '(missing)'} is not supported`);
  });
}
