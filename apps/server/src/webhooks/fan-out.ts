/**
 * @module webhooks/fan-out
 * Turns the event feed into deliveries. Each endpoint keeps a cursor (the last
 * event seq it has been given); one transaction reads the events after it,
 * inserts one delivery + one delivery job per matching event, and moves the
 * cursor. The event commit and the fan-out are separate steps, yet nothing is
 * lost if the process dies in between: the next fan-out starts at the stored
 * cursor. A unique (endpoint, event seq) index keeps a delivery from being made twice;
 * its body is the event's (stored once with the event, see delivery-body).
 * The delivery pump fans out inside its own cycle, as many events as it has
 * room to attempt, with one job for the whole batch leased to itself
 * (`fanOutInto` with a lease: a shared job, see delivery-store): made,
 * claimed and loaded in one step.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../context.js';
import type { Database, EventRow, WebhookEndpointRow } from '../db/schema.js';
import { enqueueJobs, enqueueLeasedJobs, type JobLease } from '../jobs/job-queue.js';
import { arrayRows, runSql } from '../jobs/prepared-sql.js';
import { bodyFromEvent } from './delivery-body.js';
import type { DeliverBatchPayload, DeliveryToAttempt, SharedJob } from './delivery-store.js';

export const deliverJobKind = 'webhook.deliver';

export interface DeliverJobPayload {
  deliveryId: string;
  /** A manual replay: one attempt, no automatic retries. */
  replay?: boolean;
}

export { deliveryBody } from './delivery-body.js';

export interface FanOutResult {
  deliveries: number;
  /** More events are waiting after this batch. */
  more: boolean;
}

type FanOutEndpointRow = Pick<
  WebhookEndpointRow,
  'id' | 'workspace_id' | 'cursor_seq' | 'event_types' | 'kind' | 'url' | 'enabled' | 'failing_since' | 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'
>;

/**
 * An endpoint is fanned out only while its integration (`webhooks` for endpoints, `zapier` for REST hooks) is
 * installed and enabled in its workspace (marketplace/integration-gate.ts); otherwise its cursor waits.
 */
const integrationInstalledSql = (alias: string) => `EXISTS (SELECT 1 FROM "marketplace_installs" AS i WHERE i."workspace_id" = ${alias}."workspace_id"
AND i."integration_id" = CASE ${alias}."kind" WHEN 'rest_hook' THEN 'zapier' ELSE 'webhooks' END AND i."enabled" = 1)`;

const lockEndpointSql = `UPDATE "webhook_endpoints" AS e SET "cursor_seq" = "cursor_seq" WHERE "id" = ? AND "enabled" = 1 AND ${integrationInstalledSql('e')}
RETURNING "id", "workspace_id", "cursor_seq", "event_types", "kind", "url", "enabled", "failing_since", "secret_ciphertext", "previous_secret_ciphertext", "previous_secret_expires_at"`;

/** The next events of a workspace, as arrays (`EventColumns`): a burst reads thousands. */
const nextEventsSql = arrayRows('SELECT "seq", "id", "type", "at", "actor_id", "source", "payload" FROM "events" WHERE "workspace_id" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?');
type EventColumns = [seq: number, id: string, type: string, at: string, actorId: string | null, source: string, payload: string];

const behindSql = `SELECT e."id" FROM "webhook_endpoints" AS e INNER JOIN "workspaces" AS w ON w."id" = e."workspace_id"
WHERE e."enabled" = 1 AND e."cursor_seq" < w."event_seq" AND ${integrationInstalledSql('e')}`;

const moveCursorSql = 'UPDATE "webhook_endpoints" SET "cursor_seq" = ? WHERE "id" = ?';

/**
 * The deliveries of one endpoint's next events, made from the event rows in one statement (no values bound per
 * row): one per event in (cursor, last] whose type the endpoint takes (an empty filter takes all), with a new
 * ordered id each; an event that has its delivery already is skipped (unique endpoint + seq).
 */
const insertDeliveriesSql = arrayRows(`INSERT INTO "webhook_deliveries" ("id", "endpoint_id", "workspace_id", "event_id", "event_seq", "event_type", "body", "status", "attempts", "next_attempt_at", "test", "created_at", "updated_at")
SELECT ferry_ordered_id('msg'), ?, v."workspace_id", v."id", v."seq", v."type", ?, 'pending', 0, ?, 0, ?, ? FROM "events" AS v
WHERE v."workspace_id" = ? AND v."seq" > ? AND v."seq" <= ? AND (json_array_length(?) = 0 OR v."type" IN (SELECT "value" FROM json_each(?)))
ORDER BY v."seq"
ON CONFLICT ("endpoint_id", "event_seq") DO NOTHING RETURNING "id", "event_seq"`);

export interface FanOutBatch {
  /** The deliveries made. */
  made: number;
  /** With a lease: the deliveries made, ready to attempt, and the one job they share. */
  leased: DeliveryToAttempt[];
  shared: SharedJob | null;
  /** More events are waiting after this batch. */
  more: boolean;
}

/**
 * Fans out the next `limit` events of one endpoint inside `trx`. With a
 * `lease`, the new jobs are taken by that worker at once (it attempts them
 * right after commit, without claiming or loading them again).
 */
export async function fanOutInto(trx: Kysely<Database>, clock: Clock, endpointId: string, limit: number, lease: JobLease | null): Promise<FanOutBatch> {
  // A write first, so the transaction holds SQLite's write lock before it reads the cursor:
  // two fan-outs of the same endpoint run one after the other, never on the same snapshot.
  const { rows: endpoints } = await runSql<FanOutEndpointRow>(trx, lockEndpointSql, [endpointId]);
  const endpoint = endpoints[0];
  if (endpoint === undefined) return { made: 0, leased: [], shared: null, more: false };
  const { rows: events } = await runSql<EventColumns>(trx, nextEventsSql, [endpoint.workspace_id, endpoint.cursor_seq, limit]);
  const last = events.at(-1)?.[0];
  if (last === undefined) return { made: 0, leased: [], shared: null, more: false };
  const now = clock.now();
  const at = now.toISOString();
  const { rows: inserted } = await runSql<[id: string, seq: number]>(trx, insertDeliveriesSql, [
    endpoint.id,
    bodyFromEvent,
    at,
    at,
    at,
    endpoint.workspace_id,
    endpoint.cursor_seq,
    last,
    endpoint.event_types,
    endpoint.event_types,
  ]);
  // Each delivery made with its event (the attempt builds the body from the event row), in event order.
  const idBySeq = new Map(inserted.map(([id, seq]) => [seq, id]));
  const created: { id: string; event: EventRow }[] = [];
  const { workspace_id: workspaceId } = endpoint;
  for (const [seq, eventId, type, eventAt, actorId, source, payload] of events) {
    const id = idBySeq.get(seq);
    if (id !== undefined) created.push({ id, event: { workspace_id: workspaceId, seq, id: eventId, type, at: eventAt, actor_id: actorId, source, payload } });
  }
  const leased: DeliveryToAttempt[] = [];
  let shared: SharedJob | null = null;
  if (lease === null) {
    await enqueueJobs(trx, created.map(({ id }) => ({ kind: deliverJobKind, payload: { deliveryId: id } satisfies DeliverJobPayload })), now);
  } else if (created.length > 0) {
    // One job row for the batch instead of one per delivery (written and deleted again seconds later).
    const [job] = await enqueueLeasedJobs(trx, [{ kind: deliverJobKind, payload: { deliveryIds: created.map(({ id }) => id) } satisfies DeliverBatchPayload }], now, lease);
    if (job === undefined) throw new Error('fan-out: the batch job was not made');
    shared = { job, remaining: created.length };
    // What an attempt needs of each delivery, built field by field (a spread of the row per delivery cost more).
    const { workspace_id, kind, url, enabled, failing_since, secret_ciphertext, previous_secret_ciphertext, previous_secret_expires_at } = endpoint;
    for (const { id, event } of created) {
      leased.push({ id, body: bodyFromEvent, event, attempts: 0, status: 'pending', test: 0, workspace_id, endpoint_id: endpoint.id, kind, url, enabled, failing_since, secret_ciphertext, previous_secret_ciphertext, previous_secret_expires_at });
    }
  }
  await runSql(trx, moveCursorSql, [last, endpoint.id]);
  return { made: created.length, leased, shared, more: events.length === limit };
}

/** Fans out the next `batch` events of one endpoint, in its own transaction; the jobs wait to be claimed. */
export async function fanOutEndpoint(db: Kysely<Database>, clock: Clock, endpointId: string, batch = 500): Promise<FanOutResult> {
  const result = await db.transaction().execute((trx) => fanOutInto(trx, clock, endpointId, batch, null));
  return { deliveries: result.made, more: result.more };
}

/** Endpoints that are enabled and behind their workspace's feed. */
export async function endpointsBehind(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await runSql<{ id: string }>(db, behindSql);
  return rows.map((row) => row.id);
}

/** Fans out every endpoint until all have caught up; returns the number of deliveries made. */
export async function fanOutAll(db: Kysely<Database>, clock: Clock, batch = 500): Promise<number> {
  let total = 0;
  for (const endpointId of await endpointsBehind(db)) {
    for (;;) {
      const result = await fanOutEndpoint(db, clock, endpointId, batch);
      total += result.deliveries;
      if (!result.more) break;
    }
  }
  return total;
}
