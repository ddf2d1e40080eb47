/**
 * @module schemas
 * The domain as it crosses the wire: every API answer is one of these shapes,
 * parsed by the typed client and used to generate the OpenAPI document.
 */
import { z } from 'zod';

export const idSchema = z.string().min(1).max(64);
export const timestampSchema = z.string().describe('RFC 3339 date-time, UTC');
export const roleSchema = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof roleSchema>;

export const userSchema = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string(),
  createdAt: timestampSchema,
});
export type User = z.infer<typeof userSchema>;

export const workspaceSchema = z.object({
  id: idSchema,
  name: z.string(),
  role: roleSchema.describe("the caller's role"),
  rootFolderId: idSchema,
  createdAt: timestampSchema,
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const memberSchema = z.object({
  userId: idSchema,
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  addedAt: timestampSchema,
});
export type Member = z.infer<typeof memberSchema>;

export const meSchema = z.object({ user: userSchema, workspaces: z.array(workspaceSchema) });
export type Me = z.infer<typeof meSchema>;

export const nodeKindSchema = z.enum(['file', 'folder']);
export type NodeKind = z.infer<typeof nodeKindSchema>;

/** A file or folder. `versionId` is the ETag: it changes on every write, rename, move, delete or restore. */
export const nodeSchema = z.object({
  id: idSchema,
  workspaceId: idSchema,
  parentId: idSchema.nullable().describe('null only for the workspace root'),
  kind: nodeKindSchema,
  name: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().nullable().describe('hex; null for folders'),
  versionId: idSchema,
  contentVersionId: idSchema.nullable().describe('the current content version of a file; null for folders'),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  deletedAt: timestampSchema.nullable(),
  path: z.string().optional().describe('absolute path inside the workspace, when the answer includes it'),
});
export type FerryNode = z.infer<typeof nodeSchema>;

export const versionSchema = z.object({
  id: idSchema,
  fileId: idSchema,
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  authorId: idSchema.nullable(),
  source: z.string().describe('device or integration that wrote it'),
  createdAt: timestampSchema,
  current: z.boolean(),
});
export type FileVersion = z.infer<typeof versionSchema>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const apiTokenSchema = z.object({
  id: idSchema,
  name: z.string(),
  prefix: z.string().describe('the first characters of the token, to recognise it'),
  createdAt: timestampSchema,
  lastUsedAt: timestampSchema.nullable(),
  expiresAt: timestampSchema.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const createdApiTokenSchema = apiTokenSchema.extend({ token: z.string().describe('shown once, never again') });

export const shareSchema = z.object({
  id: idSchema,
  nodeId: idSchema,
  workspaceId: idSchema,
  token: z.string(),
  url: z.string(),
  expiresAt: timestampSchema.nullable(),
  hasPassword: z.boolean(),
  maxDownloads: z.number().int().positive().nullable(),
  downloads: z.number().int().nonnegative(),
  createdAt: timestampSchema,
  createdBy: idSchema,
  revokedAt: timestampSchema.nullable(),
});
export type Share = z.infer<typeof shareSchema>;

export const publicShareSchema = z.object({
  name: z.string(),
  kind: nodeKindSchema,
  size: z.number().int().nonnegative(),
  expiresAt: timestampSchema.nullable(),
  passwordRequired: z.boolean(),
  downloadsLeft: z.number().int().nonnegative().nullable(),
});
export type PublicShare = z.infer<typeof publicShareSchema>;

export const uploadSessionSchema = z.object({
  id: idSchema,
  workspaceId: idSchema,
  parentId: idSchema,
  name: z.string(),
  size: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  expiresAt: timestampSchema,
});
export type UploadSession = z.infer<typeof uploadSessionSchema>;

export const eventTypeSchema = z.enum([
  'file.created',
  'file.updated',
  'file.moved',
  'file.deleted',
  'file.restored',
  'folder.created',
  'folder.moved',
  'folder.deleted',
  'folder.restored',
  'share.created',
  'share.revoked',
  'member.added',
  'member.removed',
  'webhook.disabled',
  'connection.created',
  'connection.revoked',
  'connection.needs_reauth',
  'sync_pair.failed',
  'sync_pair.recovered',
]);
export type EventType = z.infer<typeof eventTypeSchema>;

/** One entry of a workspace's append-only event feed; `seq` is gap-free and increasing per workspace. */
export const eventSchema = z.object({
  seq: z.number().int().positive(),
  id: idSchema,
  workspaceId: idSchema,
  type: eventTypeSchema,
  at: timestampSchema,
  actorId: idSchema.nullable(),
  source: z.string(),
  node: nodeSchema.optional(),
  from: z.object({ parentId: idSchema.nullable(), name: z.string(), path: z.string().optional() }).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type FerryEvent = z.infer<typeof eventSchema>;

export const eventPageSchema = z.object({ events: z.array(eventSchema), nextCursor: z.string() });
export type EventPage = z.infer<typeof eventPageSchema>;

export const auditEntrySchema = z.object({
  seq: z.number().int().positive(),
  at: timestampSchema,
  workspaceId: idSchema.nullable(),
  actorId: idSchema.nullable(),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
