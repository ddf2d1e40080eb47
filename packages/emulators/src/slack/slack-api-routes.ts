/**
 * @module slack/slack-api-routes
 * The Web API methods a connecting client uses: `auth.test` (who a token
 * belongs to) and `auth.revoke` (ends a token, and with it the grant; `test`
 * only pretends). The token comes as `Authorization: Bearer` or a `token`
 * field; Slack's auth errors are `not_authed`, `invalid_auth`,
 * `token_revoked` and `token_expired`, all with HTTP 200.
 */
import type { ServerResponse } from 'node:http';
import type { EmulatorRequest, Router } from '../http/http-kit.js';
import { bearerTokenOf, readFields } from '../oauth/client-request.js';
import type { TokenStore } from '../oauth/token-store.js';
import { sendSlackError, sendSlackOk, type SlackContext, slackWorkspaceUrl } from './slack-context.js';

interface AuthedCall {
  token: string;
  kind: 'user' | 'bot';
  store: TokenStore;
  fields: Record<string, string>;
}

/** The caller's live token, or undefined after answering Slack's auth error. */
async function authenticate(context: SlackContext, request: EmulatorRequest, response: ServerResponse): Promise<AuthedCall | undefined> {
  const fields = await readFields(request);
  const token = bearerTokenOf(request, fields);
  if (!token) {
    sendSlackError(response, 'not_authed');
    return undefined;
  }
  const candidates: { kind: 'user' | 'bot'; store: TokenStore }[] = [
    { kind: 'user', store: context.userTokens },
    { kind: 'bot', store: context.botTokens },
  ];
  for (const { kind, store } of candidates) {
    const state = store.accessState(token);
    if (state === 'unknown') continue;
    if (state === 'valid') return { token, kind, store, fields };
    sendSlackError(response, state === 'expired' ? 'token_expired' : 'token_revoked');
    return undefined;
  }
  sendSlackError(response, 'invalid_auth');
  return undefined;
}

const truthy = new Set(['1', 'true']);

export function registerSlackApiRoutes(router: Router, context: SlackContext): void {
  const { team, user } = context;
  router.on('POST', '/api/auth.test', async (request, response) => {
    const call = await authenticate(context, request, response);
    if (!call) return;
    sendSlackOk(response, {
      url: slackWorkspaceUrl(team),
      team: team.name,
      user: call.kind === 'bot' ? 'ferry-bot' : user.name,
      team_id: team.id,
      user_id: call.kind === 'bot' ? context.botUserId : user.id,
      ...(call.kind === 'bot' ? { bot_id: context.botId } : {}),
      is_enterprise_install: false,
    });
  });

  router.on('POST', '/api/auth.revoke', async (request, response) => {
    const call = await authenticate(context, request, response);
    if (!call) return;
    if (truthy.has((call.fields.test ?? '').toLowerCase())) {
      sendSlackOk(response, { revoked: false });
      return;
    }
    call.store.revoke(call.token);
    sendSlackOk(response, { revoked: true });
  });
}
