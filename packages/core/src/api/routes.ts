/**
 * @module api/routes
 * Every endpoint of the Ferry REST API (`/api/v1`), in one table. The server
 * registers handlers by these names, the typed client calls by them, and the
 * OpenAPI 3.1 document is generated from them.
 *
 * Conventions:
 * - ids are opaque strings; every id-addressed route checks that the caller is
 *   a member of the id's workspace and answers 404 otherwise (never 403, so ids
 *   of other workspaces cannot be probed);
 * - writes to a node take `If-Match: <versionId>` and answer 412 when stale;
 * - lists are paged with `cursor` + `limit` and answer `nextCursor` (null at the end).
 */
import { z } from 'zod';
import {
  apiTokenSchema,
  auditEntrySchema,
  createdApiTokenSchema,
  eventPageSchema,
  idSchema,
  memberSchema,
  meSchema,
  nodeSchema,
  pageOf,
  publicShareSchema,
  roleSchema,
  shareSchema,
  uploadSessionSchema,

  versionSchema,
  workspaceSchema,
} from '../schemas.js';
import { batchUploadResultSchema } from '../batch-upload-schemas.js';
import {
  createWebhookEndpointSchema,
  restHookSchema,
  restHookSubscribeSchema,
  updateWebhookEndpointSchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookTestResultSchema,
} from '../webhook-schemas.js';
import {
  connectionProviderSchema,
  connectionSchema,
  deletedConnectionSchema,
  providerIdSchema,
  startConnectionSchema,
  startedConnectionSchema,
} from '../connection-schemas.js';
import {
  analyticsQuerySchema,
  analyticsReportSchema,
  catalogEntrySchema,
  catalogPageSchema,
  configureIntegrationBodySchema,
  installIntegrationBodySchema,
  integrationCategorySchema,
  integrationIdSchema,
  integrationInstallSchema,
  removedIntegrationSchema,
  updateInstallBodySchema,
  upgradeIntegrationBodySchema,
} from '../marketplace/index.js';
import { defineRoutes } from './define.js';

const limit = z.coerce.number().int().min(1).max(1000).optional();
const cursor = z.string().max(200).optional();
const paging = { cursor, limit };
const wsParams = z.object({ workspaceId: idSchema });
const nodeParams = z.object({ nodeId: idSchema });
const ok = z.object({ ok: z.literal(true) });

/** Scopes a client may ask for: the ApiScope values plus `offline_access` (a refresh token). */
export const oauthScopeSchema = z.enum(['files:read', 'files:write', 'shares:write', 'webhooks:manage', 'offline_access']);
export const oauthClientSchema = z.object({
  id: idSchema.describe('the client_id'),
  workspaceId: idSchema.describe('the workspace that registered (manages) the client'),
  name: z.string(),
  type: z.enum(['public', 'confidential']).describe('public: PKCE, no secret; confidential: a client secret'),
  redirectUris: z.array(z.string()),
  scopes: z.array(oauthScopeSchema).describe('the most the client may ask for'),
  createdAt: z.string(),
  createdBy: idSchema.nullable(),
  integrationId: z.string().nullable().optional().describe('the marketplace integration the client belongs to: its tokens are refused while the integration is disabled, revoked when it is removed'),
});
export type OAuthClient = z.infer<typeof oauthClientSchema>;
export const oauthGrantSchema = z.object({
  id: idSchema,
  clientId: idSchema,
  clientName: z.string(),
  workspaceId: idSchema,
  workspaceName: z.string(),
  scopes: z.array(oauthScopeSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OAuthGrant = z.infer<typeof oauthGrantSchema>;

// ── sync pairs (schemas) ──
export const syncPairConflictPolicySchema = z.enum(['keep-both', 'newer', 'workspace', 'remote']);
export const syncPairStatusSchema = z.enum(['idle', 'running', 'paused', 'error', 'backing_off']);
export const syncPairCircuitSchema = z.enum(['closed', 'open', 'half_open']);
export const syncPairErrorSchema = z.object({ at: z.string(), code: z.string(), message: z.string() });
export const syncPairRunSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  ok: z.boolean(),
  copied: z.number().int(),
  moved: z.number().int(),
  deleted: z.number().int(),
  conflicts: z.number().int(),
  failed: z.number().int(),
  issues: z.number().int(),
  bytes: z.number().int(),
});
export const syncPairSchema = z.object({
  id: idSchema,
  workspaceId: idSchema,
  folderId: idSchema,
  connectionId: idSchema,
  provider: z.string(),
  remotePath: z.string(),
  conflictPolicy: syncPairConflictPolicySchema,
  intervalSeconds: z.number().int(),
  paused: z.boolean(),
  status: syncPairStatusSchema,
  circuit: syncPairCircuitSchema,
  circuitOpenUntil: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  nextRunAt: z.string().nullable(),
  lastRun: syncPairRunSchema.nullable(),
  lastError: syncPairErrorSchema.nullable(),
  recentErrors: z.array(syncPairErrorSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const syncPairParams = z.object({ workspaceId: idSchema, pairId: idSchema });
/** A folder path of the connected account, e.g. "/Team/Reports" (a missing leading "/" is added). */
const remotePathSchema = z.string().min(1).max(1024);
const intervalSecondsSchema = z.number().int().min(10).max(7 * 86_400);
export const createSyncPairSchema = z.object({
  folderId: idSchema,
  connectionId: idSchema,
  remotePath: remotePathSchema,
  conflictPolicy: syncPairConflictPolicySchema.default('keep-both'),
  intervalSeconds: intervalSecondsSchema.default(300),
});
export const updateSyncPairSchema = z.object({
  paused: z.boolean().optional(),
  conflictPolicy: syncPairConflictPolicySchema.optional(),
  intervalSeconds: intervalSecondsSchema.optional(),
});

export const routes = defineRoutes({
  // ── set-up, sessions, identity ──────────────────────────────────────────
  setupStatus: {
    method: 'GET', path: '/api/v1/auth/setup', tag: 'auth', auth: 'none',
    summary: 'Whether the first-run set-up is still needed (no user exists yet).',
    response: z.object({ needed: z.boolean() }),
  },
  setup: {
    method: 'POST', path: '/api/v1/auth/setup', tag: 'auth', auth: 'none', status: 201,
    summary: 'First run: create the first user (owner) and workspace, and sign in.',
    body: z.object({
      email: z.email().max(254),
      password: z.string().min(8).max(1024),
      name: z.string().min(1).max(100).optional(),
      workspaceName: z.string().min(1).max(100).optional(),
    }),
    response: meSchema,
    errors: ['already_set_up', 'validation_failed'],
  },
  login: {
    method: 'POST', path: '/api/v1/auth/login', tag: 'auth', auth: 'none',
    summary: 'Sign in with email and password; sets the HttpOnly session cookie.',
    body: z.object({ email: z.string().max(254), password: z.string().max(1024) }),
    response: meSchema,
    errors: ['invalid_credentials', 'rate_limited'],
  },
  logout: {
    method: 'POST', path: '/api/v1/auth/logout', tag: 'auth', auth: 'user',
    summary: 'End the current web session.',
    response: ok,
  },
  me: {
    method: 'GET', path: '/api/v1/me', tag: 'auth', auth: 'user', scope: 'files:read',
    summary: 'The caller and the workspaces they belong to.',
    response: meSchema,
  },
  listTokens: {
    method: 'GET', path: '/api/v1/tokens', tag: 'auth', auth: 'user',
    summary: "The caller's personal API tokens (never the secrets).",
    response: z.object({ items: z.array(apiTokenSchema) }),
  },
  createToken: {
    method: 'POST', path: '/api/v1/tokens', tag: 'auth', auth: 'user', status: 201,
    summary: 'Create a personal API token; the secret is in this answer only.',
    body: z.object({ name: z.string().min(1).max(100), expiresInDays: z.number().int().min(1).max(3650).optional() }),
    response: createdApiTokenSchema,
  },
  revokeToken: {
    method: 'DELETE', path: '/api/v1/tokens/:tokenId', tag: 'auth', auth: 'user',
    summary: 'Revoke a personal API token at once.',
    params: z.object({ tokenId: idSchema }),
    response: ok,
    errors: ['token_not_found'],
  },

  // ── workspaces and members ──────────────────────────────────────────────
  listWorkspaces: {
    method: 'GET', path: '/api/v1/workspaces', tag: 'workspaces', auth: 'user', scope: 'files:read',
    summary: 'Workspaces the caller is a member of.',
    response: z.object({ items: z.array(workspaceSchema) }),
  },
  createWorkspace: {
    method: 'POST', path: '/api/v1/workspaces', tag: 'workspaces', auth: 'user', status: 201,
    summary: 'Create a workspace; the caller becomes its owner.',
    body: z.object({ name: z.string().min(1).max(100) }),
    response: workspaceSchema,
  },
  getWorkspace: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId', tag: 'workspaces', auth: 'user', scope: 'files:read',
    summary: 'One workspace.',
    params: wsParams,
    response: workspaceSchema,
    errors: ['workspace_not_found'],
  },
  listMembers: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/members', tag: 'workspaces', auth: 'user',
    summary: 'Members of a workspace.',
    params: wsParams,
    response: z.object({ items: z.array(memberSchema) }),
  },
  addMember: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/members', tag: 'workspaces', auth: 'user', status: 201,
    summary: 'Add an existing user by email (admin or owner only).',
    params: wsParams,
    body: z.object({ email: z.string().max(254), role: roleSchema.default('member') }),
    response: memberSchema,
    errors: ['forbidden', 'user_not_found'],
  },
  updateMember: {
    method: 'PATCH', path: '/api/v1/workspaces/:workspaceId/members/:userId', tag: 'workspaces', auth: 'user',
    summary: "Change a member's role (admin or owner; only an owner grants owner).",
    params: z.object({ workspaceId: idSchema, userId: idSchema }),
    body: z.object({ role: roleSchema }),
    response: memberSchema,
    errors: ['forbidden', 'last_owner'],
  },
  removeMember: {
    method: 'DELETE', path: '/api/v1/workspaces/:workspaceId/members/:userId', tag: 'workspaces', auth: 'user',
    summary: 'Remove a member (admin or owner, or the member themself).',
    params: z.object({ workspaceId: idSchema, userId: idSchema }),
    response: ok,
    errors: ['forbidden', 'last_owner'],
  },

  // ── files and folders ───────────────────────────────────────────────────
  resolvePath: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/resolve', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'The node at a path such as /docs/report.pdf ("/" is the root folder).',
    params: wsParams,
    query: z.object({ path: z.string().max(4096) }),
    response: nodeSchema,
    errors: ['node_not_found', 'invalid_name'],
  },
  search: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/search', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'Files and folders whose name contains the query (case-insensitive), with paths.',
    params: wsParams,
    query: z.object({ q: z.string().min(1).max(255), ...paging }),
    response: pageOf(nodeSchema),
  },
  listTrash: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/trash', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'Deleted files and folders that can be restored (top-level deletions only).',
    params: wsParams,
    query: z.object(paging),
    response: pageOf(nodeSchema),
  },
  getNode: {
    method: 'GET', path: '/api/v1/nodes/:nodeId', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'Metadata of a file or folder, with its path; ETag header = versionId.',
    params: nodeParams,
    response: nodeSchema,
    errors: ['node_not_found'],
  },
  listChildren: {
    method: 'GET', path: '/api/v1/nodes/:nodeId/children', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'The children of a folder, folders first then by name, paged.',
    params: nodeParams,
    query: z.object(paging),
    response: pageOf(nodeSchema),
    errors: ['node_not_found', 'not_a_folder'],
  },
  createFolder: {
    method: 'POST', path: '/api/v1/nodes/:nodeId/folders', tag: 'files', auth: 'user', scope: 'files:write', status: 201,
    summary: 'Create a folder inside a folder.',
    params: nodeParams,
    body: z.object({ name: z.string() }),
    response: nodeSchema,
    errors: ['invalid_name', 'name_conflict', 'not_a_folder'],
  },
  updateNode: {
    method: 'PATCH', path: '/api/v1/nodes/:nodeId', tag: 'files', auth: 'user', scope: 'files:write',
    summary: 'Rename and/or move a node (If-Match: versionId).',
    params: nodeParams,
    body: z.object({ name: z.string().optional(), parentId: idSchema.optional() }),
    response: nodeSchema,
    errors: ['invalid_name', 'name_conflict', 'cycle', 'precondition_failed'],
  },
  deleteNode: {
    method: 'DELETE', path: '/api/v1/nodes/:nodeId', tag: 'files', auth: 'user', scope: 'files:write',
    summary: 'Move a node (and everything under it) to the trash (If-Match: versionId).',
    params: nodeParams,
    response: nodeSchema,
    errors: ['precondition_failed'],
  },
  restoreNode: {
    method: 'POST', path: '/api/v1/nodes/:nodeId/restore', tag: 'files', auth: 'user', scope: 'files:write',
    summary: 'Restore a node from the trash into its old folder (renamed if the name is taken).',
    params: nodeParams,
    response: nodeSchema,
  },
  putFileByName: {
    method: 'PUT', path: '/api/v1/nodes/:nodeId/files/:name', tag: 'files', auth: 'user', scope: 'files:write',
    summary:
      'Stream a file into a folder by name: creates it, or adds a version. If-None-Match: * creates only; If-Match: versionId replaces only that version. ' +
      'Content-Digest (sha-256) or X-Ferry-Sha256 is verified; nothing is stored on a mismatch. X-Ferry-Source names the device.',
    params: z.object({ nodeId: idSchema, name: z.string() }),
    body: 'binary',
    response: nodeSchema,
    errors: ['digest_mismatch', 'payload_too_large', 'precondition_failed', 'name_conflict'],
  },
  uploadFiles: {
    method: 'POST', path: '/api/v1/nodes/:nodeId/files', tag: 'files', auth: 'user', scope: 'files:write',
    summary:
      'Upload many files into a folder in one request (multipart/form-data): a `manifest` part (JSON: {files:[{name,size,sha256?,ifMatch?,ifNoneMatch?}]}, ' +
      'at most 1,000 files and 256 MiB) then one `file` part per entry in the same order. Each entry is written or fails on its own; ' +
      'a malformed or cut-off body stores nothing.',
    params: nodeParams,
    body: 'multipart',
    response: batchUploadResultSchema,
    errors: ['bad_request', 'payload_too_large', 'not_a_folder'],
  },
  putFileContent: {
    method: 'PUT', path: '/api/v1/nodes/:nodeId/content', tag: 'files', auth: 'user', scope: 'files:write',
    summary: 'Stream a new version of an existing file (If-Match: versionId).',
    params: nodeParams,
    body: 'binary',
    response: nodeSchema,
    errors: ['digest_mismatch', 'payload_too_large', 'precondition_failed', 'not_a_file'],
  },
  getFileContent: {
    method: 'GET', path: '/api/v1/nodes/:nodeId/content', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'Download a file (Range supported; ?versionId= for an older version).',
    params: nodeParams,
    query: z.object({ versionId: idSchema.optional() }),
    response: 'binary',
    errors: ['not_a_file', 'range_not_satisfiable', 'version_not_found'],
  },
  listVersions: {
    method: 'GET', path: '/api/v1/nodes/:nodeId/versions', tag: 'files', auth: 'user', scope: 'files:read',
    summary: 'The versions of a file, newest first.',
    params: nodeParams,
    response: z.object({ items: z.array(versionSchema) }),
  },
  restoreVersion: {
    method: 'POST', path: '/api/v1/nodes/:nodeId/versions/:versionId/restore', tag: 'files', auth: 'user', scope: 'files:write',
    summary: 'Make an older version current again (as a new version).',
    params: z.object({ nodeId: idSchema, versionId: idSchema }),
    response: nodeSchema,
  },

  // ── resumable uploads ───────────────────────────────────────────────────
  createUpload: {
    method: 'POST', path: '/api/v1/uploads', tag: 'uploads', auth: 'user', scope: 'files:write', status: 201,
    summary: 'Start a resumable upload of a large file.',
    body: z.object({
      parentId: idSchema,
      name: z.string(),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
      ifMatch: idSchema.optional().describe('replace only this version of an existing file'),
    }),
    response: uploadSessionSchema,
    errors: ['payload_too_large', 'invalid_name'],
  },
  getUpload: {
    method: 'GET', path: '/api/v1/uploads/:uploadId', tag: 'uploads', auth: 'user', scope: 'files:write',
    summary: 'Where an upload stands (its offset), to resume it.',
    params: z.object({ uploadId: idSchema }),
    response: uploadSessionSchema,
    errors: ['upload_not_found', 'upload_expired'],
  },
  appendUpload: {
    method: 'PATCH', path: '/api/v1/uploads/:uploadId', tag: 'uploads', auth: 'user', scope: 'files:write',
    summary: 'Append a chunk at Upload-Offset (must equal the current offset).',
    params: z.object({ uploadId: idSchema }),
    body: 'binary',
    response: uploadSessionSchema,
    errors: ['offset_mismatch', 'payload_too_large', 'upload_expired'],
  },
  finishUpload: {
    method: 'POST', path: '/api/v1/uploads/:uploadId/finish', tag: 'uploads', auth: 'user', scope: 'files:write',
    summary: 'Verify size and hash and put the file in place.',
    params: z.object({ uploadId: idSchema }),
    response: nodeSchema,
    errors: ['size_mismatch', 'digest_mismatch', 'precondition_failed'],
  },
  cancelUpload: {
    method: 'DELETE', path: '/api/v1/uploads/:uploadId', tag: 'uploads', auth: 'user', scope: 'files:write',
    summary: 'Abandon an upload and free its space.',
    params: z.object({ uploadId: idSchema }),
    response: ok,
  },

  // ── share links ─────────────────────────────────────────────────────────
  createShare: {
    method: 'POST', path: '/api/v1/nodes/:nodeId/shares', tag: 'shares', auth: 'user', scope: 'shares:write', status: 201,
    summary: 'Create a share link for a file.',
    params: nodeParams,
    body: z.object({
      expiresAt: z.iso.datetime().optional(),
      password: z.string().min(1).max(1024).optional(),
      maxDownloads: z.number().int().min(1).max(1_000_000).optional(),
    }),
    response: shareSchema,
  },
  listShares: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/shares', tag: 'shares', auth: 'user', scope: 'shares:write',
    summary: 'Share links of a workspace.',
    params: wsParams,
    response: z.object({ items: z.array(shareSchema) }),
  },
  revokeShare: {
    method: 'DELETE', path: '/api/v1/shares/:shareId', tag: 'shares', auth: 'user', scope: 'shares:write',
    summary: 'Revoke a share link at once.',
    params: z.object({ shareId: idSchema }),
    response: ok,
  },
  getPublicShare: {
    method: 'GET', path: '/api/v1/public/shares/:token', tag: 'shares', auth: 'none',
    summary: 'What a share link points at (no sign-in).',
    params: z.object({ token: z.string().max(200) }),
    response: publicShareSchema,
    errors: ['share_not_found', 'share_expired', 'share_exhausted'],
  },
  downloadPublicShare: {
    method: 'GET', path: '/api/v1/public/shares/:token/content', tag: 'shares', auth: 'none',
    summary: 'Download through a share link; the password goes in X-Share-Password. Counts one download.',
    params: z.object({ token: z.string().max(200) }),
    response: 'binary',
    errors: ['share_password_required', 'share_expired', 'share_exhausted'],
  },

  // ── event feed and audit ────────────────────────────────────────────────
  listEvents: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/events', tag: 'events', auth: 'user', scope: 'files:read',
    summary: 'Events after `cursor` in order; with `wait` (seconds, ≤ 60) it long-polls until one arrives.',
    params: wsParams,
    query: z.object({ ...paging, wait: z.coerce.number().min(0).max(60).optional() }),
    response: eventPageSchema,
    errors: ['gone'],
  },
  listEventsDefault: {
    method: 'GET', path: '/api/v1/events', tag: 'events', auth: 'user', scope: 'files:read',
    summary: 'The same feed; `workspace` may be left out when the caller has exactly one workspace.',
    query: z.object({ workspace: idSchema.optional(), ...paging, wait: z.coerce.number().min(0).max(60).optional() }),
    response: eventPageSchema,
    errors: ['gone'],
  },
  streamEvents: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/events/stream', tag: 'events', auth: 'user', scope: 'files:read',
    summary: 'Server-Sent Events: each event as `id: <seq>`, `event: <type>`, `data: <json>`; resumes after Last-Event-ID or ?cursor=.',
    params: wsParams,
    query: z.object({ cursor }),
    response: 'text',
    errors: ['gone'],
  },
  listAudit: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/audit', tag: 'audit', auth: 'user',
    summary: 'The audit log of a workspace, newest first (admin or owner).',
    params: wsParams,
    query: z.object(paging),
    response: pageOf(auditEntrySchema),
    errors: ['forbidden'],
  },

  // ── webhooks ────────────────────────────────────────────────────────────
  listWebhookEndpoints: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/webhooks', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'Webhook endpoints of a workspace (admin or owner; never the secrets).',
    params: wsParams,
    response: z.object({ items: z.array(webhookEndpointSchema) }),
    errors: ['forbidden'],
  },
  createWebhookEndpoint: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/webhooks', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage', status: 201,
    summary: 'Add a webhook endpoint; the signing secret (whsec_...) is in this answer only.',
    params: wsParams,
    body: createWebhookEndpointSchema,
    response: webhookEndpointWithSecretSchema,
    errors: ['forbidden', 'url_not_allowed', 'integration_not_enabled', 'integration_disabled'],
  },
  getWebhookEndpoint: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/webhooks/:endpointId', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'One webhook endpoint.',
    params: z.object({ workspaceId: idSchema, endpointId: idSchema }),
    response: webhookEndpointSchema,
    errors: ['webhook_not_found'],
  },
  updateWebhookEndpoint: {
    method: 'PATCH', path: '/api/v1/workspaces/:workspaceId/webhooks/:endpointId', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'Change the URL, description, event types, or enable/disable an endpoint.',
    params: z.object({ workspaceId: idSchema, endpointId: idSchema }),
    body: updateWebhookEndpointSchema,
    response: webhookEndpointSchema,
    errors: ['webhook_not_found', 'url_not_allowed', 'integration_not_enabled', 'integration_disabled'],
  },
  deleteWebhookEndpoint: {
    method: 'DELETE', path: '/api/v1/workspaces/:workspaceId/webhooks/:endpointId', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'Remove an endpoint; its pending deliveries are cancelled.',
    params: z.object({ workspaceId: idSchema, endpointId: idSchema }),
    response: ok,
    errors: ['webhook_not_found'],
  },
  rotateWebhookSecret: {
    method: 'POST', path: '/api/v1/webhooks/:endpointId/rotate-secret', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'New signing secret (in this answer only); for 24 h deliveries carry signatures by both the old and the new one.',
    params: z.object({ endpointId: idSchema }),
    response: webhookEndpointWithSecretSchema,
    errors: ['webhook_not_found'],
  },
  testWebhookEndpoint: {
    method: 'POST', path: '/api/v1/webhooks/:endpointId/test', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'Send a signed `webhook.test` message now and answer how the endpoint responded.',
    params: z.object({ endpointId: idSchema }),
    response: webhookTestResultSchema,
    errors: ['webhook_not_found', 'integration_not_enabled', 'integration_disabled'],
  },
  listWebhookDeliveries: {
    method: 'GET', path: '/api/v1/webhooks/:endpointId/deliveries', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'The delivery log of an endpoint, newest first, with every attempt.',
    params: z.object({ endpointId: idSchema }),
    query: z.object(paging),
    response: pageOf(webhookDeliverySchema),
    errors: ['webhook_not_found'],
  },
  replayWebhookDelivery: {
    method: 'POST', path: '/api/v1/webhook-deliveries/:deliveryId/replay', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage', status: 202,
    summary: 'Send a delivery again (same webhook-id, fresh timestamp and signature); one attempt, no automatic retries.',
    params: z.object({ deliveryId: idSchema }),
    response: webhookDeliverySchema,
    errors: ['delivery_not_found', 'integration_not_enabled', 'integration_disabled'],
  },
  subscribeRestHook: {
    method: 'POST', path: '/api/v1/hooks', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage', status: 201,
    summary: 'REST-hook subscribe (Zapier): deliver events of one type to target_url.',
    body: restHookSubscribeSchema,
    response: restHookSchema,
    errors: ['url_not_allowed', 'workspace_not_found', 'integration_not_enabled', 'integration_disabled'],
  },
  unsubscribeRestHook: {
    method: 'DELETE', path: '/api/v1/hooks/:hookId', tag: 'webhooks', auth: 'user', scope: 'webhooks:manage',
    summary: 'REST-hook unsubscribe.',
    params: z.object({ hookId: idSchema }),
    response: ok,
    errors: ['webhook_not_found'],
  },

  // ── oauth clients ───────────────────────────────────────────────────────
  listOAuthClients: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/oauth-clients', tag: 'oauth', auth: 'user',
    summary: 'OAuth clients registered by a workspace (admin or owner; never the secrets).',
    params: wsParams,
    response: z.object({ items: z.array(oauthClientSchema) }),
    errors: ['forbidden'],
  },
  createOAuthClient: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/oauth-clients', tag: 'oauth', auth: 'user', status: 201,
    summary:
      'Register an OAuth client (admin or owner). Redirect URIs match exactly: https, or http on 127.0.0.1 / [::1] with any port (RFC 8252). ' +
      'A confidential client gets its secret in this answer only.',
    params: wsParams,
    body: z.object({
      name: z.string().trim().min(1).max(100),
      type: z.enum(['public', 'confidential']),
      redirectUris: z.array(z.string().max(2000)).min(1).max(10),
      scopes: z.array(oauthScopeSchema).min(1),
      integrationId: z.string().max(100).optional().describe('a marketplace integration id (e.g. zapier, outlook)'),
    }),
    response: oauthClientSchema.extend({ clientSecret: z.string().nullable().describe('confidential clients only; shown once') }),
    errors: ['forbidden', 'validation_failed'],
  },
  deleteOAuthClient: {
    method: 'DELETE', path: '/api/v1/workspaces/:workspaceId/oauth-clients/:clientId', tag: 'oauth', auth: 'user',
    summary: 'Delete a client; every code, token and consent issued to it stops working at once.',
    params: z.object({ workspaceId: idSchema, clientId: idSchema }),
    response: ok,
    errors: ['forbidden', 'oauth_client_not_found'],
  },
  listOAuthGrants: {
    method: 'GET', path: '/api/v1/oauth/grants', tag: 'oauth', auth: 'user',
    summary: "The applications the caller has allowed (consents), with their workspace and scopes.",
    response: z.object({ items: z.array(oauthGrantSchema) }),
  },
  revokeOAuthGrant: {
    method: 'DELETE', path: '/api/v1/oauth/grants/:grantId', tag: 'oauth', auth: 'user',
    summary: "Withdraw a consent: the application's tokens for the caller stop working and the next sign-in asks again.",
    params: z.object({ grantId: idSchema }),
    response: ok,
    errors: ['oauth_grant_not_found'],
  },
  // ── connections ─────────────────────────────────────────────────────────
  listConnectionProviders: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/connection-providers', tag: 'connections', auth: 'user',
    summary: 'The services a workspace can connect, and whether this server is configured for each.',
    params: wsParams,
    response: z.object({ items: z.array(connectionProviderSchema) }),
  },
  listConnections: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/connections', tag: 'connections', auth: 'user',
    summary: 'Connections of a workspace (members; never the tokens).',
    params: wsParams,
    response: z.object({ items: z.array(connectionSchema) }),
  },
  startConnection: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/connections/:provider/start', tag: 'connections', auth: 'user',
    summary: "Begin connecting a provider (admin or owner): answers the provider's sign-in URL (code + PKCE + state, valid 10 minutes).",
    params: z.object({ workspaceId: idSchema, provider: providerIdSchema }),
    body: startConnectionSchema,
    response: startedConnectionSchema,
    errors: ['forbidden', 'provider_not_configured', 'integration_not_enabled', 'integration_disabled'],
  },
  getConnection: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/connections/:connectionId', tag: 'connections', auth: 'user',
    summary: 'One connection.',
    params: z.object({ workspaceId: idSchema, connectionId: idSchema }),
    response: connectionSchema,
    errors: ['connection_not_found'],
  },
  checkConnection: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/connections/:connectionId/check', tag: 'connections', auth: 'user',
    summary: 'Use the connection once (refreshing its token if due) and answer its state; a revoked grant turns it needs_reauth.',
    params: z.object({ workspaceId: idSchema, connectionId: idSchema }),
    response: connectionSchema,
    errors: ['connection_not_found', 'connection_needs_reauth', 'provider_error', 'integration_not_enabled', 'integration_disabled'],
  },
  deleteConnection: {
    method: 'DELETE', path: '/api/v1/workspaces/:workspaceId/connections/:connectionId', tag: 'connections', auth: 'user',
    summary: 'Disconnect (admin or owner): revoke the grant at the provider, then mark the connection revoked and forget its tokens.',
    params: z.object({ workspaceId: idSchema, connectionId: idSchema }),
    response: deletedConnectionSchema,
    errors: ['forbidden', 'connection_not_found'],
  },
  // ── marketplace ─────────────────────────────────────────────────────────
  listMarketplace: {
    method: 'GET', path: '/api/v1/marketplace/integrations', tag: 'marketplace', auth: 'user',
    summary: 'The integration catalog, searched by name, description, publisher or scope (`q`) and filtered by category.',
    query: z.object({ q: z.string().max(100).optional(), category: integrationCategorySchema.optional() }),
    response: catalogPageSchema,
  },
  getMarketplaceIntegration: {
    method: 'GET', path: '/api/v1/marketplace/integrations/:integrationId', tag: 'marketplace', auth: 'user',
    summary: 'One integration of the catalog (its newest version, or `?version=`).',
    params: z.object({ integrationId: integrationIdSchema }),
    query: z.object({ version: z.string().max(64).optional() }),
    response: catalogEntrySchema,
    errors: ['integration_not_found'],
  },
  listInstalls: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/integrations', tag: 'marketplace', auth: 'user',
    summary: 'Integrations installed in a workspace, with their settings and any upgrade waiting (members).',
    params: wsParams,
    response: z.object({ items: z.array(integrationInstallSchema) }),
  },
  getInstall: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/integrations/:integrationId', tag: 'marketplace', auth: 'user',
    summary: 'One installed integration.',
    params: z.object({ workspaceId: idSchema, integrationId: integrationIdSchema }),
    response: integrationInstallSchema,
    errors: ['integration_not_installed'],
  },
  installIntegration: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/integrations', tag: 'marketplace', auth: 'user', status: 201,
    summary: "Install an integration (admin or owner). `consentedScopes` must list exactly the version's scopes; settings are checked against its schema.",
    params: wsParams,
    body: installIntegrationBodySchema,
    response: integrationInstallSchema,
    errors: ['forbidden', 'integration_not_found', 'consent_required', 'already_installed', 'integration_incompatible', 'validation_failed'],
  },
  configureIntegration: {
    method: 'PUT', path: '/api/v1/workspaces/:workspaceId/integrations/:integrationId/settings', tag: 'marketplace', auth: 'user',
    summary: "Replace an installed integration's settings (admin or owner); field-level issues answer 400 validation_failed.",
    params: z.object({ workspaceId: idSchema, integrationId: integrationIdSchema }),
    body: configureIntegrationBodySchema,
    response: integrationInstallSchema,
    errors: ['forbidden', 'integration_not_installed', 'validation_failed'],
  },
  updateInstall: {
    method: 'PATCH', path: '/api/v1/workspaces/:workspaceId/integrations/:integrationId', tag: 'marketplace', auth: 'user',
    summary: 'Enable or disable an installed integration (admin or owner).',
    params: z.object({ workspaceId: idSchema, integrationId: integrationIdSchema }),
    body: updateInstallBodySchema,
    response: integrationInstallSchema,
    errors: ['forbidden', 'integration_not_installed'],
  },
  upgradeIntegration: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/integrations/:integrationId/upgrade', tag: 'marketplace', auth: 'user',
    summary: 'Upgrade to a newer catalog version (admin or owner); when it adds scopes, `consentedScopes` must list its full set (409 consent_required names the added ones).',
    params: z.object({ workspaceId: idSchema, integrationId: integrationIdSchema }),
    body: upgradeIntegrationBodySchema,
    response: integrationInstallSchema,
    errors: ['forbidden', 'integration_not_installed', 'consent_required', 'integration_incompatible', 'conflict', 'validation_failed'],
  },
  removeIntegration: {
    method: 'DELETE', path: '/api/v1/workspaces/:workspaceId/integrations/:integrationId', tag: 'marketplace', auth: 'user',
    summary: 'Remove an integration (admin or owner): its webhook endpoints / REST hooks are deleted, its connections revoked and its jobs stopped.',
    params: z.object({ workspaceId: idSchema, integrationId: integrationIdSchema }),
    response: removedIntegrationSchema,
    errors: ['forbidden', 'integration_not_installed'],
  },

  // ── analytics ───────────────────────────────────────────────────────────
  getAnalytics: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/analytics', tag: 'analytics', auth: 'user',
    summary: 'Integration usage of a workspace (admin or owner): totals, errors by kind, p50/p95 latency, bytes and files moved, active users, and series per hour or day.',
    params: wsParams,
    query: analyticsQuerySchema,
    response: analyticsReportSchema,
    errors: ['forbidden', 'validation_failed'],
  },
  // ── sync pairs ──────────────────────────────────────────────────────────
  listSyncPairs: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/sync-pairs', tag: 'sync-pairs', auth: 'user',
    summary: 'Server-side sync pairs of a workspace with their status (members).',
    params: wsParams,
    response: z.object({ items: z.array(syncPairSchema) }),
  },
  createSyncPair: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/sync-pairs', tag: 'sync-pairs', auth: 'user', status: 201,
    summary: 'Keep a workspace folder in two-way sync with a folder of a Drive or Dropbox connection (admin or owner); the first run is queued at once.',
    params: wsParams,
    body: createSyncPairSchema,
    response: syncPairSchema,
    errors: ['forbidden', 'folder_not_found', 'connection_not_found', 'validation_failed', 'integration_not_enabled', 'integration_disabled'],
  },
  getSyncPair: {
    method: 'GET', path: '/api/v1/workspaces/:workspaceId/sync-pairs/:pairId', tag: 'sync-pairs', auth: 'user',
    summary: 'One sync pair: status, circuit breaker, last run, last errors, next run.',
    params: syncPairParams,
    response: syncPairSchema,
    errors: ['sync_pair_not_found'],
  },
  updateSyncPair: {
    method: 'PATCH', path: '/api/v1/workspaces/:workspaceId/sync-pairs/:pairId', tag: 'sync-pairs', auth: 'user',
    summary: 'Pause or resume a pair, change its interval or conflict policy (admin or owner).',
    params: syncPairParams,
    body: updateSyncPairSchema,
    response: syncPairSchema,
    errors: ['forbidden', 'sync_pair_not_found', 'integration_not_enabled', 'integration_disabled'],
  },
  deleteSyncPair: {
    method: 'DELETE', path: '/api/v1/workspaces/:workspaceId/sync-pairs/:pairId', tag: 'sync-pairs', auth: 'user',
    summary: 'Stop syncing a pair (files stay on both sides) and forget its state (admin or owner).',
    params: syncPairParams,
    response: ok,
    errors: ['forbidden', 'sync_pair_not_found'],
  },
  runSyncPair: {
    method: 'POST', path: '/api/v1/workspaces/:workspaceId/sync-pairs/:pairId/run', tag: 'sync-pairs', auth: 'user', status: 202,
    summary: 'Queue a run now (admin or owner); also the trial run of an open circuit.',
    params: syncPairParams,
    response: syncPairSchema,
    errors: ['forbidden', 'sync_pair_not_found', 'integration_not_enabled', 'integration_disabled'],
  },
});

export type Routes = typeof routes;

export type RouteName = keyof Routes;
