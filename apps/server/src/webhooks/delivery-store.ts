/**
 * @module webhooks/delivery-store
 * The database side of delivery attempts, in batches, inside the caller's
 * transaction (the delivery pump's one transaction per cycle): deliveries
 * about to be attempted are loaded with one statement (with their event,
 * whose body they send: see delivery-body), and the outcomes of
 * finished attempts are written together — attempt rows, delivery status, the
 * jobs' fate (finished jobs deleted, retries rescheduled, guarded by lease;
 * a retry of a delivery whose job is shared gets a job of its own),
 * and each endpoint's health (failing since / recovered / disabled). If that
 * transaction fails, the leases run out and the deliveries are attempted
 * again (at-least-once).
 */
import type { FerryEvent } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { ServerContext } from '../context.js';
import type { Database, EventRow } from '../db/schema.js';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import { deleteFinishedJobs, enqueueJobs, rescheduleJob, type ClaimedJob, type NewJob } from '../jobs/job-queue.js';
import { insertRows, runSql } from '../jobs/prepared-sql.js';
import { bodyFromEvent } from './delivery-body.js';
import { disableEndpoint } from './endpoint-health.js';
import { deliverJobKind } from './fan-out.js';

/** A delivery about to be attempted, with its endpoint; `event` is the event whose body it sends (null: the stored `body`). */
export type DeliveryToAttempt = Pick<WebhookDeliveryRow, 'id' | 'body' | 'attempts' | 'status' | 'test' | 'workspace_id'> &
  Pick<WebhookEndpointRow, 'kind' | 'url' | 'enabled' | 'failing_since' | 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'> & {
    endpoint_id: string;
    event: EventRow | null;
  };

/**
 * One job for the first attempts of a whole fan-out batch (leased to the pump
 * that made it): deleted once every one of its deliveries has been recorded.
 * If that pump dies, whoever claims it next attempts the deliveries that are
 * still pending without any attempt recorded (see the pump's `prepare`).
 */
export interface SharedJob {
  job: ClaimedJob;
  /** Its deliveries whose attempt is not recorded yet (committed cycles only). */
  remaining: number;
}

/** The payload of a shared job. */
export interface DeliverBatchPayload {
  deliveryIds: string[];
}

export interface AttemptRecord {
  job: ClaimedJob;
  /** Set when `job` is a shared job (then it is not this record's to delete or reschedule). */
  shared: SharedJob | null;
  attempt: WebhookAttemptRow;
  deliveryId: string;
  endpoint: Pick<WebhookEndpointRow, 'id' | 'workspace_id' | 'url'>;
  status: WebhookDeliveryRow['status'];
  retryAt: Date | null;
  error: string | null;
  at: Date;
  /** Whether this attempt judges the endpoint's health (not a replay or a test). */
  counts: boolean;
  succeeded: boolean;
  /** Disable the endpoint, for this reason. */
  disable: string | null;
}

const attemptColumns = ['id', 'delivery_id', 'endpoint_id', 'attempt', 'started_at', 'duration_ms', 'request_headers', 'response_status', 'response_headers', 'response_body', 'error'] as const;

/** Deliveries with their endpoint, by a JSON array of delivery ids (one statement text for any number). */
const loadSql = `SELECT d."id", d."body", d."attempts", d."status", d."test", d."workspace_id",
  e."id" AS "endpoint_id", e."kind", e."url", e."enabled", e."failing_since",
  e."secret_ciphertext", e."previous_secret_ciphertext", e."previous_secret_expires_at",
  v."seq" AS "event_seq", v."id" AS "event_id", v."type" AS "event_type", v."at" AS "event_at",
  v."actor_id" AS "event_actor_id", v."source" AS "event_source", v."payload" AS "event_payload"
FROM "webhook_deliveries" AS d INNER JOIN "webhook_endpoints" AS e ON e."id" = d."endpoint_id"
LEFT JOIN "events" AS v ON d."body" = '' AND v."workspace_id" = d."workspace_id" AND v."seq" = d."event_seq"
WHERE d."id" IN (SELECT "value" FROM json_each(?))`;

/** A loaded delivery with its event's columns (null unless its body is the event's). */
type LoadedRow = Omit<DeliveryToAttempt, 'event'> & {
  event_seq: number | null;
  event_id: string | null;
  event_type: string | null;
  event_at: string | null;
  event_actor_id: string | null;
  event_source: string | null;
  event_payload: string | null;
};

function withEvent(row: LoadedRow): DeliveryToAttempt {
  const { event_seq: seq, event_id: id, event_type: type, event_at: at, event_actor_id: actorId, event_source: source, event_payload: payload, ...delivery } = row;
  if (delivery.body !== bodyFromEvent || seq === null || id === null || type === null || at === null || source === null || payload === null) return { ...delivery, event: null };
  return { ...delivery, event: { workspace_id: delivery.workspace_id, seq, id, type, at, actor_id: actorId, source, payload } };
}

/** One attempt more for a JSON array of deliveries that are now finished (succeeded or failed). */
const finishSql = `UPDATE "webhook_deliveries" SET "status" = ?, "attempts" = "attempts" + 1, "next_attempt_at" = NULL, "updated_at" = ?
WHERE "id" IN (SELECT "value" FROM json_each(?))`;

const leaseHeldSql = 'SELECT 1 AS "held" FROM "jobs" WHERE "id" = ? AND "lease_owner" = ?';

const rescheduleSql = 'UPDATE "webhook_deliveries" SET "attempts" = "attempts" + 1, "next_attempt_at" = ?, "updated_at" = ? WHERE "id" = ?';

/** Endpoint health after a cycle's attempts: all went well (a no-op unless it was failing), failing again after a success, failing (since the first failure unless it already was). */
const recoveredSql = 'UPDATE "webhook_endpoints" SET "failing_since" = NULL WHERE "id" = ? AND "failing_since" IS NOT NULL';
const failingAgainSql = 'UPDATE "webhook_endpoints" SET "failing_since" = ? WHERE "id" = ?';
const failingSinceSql = 'UPDATE "webhook_endpoints" SET "failing_since" = ? WHERE "id" = ? AND "failing_since" IS NULL';

/** The deliveries (with their endpoint) of these ids, in the order asked; undefined where one is gone. */
export async function loadDeliveries(db: Kysely<Database>, ids: readonly string[]): Promise<(DeliveryToAttempt | undefined)[]> {
  if (ids.length === 0) return [];
  const { rows } = await runSql<LoadedRow>(db, loadSql, [JSON.stringify([...new Set(ids)])]);
  const byId = new Map(rows.map((row) => [row.id, withEvent(row)]));
  return ids.map((id) => byId.get(id));
}

/** Writes the outcomes of finished attempts inside `trx`; returns the events to announce after commit (endpoints disabled). */
export async function recordAttempts(ctx: Pick<ServerContext, 'clock'>, trx: Kysely<Database>, records: readonly AttemptRecord[]): Promise<FerryEvent[]> {
  const announced: FerryEvent[] = [];
  if (records.length === 0) return announced;
  await insertRows(trx, 'webhook_attempts', attemptColumns, records.map((record) => attemptColumns.map((column) => record.attempt[column])));
  const updatedAt = ctx.clock.now().toISOString();
  // Finished deliveries in one statement per status; rescheduled ones each get their own time.
  for (const status of ['succeeded', 'failed'] as const) {
    const ids = records.filter((record) => record.status === status).map((record) => record.deliveryId);
    if (ids.length > 0) await runSql(trx, finishSql, [status, updatedAt, JSON.stringify(ids)]);
  }
  for (const record of records.filter((entry) => entry.status === 'pending')) {
    await runSql(trx, rescheduleSql, [record.retryAt?.toISOString() ?? null, updatedAt, record.deliveryId]);
  }
  // The jobs: finished ones are deleted (the delivery row is their record), retries wait for their time.
  // A shared job is the pump's to delete (when all its deliveries are in); a retry of one of them gets its own job,
  // made only while the shared job's lease is still held (else its new holder attempts the delivery).
  const finished: ClaimedJob[] = [];
  const retries: NewJob[] = [];
  const held = new Map<SharedJob, boolean>();
  for (const record of records) {
    if (record.shared === null) {
      if (record.retryAt !== null) await rescheduleJob(trx, record.job, record.retryAt, record.error ?? 'failed');
      else finished.push(record.job);
    } else if (record.retryAt !== null) {
      let stillHeld = held.get(record.shared);
      if (stillHeld === undefined) {
        stillHeld = (await runSql(trx, leaseHeldSql, [record.shared.job.id, record.shared.job.leaseOwner])).rows.length > 0;
        held.set(record.shared, stillHeld);
      }
      if (stillHeld) retries.push({ kind: deliverJobKind, payload: { deliveryId: record.deliveryId }, runAt: record.retryAt });
    }
  }
  await deleteFinishedJobs(trx, finished);
  await enqueueJobs(trx, retries, ctx.clock.now());
  // Endpoint health, in the order the attempts finished.
  const byEndpoint = new Map<string, AttemptRecord[]>();
  for (const record of records) {
    if (!record.counts) continue;
    const list = byEndpoint.get(record.endpoint.id);
    if (list === undefined) byEndpoint.set(record.endpoint.id, [record]);
    else list.push(record);
  }
  for (const [endpointId, list] of byEndpoint) {
    const disabling = list.find((record) => record.disable !== null);
    if (disabling?.disable) {
      const event = await disableEndpoint(trx, disabling.endpoint, disabling.disable, disabling.at);
      if (event) announced.push(event);
      continue;
    }
    const lastSuccess = list.findLastIndex((record) => record.succeeded);
    const firstFailureAfter = list.slice(lastSuccess + 1).find((record) => !record.succeeded);
    if (firstFailureAfter === undefined) await runSql(trx, recoveredSql, [endpointId]);
    else if (lastSuccess >= 0) await runSql(trx, failingAgainSql, [firstFailureAfter.at.toISOString(), endpointId]);
    else await runSql(trx, failingSinceSql, [firstFailureAfter.at.toISOString(), endpointId]);
  }
  return announced;
}
