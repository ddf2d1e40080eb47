/**
 * @module connections/connection-test-harness
 * For the connection tests: the Google Drive and Dropbox emulators on
 * 127.0.0.1 (and, when asked for, the Slack and Microsoft ones), a real
 * Ferry server whose provider catalog points at them, an owner signed in by
 * cookie, and `connect()` — the whole browser round trip (start → provider
 * authorize → callback) driven with plain fetch.
 */
import type { ProviderId } from '@ferry/core';
import {
  startDropboxEmulator,
  startGoogleDriveEmulator,
  startMicrosoftEmulator,
  startSlackEmulator,
  type DropboxEmulator,
  type GoogleDriveEmulator,
  type MicrosoftEmulator,
  type MicrosoftEmulatorOptions,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from '@ferry/emulators';
import { z } from 'zod';
import type { ServerOptions } from '../config.js';
import { startTestServer, type TestServer } from '../testing/index.js';
import { installForTest } from '../testing/install-integration.js';
import type { ProviderOverridesById } from './provider-catalog.js';

export const clientSecrets = {
  google: 'gcs-7f3c9a-client-secret-google',
  dropbox: 'dbx-5b1e2d-client-secret-dropbox',
  slack: 'slk-9d4e7a-client-secret-slack',
  microsoft: 'msf-3c8b1f-client-secret-microsoft',
} as const;

/** Which of the Slack and Microsoft emulators to start too, with their options and catalog scopes. */
export interface ExtraProviders {
  slack?: SlackEmulatorOptions & { scopes?: readonly string[] };
  microsoft?: MicrosoftEmulatorOptions & { scopes?: readonly string[] };
}

export interface ConnectionHarness {
  server: TestServer;
  google: GoogleDriveEmulator;
  dropbox: DropboxEmulator;
  /** Started only when asked for (`extra.slack`). */
  slack: SlackEmulator | null;
  /** Started only when asked for (`extra.microsoft`). */
  microsoft: MicrosoftEmulator | null;
  providers: ProviderOverridesById;
  workspaceId: string;
  /** `name=value` of the owner's session cookie. */
  cookie: string;
  /** fetch as the signed-in owner (cookie + the CSRF header). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Every JSON/HTML answer the tests received, to search for secrets. */
  answers: string[];
  connect(provider: ProviderId): Promise<{ connectionId: string; callbackLocation: string }>;
  /** Installs an integration of the marketplace as the owner (needed before connecting its provider). */
  install(integrationId: string): Promise<void>;
  close(): Promise<void>;
}

const setupAnswerSchema = z.object({ workspaces: z.array(z.object({ id: z.string() })).min(1) });
const startedSchema = z.object({ authorizeUrl: z.string() });

/** `rateLimitPerSecond` lifts the per-connection pace for load tests. */
export async function startConnectionHarness(options: Partial<ServerOptions> = {}, rateLimitPerSecond?: number, extra: ExtraProviders = {}): Promise<ConnectionHarness> {
  const google = await startGoogleDriveEmulator({ clients: [{ clientId: 'ferry-google', clientSecret: clientSecrets.google }] });
  const dropbox = await startDropboxEmulator({ clients: [{ clientId: 'ferry-dropbox', clientSecret: clientSecrets.dropbox }] });
  const slackClient = { clientId: '1111.2222', clientSecret: clientSecrets.slack };
  const microsoftClient = { clientId: 'f3a1c2d4-0000-4000-8000-00000000fe77', clientSecret: clientSecrets.microsoft };
  const slack = extra.slack ? await startSlackEmulator({ clients: [slackClient], ...extra.slack }) : null;
  const microsoft = extra.microsoft ? await startMicrosoftEmulator({ clients: [microsoftClient], ...extra.microsoft }) : null;
  const pace = rateLimitPerSecond ? { rateLimitPerSecond } : {};
  const providers: ProviderOverridesById = {
    'google-drive': { clientId: 'ferry-google', clientSecret: clientSecrets.google, origin: google.url, ...pace },
    dropbox: { clientId: 'ferry-dropbox', clientSecret: clientSecrets.dropbox, origin: dropbox.url, ...pace },
    ...(slack ? { slack: { ...slackClient, origin: slack.url, ...pace, ...(extra.slack?.scopes ? { scopes: extra.slack.scopes } : {}) } } : {}),
    ...(microsoft ? { microsoft: { ...microsoftClient, origin: microsoft.url, ...pace, ...(extra.microsoft?.scopes ? { scopes: extra.microsoft.scopes } : {}) } } : {}),
  };
  const server = await startTestServer({ outboundAllowList: ['127.0.0.1'], providers, webhookWorker: false, ...options });
  const answers: string[] = [];
  const setup = await fetch(`${server.url}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'owner@example.test', password: 'a long password', workspaceName: 'Team' }),
  });
  const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const workspaceId = setupAnswerSchema.parse(await setup.json()).workspaces[0]?.id ?? '';
  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { cookie, 'x-ferry-request': '1', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
    });
    answers.push(await response.clone().text());
    return response;
  };
  const connect = async (provider: ProviderId) => {
    const started = await api(`/api/v1/workspaces/${workspaceId}/connections/${provider}/start`, { method: 'POST', body: '{}' });
    const { authorizeUrl } = startedSchema.parse(await started.json());
    const consent = await fetch(authorizeUrl, { redirect: 'manual' });
    const callback = consent.headers.get('location') ?? '';
    const landed = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    answers.push(await landed.clone().text());
    const location = landed.headers.get('location') ?? '';
    const connectionId = new URL(location, server.url).searchParams.get('connected') ?? '';
    return { connectionId, callbackLocation: location };
  };
  return {
    server,
    google,
    dropbox,
    slack,
    microsoft,
    providers,
    workspaceId,
    cookie,
    api,
    answers,
    connect,
    install: (integrationId) => installForTest(api, workspaceId, integrationId),
    close: async () => {
      await server.close();
      await Promise.all([google.close(), dropbox.close(), slack?.close(), microsoft?.close()]);
    },
  };
}
