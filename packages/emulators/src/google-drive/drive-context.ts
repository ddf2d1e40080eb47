/**
 * @module google-drive/drive-context
 * What every Drive route needs: the state, the token store, the signed-in
 * user, and `driveRoute()`, which checks the bearer token and renders thrown
 * DriveApiErrors in Google's error format.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { EmulatorRequest, RouteHandler } from '../http/http-kit.js';
import { parseJsonText } from '../http/http-kit.js';
import type { TokenStore } from '../oauth/token-store.js';
import { DriveApiError, driveErrors, sendDriveError } from './drive-errors.js';
import type { DriveOwner } from './drive-model.js';
import type { DriveState } from './drive-state.js';

export interface DriveContext {
  readonly state: DriveState;
  readonly tokens: TokenStore;
  readonly owner: DriveOwner;
  readonly quotaLimit: number;
  baseUrl(): string;
}

export type DriveHandler = (request: EmulatorRequest, response: ServerResponse) => Promise<void> | void;

/** Wraps a handler with bearer-token checking and Drive error rendering. */
export function driveRoute(context: DriveContext, handler: DriveHandler): RouteHandler {
  return async (request, response) => {
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '');
      const token = match?.[1] ?? request.url.searchParams.get('access_token') ?? undefined;
      if (!token) throw driveErrors.loginRequired();
      if (context.tokens.check(token) !== 'valid') throw driveErrors.invalidCredentials();
      await handler(request, response);
    } catch (error) {
      if (!(error instanceof DriveApiError)) throw error;
      sendDriveError(response, error);
    }
  };
}

const stringMap = z.record(z.string(), z.string().nullable());

/** The writable members of a File resource the emulator honours. */
export const fileMetadataSchema = z.object({
  /** Only on create: an id from files.generateIds. */
  id: z.string().optional(),
  name: z.string().optional(),
  mimeType: z.string().optional(),
  parents: z.array(z.string()).optional(),
  trashed: z.boolean().optional(),
  description: z.string().optional(),
  modifiedTime: z.string().optional(),
  createdTime: z.string().optional(),
  appProperties: stringMap.optional(),
  properties: stringMap.optional(),
  originalFilename: z.string().optional(),
});

export type FileMetadata = z.infer<typeof fileMetadataSchema>;

/** Parses a JSON metadata body (empty = `{}`); 400 parseError otherwise. */
export function parseFileMetadata(body: Buffer): FileMetadata {
  if (body.length === 0) return {};
  const parsed = fileMetadataSchema.safeParse(parseJsonText(body.toString('utf8')));
  if (!parsed.success) throw new DriveApiError(400, 'parseError', 'Parse Error');
  const metadata = parsed.data;
  for (const time of [metadata.modifiedTime, metadata.createdTime]) {
    if (time !== undefined && Number.isNaN(Date.parse(time))) throw driveErrors.invalidValue('modifiedTime');
  }
  return metadata;
}

/** Drops null values: create takes plain string maps. */
export function plainProperties(map: Record<string, string | null> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) if (value !== null) result[key] = value;
  return result;
}

export function splitIds(value: string | null): string[] {
  return (value ?? '').split(',').map((id) => id.trim()).filter(Boolean);
}
