/**
 * @module slack/slack-context
 * What the Slack emulator's routes share: the workspace (team) and the user
 * who installs the app, the app's identity, whether token rotation is on,
 * the token stores (user tokens `xoxp`, bot tokens `xoxb`), and Slack's way
 * of answering: HTTP 200 with `{ok: true, …}` or `{ok: false, error}`.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/http-kit.js';
import type { FaultRenderer } from '../http/emulator-server.js';
import type { OAuthClient, AuthorizationDecider } from '../oauth/oauth-routes.js';
import type { TokenStore } from '../oauth/token-store.js';

export interface SlackTeam {
  id: string;
  name: string;
  /** The workspace's subdomain: `https://<domain>.slack.com/`. */
  domain: string;
}

/** The workspace's address as Slack's answers name it (`auth.test`'s `url`); nothing ever requests it. */
export function slackWorkspaceUrl(team: Pick<SlackTeam, 'domain'>): string {
  return `https://${team.domain}.slack.com/`;
}

export interface SlackUser {
  id: string;
  /** The user's handle, as auth.test names it. */
  name: string;
}

export interface SlackContext {
  readonly team: SlackTeam;
  readonly user: SlackUser;
  readonly appId: string;
  readonly botUserId: string;
  readonly botId: string;
  /** With rotation on, tokens expire (12 h by default) and come with a refresh token. */
  readonly tokenRotation: boolean;
  /** Bind a PKCE challenge to its code and check the verifier (Slack documents PKCE for oauth.v2.user.access only). */
  readonly verifyPkce: boolean;
  readonly clients: readonly OAuthClient[];
  readonly approve: AuthorizationDecider;
  readonly userTokens: TokenStore;
  readonly botTokens: TokenStore;
}

/** Slack answers every Web API call with HTTP 200; `ok` tells success from failure. */
export function sendSlackOk(response: ServerResponse, payload: Record<string, unknown>): void {
  sendJson(response, 200, { ok: true, ...payload });
}

export function sendSlackError(response: ServerResponse, error: string, extra: Record<string, unknown> = {}): void {
  sendJson(response, 200, { ok: false, error, ...extra });
}

/** Injected faults in Slack's shape: 429 `ratelimited` with Retry-After, 5xx with `internal_error`. */
export const renderSlackFault: FaultRenderer = (response, status, rule) => {
  const retryAfter = String(rule.retryAfter ?? 1);
  if (status === 429) {
    sendJson(response, 429, { ok: false, error: rule.reason ?? 'ratelimited' }, { 'retry-after': retryAfter });
    return;
  }
  const headers: Record<string, string> = rule.retryAfter !== undefined ? { 'retry-after': retryAfter } : {};
  sendJson(response, status, { ok: false, error: rule.reason ?? (status >= 500 ? 'internal_error' : 'request_failed') }, headers);
};
