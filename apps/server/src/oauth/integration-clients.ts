/**
 * @module oauth/integration-clients
 * The marketplace rule (marketplace/integration-gate.ts) at Ferry's own
 * authorization server: a client registered for an integration gets no
 * authorization code, and no access or refresh token, for a workspace where
 * that integration is not installed and enabled. The refusal at the token
 * endpoint is `unauthorized_client` (400), not `invalid_grant`: the grant
 * itself stays valid — its refresh token works again once an admin enables
 * (or installs) the integration, unless removal revoked it. Each refusal is
 * audited (`oauth.token_refused`, `oauth.authorization_refused`).
 */
import type { FerryError } from '@ferry/core';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { integrationRefusal, integrationUse } from '../marketplace/integration-gate.js';
import type { OAuthClientRow } from './clients.js';
import { OAuthError } from './oauth-error.js';

/** Why the client may not act in the workspace, or null when it may (clients of no integration always may). */
export async function clientIntegrationRefusal(ctx: ServerContext, client: Pick<OAuthClientRow, 'integration_id'>, workspaceId: string): Promise<FerryError | null> {
  if (client.integration_id === null) return null;
  return integrationRefusal(ctx, client.integration_id, await integrationUse(ctx, workspaceId, client.integration_id));
}

/** Who was refused what, for the audit row. */
export interface RefusedRequest {
  workspaceId: string;
  userId: string;
  /** `authorization_code`, `refresh_token`, or `authorize` for the consent step. */
  grant: string;
  ip: string | null;
}

export async function auditRefusal(ctx: ServerContext, client: Pick<OAuthClientRow, 'id' | 'integration_id'>, request: RefusedRequest, refusal: FerryError): Promise<void> {
  await appendAudit(ctx.db, {
    at: ctx.clock.now().toISOString(),
    workspaceId: request.workspaceId,
    actorId: request.userId,
    action: request.grant === 'authorize' ? 'oauth.authorization_refused' : 'oauth.token_refused',
    target: client.id,
    ip: request.ip,
    details: { grant: request.grant, integrationId: client.integration_id, reason: refusal.code },
  });
}

/** For the token grants: `unauthorized_client` (audited) while the client's integration is not usable in the workspace. */
export async function requireClientIntegration(ctx: ServerContext, client: Pick<OAuthClientRow, 'id' | 'integration_id'>, request: RefusedRequest): Promise<void> {
  const refusal = await clientIntegrationRefusal(ctx, client, request.workspaceId);
  if (refusal === null) return;
  await auditRefusal(ctx, client, request, refusal);
  throw new OAuthError('unauthorized_client', refusal.message);
}
