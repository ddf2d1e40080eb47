/**
 * @module db/schema
 * The tables of the server's database, as Kysely sees them. Every row that
 * belongs to a workspace carries `workspace_id`, and every query filters on it.
 * Times are ISO-8601 UTC strings; booleans are 0/1 (SQLite).
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: string;
}

export interface SessionsTable {
  /** sha256 (hex) of the cookie value; the cookie itself is never stored. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** sha256 (hex) of the secret. */
  token_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  root_folder_id: string;
  /** The last event seq handed out; the next event gets event_seq + 1 in the same transaction. */
  event_seq: number;
  created_at: string;
}

export interface MembersTable {
  workspace_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  added_at: string;
}

export interface NodesTable {
  id: string;
  workspace_id: string;
  parent_id: string | null;
  kind: 'file' | 'folder';
  name: string;
  /** Lower-cased NFC name: names are unique per folder ignoring case, like Dropbox, macOS and Windows. */
  name_key: string;
  size: number;
  sha256: string | null;
  /** ETag: a fresh id on every change of the node. */
  version_id: string;
  /** The current row of `versions` (files only). */
  content_version_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** Set on the node the user deleted (the trash shows these); its descendants carry deleted_at only. */
  trashed: number;
}

export interface VersionsTable {
  id: string;
  file_id: string;
  workspace_id: string;
  sha256: string;
  size: number;
  author_id: string | null;
  source: string;
  created_at: string;
}

export interface UploadSessionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  parent_id: string;
  name: string;
  size: number;
  offset: number;
  sha256: string | null;
  if_match: string | null;
  created_at: string;
  expires_at: string;
}

export interface SharesTable {
  id: string;
  workspace_id: string;
  node_id: string;
  token: string;
  password_hash: string | null;
  expires_at: string | null;
  max_downloads: number | null;
  downloads: number;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

export interface EventsTable {
  workspace_id: string;
  seq: number;
  id: string;
  type: string;
  at: string;
  actor_id: string | null;
  source: string;
  /** JSON of the event's node/from/data. */
  payload: string;
}

export interface AuditTable {
  seq: Generated<number>;
  at: string;
  workspace_id: string | null;
  actor_id: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  /** JSON object or null. */
  details: string | null;
}

/** The durable jobs queue (webhook deliveries, server-side sync, refreshes). A job is claimed by taking its lease. */
export interface JobsTable {
  id: string;
  kind: string;
  /** JSON. */
  payload: string;
  status: 'pending' | 'done' | 'failed';
  /** Not before this time (ISO). */
  run_at: string;
  /** Claims so far (a crashed worker's claim counts too). */
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  created_at: string;
  done_at: string | null;
}

export interface WebhookEndpointsTable {
  id: string;
  workspace_id: string;
  kind: 'endpoint' | 'rest_hook';
  url: string;
  description: string;
  /** JSON array of event types; empty = all. */
  event_types: string;
  enabled: number;
  disabled_reason: string | null;
  /** Secret-box ciphertexts of the whsec_ secrets. */
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: string | null;
  secret_rotated_at: string | null;
  /** The last event seq of the workspace fanned out to this endpoint. */
  cursor_seq: number;
  failing_since: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  /** msg_...: the webhook-id header, the same on every attempt. */
  id: string;
  endpoint_id: string;
  workspace_id: string;
  event_id: string | null;
  event_seq: number | null;
  event_type: string;
  /** The exact JSON body sent on every attempt; '' for an event's delivery, whose body is built from its (immutable) event row (see webhooks/delivery-body). */
  body: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  attempts: number;
  next_attempt_at: string | null;
  test: number;
  created_at: string;
  updated_at: string;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  /** JSON objects. */
  request_headers: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  error: string | null;
}

/** A registered OAuth client of Ferry's authorization server; `id` is the client_id. */
export interface OAuthClientsTable {
  id: string;
  /** The workspace whose admins manage the client; users of any workspace may authorize it. */
  workspace_id: string;
  name: string;
  type: 'public' | 'confidential';
  /** sha256 (hex) of the client secret; null for public clients. */
  secret_hash: string | null;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** Space-separated scopes the client may ask for. */
  scopes: string;
  created_by: string | null;
  created_at: string;
  /** The marketplace integration the client belongs to (migration 0008); null for a plain client. */
  integration_id: string | null;
}

/** A remembered consent: the user allowed the client these scopes in this workspace. */
export interface OAuthGrantsTable {
  id: string;
  user_id: string;
  client_id: string;
  workspace_id: string;
  scopes: string;
  created_at: string;
  updated_at: string;
}

/** An authorization request waiting on the consent page; `id` = sha256 of its CSRF token. */
export interface OAuthPendingTable {
  id: string;
  session_id: string;
  user_id: string;
  client_id: string;
  redirect_uri: string;
  scopes: string;
  state: string | null;
  code_challenge: string | null;
  created_at: string;
  expires_at: string;
}

/** An authorization code; `id` = sha256 of the code. `family_id` is set once tokens were issued from it. */
export interface OAuthCodesTable {
  id: string;
  client_id: string;
  user_id: string;
  workspace_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  scopes: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  family_id: string | null;
}

/** Access and refresh tokens (hashed). One family = the tokens descending from one authorization code. */
export interface OAuthTokensTable {
  id: string;
  token_hash: string;
  kind: 'access' | 'refresh';
  family_id: string;
  client_id: string;
  user_id: string;
  workspace_id: string;
  scopes: string;
  created_at: string;
  expires_at: string;
  /** Refresh tokens: when it was exchanged for a new one; a second use revokes the family. */
  rotated_at: string | null;
  revoked_at: string | null;
}

/** A connection to a provider account; tokens are sealed by the secret box (`key_id` names the key). */
export interface ConnectionsTable {
  id: string;
  workspace_id: string;
  provider: string;
  status: 'active' | 'needs_reauth' | 'revoked';
  account_id: string;
  account_email: string | null;
  account_name: string | null;
  /** Space-separated scopes the provider granted. */
  scopes: string;
  key_id: string | null;
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string | null;
  access_token_expires_at: string | null;
  /** Bumped by every stored refresh: a process that waited on another's lease sees the change. */
  token_version: Generated<number>;
  /** The cross-process refresh lease: one process refreshes, the others wait and re-read. */
  refresh_lease_owner: string | null;
  refresh_lease_until: string | null;
  refresh_failures: Generated<number>;
  /** Back-off after a failed refresh (or a provider's Retry-After). */
  refresh_not_before: string | null;
  last_error: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}

/** A started connect: `id` = sha256 of the OAuth state; the PKCE verifier is sealed. Lives 10 minutes. */
export interface ConnectionAuthorizationsTable {
  id: string;
  workspace_id: string;
  provider: string;
  user_id: string;
  session_id: string | null;
  verifier_ciphertext: string;
  redirect_uri: string;
  return_to: string;
  created_at: string;
  expires_at: string;
}

/** An integration of the marketplace installed in a workspace (one row per workspace and integration). */
export interface MarketplaceInstallsTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  version: string;
  enabled: number;
  /** JSON array of the scope ids an admin consented to. */
  scopes: string;
  /** JSON object of the settings, valid against the version's settings schema. */
  settings: string;
  installed_by: string | null;
  installed_at: string;
  updated_at: string;
}

/** Integration calls aggregated per hour, workspace, integration and operation (written by the analytics recorder's flush). */
export interface IntegrationUsageTable {
  workspace_id: string;
  integration: string;
  operation: string;
  /** Start of the hour (ISO, UTC). */
  bucket_start: string;
  calls: number;
  errors: number;
  /** JSON object: error kind → count. */
  error_kinds: string;
  /** JSON array: counts per latency bucket (`latencyBucketBoundsMs` + the open last one). */
  latency_counts: string;
  latency_sum_ms: number;
  bytes_in: number;
  bytes_out: number;
  files: number;
  /** JSON array of the distinct user ids whose actions made calls (capped). */
  users: string;
}

/** Server-side sync pairs: a workspace folder kept in two-way sync with a Drive/Dropbox folder of a connection. */
export interface SyncPairsTable {
  id: string;
  workspace_id: string;
  folder_id: string;
  connection_id: string;
  remote_path: string;
  conflict_policy: string;
  interval_seconds: number;
  /** 1 when an admin paused the pair (or it waits for a reconnect). */
  paused: number;
  /** idle | running | paused | error | backing_off */
  status: string;
  /** Only the job carrying this token runs; a new schedule makes older jobs no-ops. */
  schedule_token: string;
  next_run_at: string | null;
  consecutive_failures: number;
  /** closed | open | half_open */
  circuit: string;
  circuit_open_until: string | null;
  /** JSON of the last run's summary. */
  last_run: string | null;
  /** JSON {at, code, message}. */
  last_error: string | null;
  /** JSON array of the last errors, newest first. */
  recent_errors: string;
  /** The workspace event feed position the pair last looked at (change-driven runs). */
  last_event_seq: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  workspaces: WorkspacesTable;
  members: MembersTable;
  nodes: NodesTable;
  versions: VersionsTable;
  upload_sessions: UploadSessionsTable;
  shares: SharesTable;
  events: EventsTable;
  audit: AuditTable;
  oauth_clients: OAuthClientsTable;
  oauth_grants: OAuthGrantsTable;
  oauth_pending: OAuthPendingTable;
  oauth_codes: OAuthCodesTable;
  oauth_tokens: OAuthTokensTable;
  jobs: JobsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  marketplace_installs: MarketplaceInstallsTable;
  integration_usage: IntegrationUsageTable;
  connections: ConnectionsTable;
  connection_authorizations: ConnectionAuthorizationsTable;
  sync_pairs: SyncPairsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NodeRow = Selectable<NodesTable>;
export type NewNode = Insertable<NodesTable>;
export type NodeUpdate = Updateable<NodesTable>;
export type VersionRow = Selectable<VersionsTable>;
export type ShareRow = Selectable<SharesTable>;
export type EventRow = Selectable<EventsTable>;
export type UploadSessionRow = Selectable<UploadSessionsTable>;
export type JobRow = Selectable<JobsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type ConnectionRow = Selectable<ConnectionsTable>;
export type SyncPairRow = Selectable<SyncPairsTable>;
