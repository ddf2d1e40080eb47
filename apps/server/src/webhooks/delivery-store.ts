/**
 * @module webhooks/delivery-store
 * The database side of delivery attempts, batched: deliveries being attempted
 * at the same moment are loaded with one query, and their outcomes are
 * written in one transaction (group commit) — attempt rows, delivery status,
 * the jobs' fate (done or rescheduled, guarded by lease), and each endpoint's
 * health (failing since / recovered / disabled). If that transaction fails,
 * the leases run out and the deliveries are attempted again (at-least-once).
 */
import type { FerryEvent } from '@ferry/core';
import type { ServerContext } from '../context.js';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import { rescheduleJob, type ClaimedJob } from '../jobs/job-queue.js';
import { disableEndpoint } from './endpoint-health.js';
import { TickBatcher } from './tick-batcher.js';

export type DeliveryToAttempt = Pick<WebhookDeliveryRow, 'id' | 'body' | 'attempts' | 'status' | 'test' | 'workspace_id'> &
  Pick<WebhookEndpointRow, 'url' | 'enabled' | 'failing_since' | 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'> & {
    endpoint_id: string;
  };

export interface AttemptRecord {
  job: ClaimedJob;
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

const slice = 100;

export class DeliveryStore {
  readonly #ctx: ServerContext;
  readonly #loader: TickBatcher<string, DeliveryToAttempt | undefined>;
  readonly #recorder: TickBatcher<AttemptRecord, null>;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
    this.#loader = new TickBatcher((ids) => this.#load(ids));
    this.#recorder = new TickBatcher((records) => this.#record(records));
  }

  load(deliveryId: string): Promise<DeliveryToAttempt | undefined> {
    return this.#loader.add(deliveryId);
  }

  async record(record: AttemptRecord): Promise<void> {
    await this.#recorder.add(record);
  }

  async #load(ids: string[]): Promise<(DeliveryToAttempt | undefined)[]> {
    const rows = await this.#ctx.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select([
        'd.id', 'd.body', 'd.attempts', 'd.status', 'd.test', 'd.workspace_id',
        'e.id as endpoint_id', 'e.url', 'e.enabled', 'e.failing_since',
        'e.secret_ciphertext', 'e.previous_secret_ciphertext', 'e.previous_secret_expires_at',
      ])
      .where('d.id', 'in', [...new Set(ids)])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  async #record(records: AttemptRecord[]): Promise<null[]> {
    const announced: FerryEvent[] = [];
    await this.#ctx.db.transaction().execute(async (trx) => {
      for (let start = 0; start < records.length; start += slice) {
        await trx.insertInto('webhook_attempts').values(records.slice(start, start + slice).map((record) => record.attempt)).execute();
      }
      const updatedAt = this.#ctx.clock.now().toISOString();
      // Finished deliveries in one statement per status; rescheduled ones each get their own time.
      for (const status of ['succeeded', 'failed'] as const) {
        const ids = records.filter((record) => record.status === status).map((record) => record.deliveryId);
        if (ids.length > 0) {
          await trx.updateTable('webhook_deliveries').set((eb) => ({ status, attempts: eb('attempts', '+', 1), next_attempt_at: null, updated_at: updatedAt })).where('id', 'in', ids).execute();
        }
      }
      for (const record of records.filter((entry) => entry.status === 'pending')) {
        await trx
          .updateTable('webhook_deliveries')
          .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: record.retryAt?.toISOString() ?? null, updated_at: updatedAt }))
          .where('id', '=', record.deliveryId)
          .execute();
      }
      // The jobs: done in one statement per lease owner, retries each at their time.
      const doneByOwner = new Map<string, string[]>();
      for (const record of records) {
        if (record.retryAt !== null) await rescheduleJob(trx, record.job, record.retryAt, record.error ?? 'failed');
        else doneByOwner.set(record.job.leaseOwner, [...(doneByOwner.get(record.job.leaseOwner) ?? []), record.job.id]);
      }
      for (const [owner, ids] of doneByOwner) {
        await trx
          .updateTable('jobs')
          .set({ status: 'done', done_at: updatedAt, lease_owner: null, lease_expires_at: null })
          .where('id', 'in', ids)
          .where('lease_owner', '=', owner)
          .execute();
      }
      // Endpoint health, in the order the attempts finished.
      const byEndpoint = new Map<string, AttemptRecord[]>();
      for (const record of records.filter((entry) => entry.counts)) byEndpoint.set(record.endpoint.id, [...(byEndpoint.get(record.endpoint.id) ?? []), record]);
      for (const [endpointId, list] of byEndpoint) {
        const disabling = list.find((record) => record.disable !== null);
        if (disabling?.disable) {
          const event = await disableEndpoint(trx, disabling.endpoint, disabling.disable, disabling.at);
          if (event) announced.push(event);
          continue;
        }
        const lastSuccess = list.findLastIndex((record) => record.succeeded);
        const firstFailureAfter = list.slice(lastSuccess + 1).find((record) => !record.succeeded);
        if (firstFailureAfter === undefined) {
          await trx.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', endpointId).where('failing_since', 'is not', null).execute();
        } else if (lastSuccess >= 0) {
          await trx.updateTable('webhook_endpoints').set({ failing_since: firstFailureAfter.at.toISOString() }).where('id', '=', endpointId).execute();
        } else {
          await trx.updateTable('webhook_endpoints').set({ failing_since: firstFailureAfter.at.toISOString() }).where('id', '=', endpointId).where('failing_since', 'is', null).execute();
        }
      }
    });
    for (const event of announced) this.#ctx.hub.notify(event.workspaceId);
    return records.map(() => null);
  }
}
