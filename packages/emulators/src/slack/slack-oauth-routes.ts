/**
 * @module slack/slack-oauth-routes
 * Slack's OAuth v2: `GET /oauth/v2/authorize` (bot scopes in `scope`, user
 * scopes in `user_scope`, both comma-separated; a consent decision, then a
 * redirect with `code` and `state`, or `error=access_denied`) and
 * `POST /api/oauth.v2.access`, which trades a code (with the PKCE verifier
 * when a challenge was sent) or, with token rotation, a refresh token. Its
 * answers are always HTTP 200: `{ok: true, …}` with the bot token at the top
 * and the user's token under `authed_user`, or `{ok: false, error}` with
 * Slack's error names (`invalid_code`, `bad_redirect_uri`,
 * `invalid_client_id`, `bad_client_secret`, `invalid_refresh_token`,
 * `invalid_grant_type`). A used refresh token is spent (rotation).
 *
 * PKCE: Slack documents `code_verifier` for `oauth.v2.user.access` only, not
 * for this confidential-client exchange, so by default a `code_challenge`
 * on authorize is ignored (as Slack ignores arguments it does not know) and
 * clients that always send PKCE, like Ferry's, still work; `verifyPkce`
 * makes the emulator bind the challenge and refuse a wrong verifier as
 * `invalid_code`.
 */
import type { ServerResponse } from 'node:http';
import { sendText, type Router } from '../http/http-kit.js';
import { clientCredentialsOf, readFields } from '../oauth/client-request.js';
import type { CodeRefusal, TokenStore } from '../oauth/token-store.js';
import { sendSlackError, sendSlackOk, type SlackContext } from './slack-context.js';

/** The scopes asked for in one authorize request, kept with its code. */
interface SlackGrantRequest {
  botScope: string;
  userScope: string;
}

const codeErrors: Readonly<Record<CodeRefusal, string>> = {
  unknown: 'invalid_code',
  already_redeemed: 'invalid_code',
  expired: 'invalid_code',
  client_mismatch: 'invalid_code',
  redirect_mismatch: 'bad_redirect_uri',
  verifier_missing: 'invalid_code',
  verifier_mismatch: 'invalid_code',
};

function normaliseScopes(value: string | null): string {
  return (value ?? '')
    .split(/[\s,]+/)
    .filter((scope) => scope !== '')
    .join(',');
}

function registerAuthorize(router: Router, context: SlackContext, grants: Map<string, SlackGrantRequest>): void {
  router.on('GET', '/oauth/v2/authorize', async (request, response) => {
    const query = request.url.searchParams;
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    // Slack shows an error page (no redirect) when it cannot trust where to send the user.
    if (!clientId) {
      sendText(response, 400, 'Something went wrong when authorizing this app: missing client_id.');
      return;
    }
    if (context.clients.length > 0 && !context.clients.some((client) => client.clientId === clientId)) {
      sendText(response, 400, 'Something went wrong when authorizing this app: invalid_client_id.');
      return;
    }
    if (!redirectUri) {
      sendText(response, 400, 'Something went wrong when authorizing this app: redirect_uri is required by this emulator.');
      return;
    }
    const botScope = normaliseScopes(query.get('scope'));
    const userScope = normaliseScopes(query.get('user_scope'));
    const target = new URL(redirectUri);
    const state = query.get('state') ?? undefined;
    if (botScope === '' && userScope === '') {
      sendText(response, 400, 'Something went wrong when authorizing this app: invalid_scope (no scope or user_scope).');
      return;
    }
    const codeChallenge = context.verifyPkce ? query.get('code_challenge') : null;
    const codeChallengeMethod = query.get('code_challenge_method');
    const authorization = {
      clientId,
      redirectUri,
      scope: [botScope, userScope].filter((scope) => scope !== '').join(','),
      ...(codeChallenge ? { codeChallenge } : {}),
      ...(codeChallenge ? { codeChallengeMethod: codeChallengeMethod ?? 'plain' } : {}),
    };
    if (await context.approve({ ...authorization, ...(state !== undefined ? { state } : {}) })) {
      const code = context.userTokens.createCode(authorization);
      grants.set(code, { botScope, userScope });
      target.searchParams.set('code', code);
    } else {
      target.searchParams.set('error', 'access_denied');
    }
    if (state !== undefined) target.searchParams.set('state', state);
    response.writeHead(302, { location: target.toString(), 'content-length': 0 });
    response.end();
  });
}

function teamFields(context: SlackContext): Record<string, unknown> {
  return { app_id: context.appId, team: { id: context.team.id, name: context.team.name }, enterprise: null, is_enterprise_install: false };
}

function redeemCode(context: SlackContext, grants: Map<string, SlackGrantRequest>, fields: Readonly<Record<string, string>>, clientId: string, response: ServerResponse): void {
  const code = fields.code;
  if (!code) {
    sendSlackError(response, 'invalid_code');
    return;
  }
  const taken = context.userTokens.takeCode(code, clientId, fields.redirect_uri, fields.code_verifier);
  const grant = grants.get(code);
  grants.delete(code);
  if (!taken.ok || grant === undefined) {
    sendSlackError(response, taken.ok ? 'invalid_code' : codeErrors[taken.reason]);
    return;
  }
  const issue = { refresh: context.tokenRotation, expires: context.tokenRotation };
  const answer: Record<string, unknown> = { ...teamFields(context) };
  if (grant.botScope !== '') {
    const bot = context.botTokens.issueGrant(grant.botScope, clientId, issue);
    Object.assign(answer, {
      access_token: bot.accessToken,
      token_type: 'bot',
      scope: grant.botScope,
      bot_user_id: context.botUserId,
      ...(bot.refreshToken !== undefined ? { refresh_token: bot.refreshToken } : {}),
      ...(bot.expiresIn !== undefined ? { expires_in: bot.expiresIn } : {}),
    });
  }
  const authedUser: Record<string, unknown> = { id: context.user.id };
  if (grant.userScope !== '') {
    const user = context.userTokens.issueGrant(grant.userScope, clientId, issue);
    Object.assign(authedUser, {
      scope: grant.userScope,
      access_token: user.accessToken,
      token_type: 'user',
      ...(user.refreshToken !== undefined ? { refresh_token: user.refreshToken } : {}),
      ...(user.expiresIn !== undefined ? { expires_in: user.expiresIn } : {}),
    });
  }
  sendSlackOk(response, { ...answer, authed_user: authedUser });
}

function refresh(context: SlackContext, refreshToken: string | undefined, response: ServerResponse): void {
  if (!refreshToken) {
    sendSlackError(response, 'invalid_refresh_token');
    return;
  }
  const kinds: { store: TokenStore; tokenType: 'user' | 'bot' }[] = [
    { store: context.userTokens, tokenType: 'user' },
    { store: context.botTokens, tokenType: 'bot' },
  ];
  const kind = kinds.find(({ store }) => store.knowsRefreshToken(refreshToken));
  const rotated = kind?.store.rotate(refreshToken, { revokeUsed: true });
  if (!kind || !rotated) {
    sendSlackError(response, 'invalid_refresh_token');
    return;
  }
  sendSlackOk(response, {
    ...teamFields(context),
    access_token: rotated.accessToken,
    token_type: kind.tokenType,
    scope: rotated.scope,
    refresh_token: rotated.refreshToken,
    expires_in: rotated.expiresIn,
    ...(kind.tokenType === 'bot' ? { bot_user_id: context.botUserId } : { user_id: context.user.id }),
  });
}

export function registerSlackOAuthRoutes(router: Router, context: SlackContext): void {
  const grants = new Map<string, SlackGrantRequest>();
  registerAuthorize(router, context, grants);
  router.on('POST', '/api/oauth.v2.access', async (request, response) => {
    const fields = await readFields(request);
    const { clientId, clientSecret } = clientCredentialsOf(request, fields);
    if (!clientId) {
      sendSlackError(response, 'invalid_client_id');
      return;
    }
    const known = context.clients.find((client) => client.clientId === clientId);
    if (context.clients.length > 0 && !known) {
      sendSlackError(response, 'invalid_client_id');
      return;
    }
    if (known && known.clientSecret !== clientSecret) {
      sendSlackError(response, 'bad_client_secret');
      return;
    }
    const grantType = fields.grant_type ?? 'authorization_code';
    if (grantType === 'authorization_code') {
      redeemCode(context, grants, fields, clientId, response);
      return;
    }
    if (grantType === 'refresh_token') {
      refresh(context, fields.refresh_token, response);
      return;
    }
    sendSlackError(response, 'invalid_grant_type');
  });
}
