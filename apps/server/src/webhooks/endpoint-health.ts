/**
 * @module webhooks/endpoint-health
 * When Ferry stops delivering to an endpoint by itself: at once on 410 Gone,
 * or after it has failed without a single success for 5 days. Disabling is an
 * operational record: an audit row (no actor) and a `webhook.disabled` event
 * in the workspace feed, in the same transaction; its pending deliveries are
 * cancelled. An admin turns it back on with PATCH enabled=true.
 */
import type { FerryEvent } from '@ferry/core';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { Database, WebhookEndpointRow } from '../db/schema.js';
import { appendEvent } from '../events/event-log.js';
import { cancelPendingDeliveries } from './endpoint-store.js';

export const failingDisableAfterMs = 5 * 24 * 3600_000;

/** True when an endpoint failing since `failingSince` has failed long enough to be disabled at `now`. */
export function failedTooLong(failingSince: string | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - Date.parse(failingSince) >= failingDisableAfterMs;
}

/** Disables the endpoint inside `trx`; returns the event to announce after commit. */
export async function disableEndpoint(
  trx: Kysely<Database>,
  endpoint: Pick<WebhookEndpointRow, 'id' | 'workspace_id' | 'url'>,
  reason: string,
  now: Date,
): Promise<FerryEvent | null> {
  const at = now.toISOString();
  const result = await trx
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: reason, updated_at: at })
    .where('id', '=', endpoint.id)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return null;
  await cancelPendingDeliveries(trx, endpoint.id, at);
  await appendAudit(trx, {
    at,
    workspaceId: endpoint.workspace_id,
    actorId: null,
    action: 'webhook.disabled',
    target: endpoint.id,
    details: { url: endpoint.url, reason },
  });
  return appendEvent(trx, {
    workspaceId: endpoint.workspace_id,
    type: 'webhook.disabled',
    at,
    actorId: null,
    source: 'webhooks',
    data: { endpointId: endpoint.id, url: endpoint.url, reason },
  });
}
