/**
 * @module connections/account-identity
 * Who the connected account is, read with its access token: Drive's
 * `about.user`, Dropbox's `users/get_current_account`, Slack's `auth.test`,
 * Microsoft Graph's `/me`. Each answer is parsed with its own schema.
 */
import { FerryError } from '@ferry/core';
import { z } from 'zod';
import { slackAuthErrors, type ConfiguredProvider } from './oauth-client.js';
import type { ProviderHttp } from './provider-http.js';

export interface AccountIdentity {
  id: string;
  email: string | null;
  name: string | null;
}

export type IdentityResult = { ok: true; account: AccountIdentity } | { ok: false; unauthorized: boolean; message: string };

const readers: Record<ConfiguredProvider['id'], (body: unknown) => AccountIdentity | null> = {
  'google-drive': (body) => {
    const parsed = z.object({ user: z.object({ permissionId: z.string(), emailAddress: z.string().optional(), displayName: z.string().optional() }) }).safeParse(body);
    if (!parsed.success) return null;
    const { user } = parsed.data;
    return { id: user.permissionId, email: user.emailAddress ?? null, name: user.displayName ?? null };
  },
  dropbox: (body) => {
    const parsed = z.object({ account_id: z.string(), email: z.string().optional(), name: z.object({ display_name: z.string() }).optional() }).safeParse(body);
    if (!parsed.success) return null;
    return { id: parsed.data.account_id, email: parsed.data.email ?? null, name: parsed.data.name?.display_name ?? null };
  },
  slack: (body) => {
    const parsed = z.object({ ok: z.literal(true), user_id: z.string(), team_id: z.string(), user: z.string().optional(), team: z.string().optional() }).safeParse(body);
    if (!parsed.success) return null;
    const { user_id, team_id, user, team } = parsed.data;
    return { id: `${team_id}:${user_id}`, email: null, name: user && team ? `${user} (${team})` : (user ?? null) };
  },
  microsoft: (body) => {
    const parsed = z.object({ id: z.string(), mail: z.string().nullish(), userPrincipalName: z.string().nullish(), displayName: z.string().nullish() }).safeParse(body);
    if (!parsed.success) return null;
    return { id: parsed.data.id, email: parsed.data.mail ?? parsed.data.userPrincipalName ?? null, name: parsed.data.displayName ?? null };
  },
};

export async function fetchAccountIdentity(provider: ConfiguredProvider, http: ProviderHttp, paceKey: string, accessToken: string): Promise<IdentityResult> {
  const response = await http.fetch(paceKey, provider.rateLimitPerSecond, provider.accountUrl, {
    method: provider.accountMethod,
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  const body: unknown = await response.json().catch(() => null);
  // Slack answers 200 with ok:false: an auth error means the token is dead, any other a passing problem.
  const slackError = provider.dialect === 'slack' ? z.object({ ok: z.literal(false), error: z.string() }).safeParse(body) : null;
  const slackDead = slackError?.success === true && slackAuthErrors.has(slackError.data.error);
  if (response.status === 401 || slackDead) return { ok: false, unauthorized: true, message: `${provider.name} did not accept the access token.` };
  if (slackError?.success === true) return { ok: false, unauthorized: false, message: `${provider.name} answered the account request with ${slackError.data.error}.` };
  if (!response.ok) return { ok: false, unauthorized: false, message: `${provider.name} answered the account request with HTTP ${response.status}.` };
  const account = readers[provider.id](body);
  if (account === null) throw new FerryError('provider_error', `${provider.name} sent an account answer Ferry cannot read.`);
  return { ok: true, account };
}
