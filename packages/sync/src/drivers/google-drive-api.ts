/**
 * @module drivers/google-drive-api
 * What the Google Drive driver needs around `@googleapis/drive`: the OAuth
 * client (refresh token or token provider; `forceRefreshOnFailure`), the
 * file resource schema every answer is parsed with, the failure classifier
 * for the retry policy, the mapping of what is left to `FerryError`, and the
 * resumable upload protocol (through `OAuth2Client.request`, since the SDK's
 * `media` option cannot do resumable sessions).
 */
import { FerryError } from '@ferry/core/errors';
import type { OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import type { DriverEntry, EntryKind } from '../driver.js';
import { isNetworkFailure, parseRetryAfter, type ProviderFailure } from './provider-retry.js';
import type { AccessTokenProvider } from './provider-tokens.js';

export const providerName = 'Google Drive';
export const folderMimeType = 'application/vnd.google-apps.folder';
/** Google Docs, Sheets, shortcuts...: no bytes to sync. */
export const googleAppsPrefix = 'application/vnd.google-apps.';
export const fileFields = 'id,name,mimeType,parents,size,modifiedTime,version,headRevisionId,sha256Checksum,md5Checksum,trashed';
/** Google's resumable protocol: every chunk but the last is a multiple of this. */
export const resumableChunkUnit = 256 * 1024;

export const driveFileSchema = z.object({
  id: z.string(),
  name: z.string(),
  mimeType: z.string(),
  parents: z.array(z.string()).optional(),
  size: z.string().optional(),
  modifiedTime: z.string().optional(),
  version: z.string().optional(),
  headRevisionId: z.string().optional(),
  sha256Checksum: z.string().optional(),
  md5Checksum: z.string().optional(),
  trashed: z.boolean().optional(),
});
export type DriveFile = z.infer<typeof driveFileSchema>;

export const fileListSchema = z.object({ files: z.array(driveFileSchema).default([]), nextPageToken: z.string().optional() });
export const changeListSchema = z.object({
  changes: z
    .array(z.object({ fileId: z.string().optional(), removed: z.boolean().optional(), file: driveFileSchema.partial({ name: true, mimeType: true }).optional() }))
    .default([]),
  nextPageToken: z.string().optional(),
  newStartPageToken: z.string().optional(),
});

/** How the driver signs in to Drive. */
export type GoogleDriveAuth =
  /** OAuth refresh-token grant; refreshed at `tokenUrl` (default Google's). */
  | { readonly kind: 'refresh-token'; readonly clientId: string; readonly clientSecret?: string; readonly refreshToken: string; readonly accessToken?: string; readonly tokenUrl?: string }
  /** Tokens come from the caller (the server's connection vault). */
  | { readonly kind: 'token-provider'; readonly getAccessToken: AccessTokenProvider }
  /** A ready OAuth2Client (set `forceRefreshOnFailure: true` on it). */
  | { readonly kind: 'client'; readonly client: OAuth2Client };

/**
 * The OAuth client for `auth`; the library's class is passed in because it is loaded on first use.
 * `fetchImplementation` sends the client's requests (gaxios option; a ready client keeps its own).
 */
export function createOAuthClient(OAuthClient: typeof OAuth2Client, auth: GoogleDriveAuth, fetchImplementation?: typeof fetch): OAuth2Client {
  if (auth.kind === 'client') return auth.client;
  const transporter = fetchImplementation === undefined ? {} : { transporterOptions: { fetchImplementation } };
  if (auth.kind === 'refresh-token') {
    const client = new OAuthClient({
      ...transporter,
      clientId: auth.clientId,
      ...(auth.clientSecret !== undefined ? { clientSecret: auth.clientSecret } : {}),
      forceRefreshOnFailure: true,
      ...(auth.tokenUrl !== undefined ? { endpoints: { oauth2TokenUrl: auth.tokenUrl } } : {}),
    });
    client.setCredentials({ refresh_token: auth.refreshToken, ...(auth.accessToken !== undefined ? { access_token: auth.accessToken } : {}) });
    return client;
  }
  const client = new OAuthClient({ forceRefreshOnFailure: true, ...transporter });
  let forceNext = false;
  client.refreshHandler = async () => {
    const token = await auth.getAccessToken({ forceRefresh: forceNext });
    forceNext = true; // the library only asks again when the token was refused
    return { access_token: token, expiry_date: Date.now() + 50 * 60_000 };
  };
  return client;
}

/** Makes the next request fetch a new access token. */
export async function forceTokenRefresh(client: OAuth2Client): Promise<void> {
  client.credentials = { ...client.credentials, expiry_date: 1 };
  try {
    await client.getAccessToken();
  } catch (error) {
    throw describeDriveFailure(error, 'token refresh');
  }
}

const httpFailureSchema = z.object({
  response: z.object({
    status: z.number(),
    headers: z.custom<{ get(name: string): string | null }>((value) => typeof value === 'object' && value !== null && 'get' in value),
    data: z.unknown(),
  }),
});
const googleErrorSchema = z.object({
  error: z.object({ message: z.string().optional(), errors: z.array(z.object({ reason: z.string().optional(), location: z.string().optional() })).optional() }),
});
const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });
const rateLimitReasons = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'dailyLimitExceeded', 'sharingRateLimitExceeded']);

export interface HttpFailure {
  readonly status: number;
  readonly reason: string | undefined;
  readonly location: string | undefined;
  readonly message: string;
  readonly retryAfterMs: number | undefined;
  readonly oauthError: string | undefined;
}

/** Status, Google reason and message of a failed request, or undefined when there was no HTTP answer. */
export function httpFailure(error: unknown): HttpFailure | undefined {
  const parsed = httpFailureSchema.safeParse(error);
  if (!parsed.success) return undefined;
  const { status, headers, data } = parsed.data.response;
  const google = googleErrorSchema.safeParse(data);
  const oauth = oauthErrorSchema.safeParse(data);
  const first = google.success ? google.data.error.errors?.[0] : undefined;
  return {
    status,
    reason: first?.reason,
    location: first?.location,
    message: google.success ? (google.data.error.message ?? `HTTP ${status}`) : oauth.success ? `${oauth.data.error}${oauth.data.error_description ? `: ${oauth.data.error_description}` : ''}` : `HTTP ${status}`,
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
    oauthError: oauth.success ? oauth.data.error : undefined,
  };
}

/** The retry policy's view of a Drive failure. */
export function classifyDriveFailure(error: unknown): ProviderFailure {
  const failure = httpFailure(error);
  if (failure === undefined) {
    return isNetworkFailure(error) ? { kind: 'transient', message: error instanceof Error ? error.message : String(error) } : { kind: 'fatal' };
  }
  const retryAfter = failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {};
  if (failure.oauthError !== undefined) return failure.status >= 500 ? { kind: 'transient', message: failure.message } : { kind: 'fatal' };
  if (failure.status === 429 || (failure.status === 403 && rateLimitReasons.has(failure.reason ?? ''))) {
    return { kind: 'rate_limited', message: `${failure.status} ${failure.reason ?? ''} ${failure.message}`.trim(), ...retryAfter };
  }
  if (failure.status === 401) return { kind: 'auth', message: failure.message };
  if (failure.status === 408 || failure.status >= 500) return { kind: 'transient', message: `${failure.status} ${failure.message}`, ...retryAfter };
  return { kind: 'fatal' };
}

/** A `FerryError` for a failure the retry policy handed back. */
export function describeDriveFailure(error: unknown, label: string): FerryError {
  if (error instanceof FerryError) return error;
  const failure = httpFailure(error);
  if (failure === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return new FerryError(isNetworkFailure(error) ? 'unavailable' : 'internal', `${providerName} ${label} failed: ${message}`);
  }
  if (failure.oauthError === 'invalid_grant') {
    return new FerryError('unauthenticated', `${providerName} no longer accepts this connection's refresh token (invalid_grant): reconnect the account.`);
  }
  const code = failure.status === 404 ? 'node_not_found' : failure.status === 401 ? 'unauthenticated' : failure.status === 403 ? 'forbidden' : failure.status === 400 ? 'bad_request' : 'internal';
  return new FerryError(code, `${providerName} ${label} failed (${failure.status}${failure.reason ? ` ${failure.reason}` : ''}): ${failure.message}`);
}

export const isFolder = (file: DriveFile): boolean => file.mimeType === folderMimeType;
/** Folders and files with bytes; not Docs, Sheets, shortcuts. */
export const isSyncable = (file: DriveFile): boolean => isFolder(file) || !file.mimeType.startsWith(googleAppsPrefix);

/** A Drive file as a sync entry: headRevisionId (content only) as revision, sha256Checksum as hash. */
export function toEntry(file: DriveFile, path: string): DriverEntry {
  const kind: EntryKind = isFolder(file) ? 'folder' : 'file';
  const modified = Date.parse(file.modifiedTime ?? '');
  return {
    path,
    kind,
    size: kind === 'file' ? Number(file.size ?? 0) : 0,
    mtimeMs: Number.isNaN(modified) ? 0 : modified,
    id: file.id,
    hash: kind === 'file' ? (file.sha256Checksum ?? null) : null,
    revision: kind === 'file' ? (file.headRevisionId ?? `v${file.version ?? 0}`) : 'folder',
  };
}

/** Escapes a value for a `q` string literal. */
export function queryLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
