/**
 * @module webhooks/delivery-handler
 * The job handler of `webhook.deliver`: one attempt of one delivery, then the
 * bookkeeping in one transaction — the attempt row, the delivery's status and
 * next attempt time (retry schedule with jitter and Retry-After), the
 * endpoint's health (410 disables at once, 5 days of failures disable) — and
 * the job's outcome (done, or retry at the delivery's next attempt time).
 */
import type { FerryEvent } from '@ferry/core';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { WebhookDeliveryRow } from '../db/schema.js';
import { completeJob, rescheduleJob, type ClaimedJob } from '../jobs/job-queue.js';
import type { JobHandler, JobOutcome } from '../jobs/job-worker.js';
import { sendAttempt } from './delivery-attempt.js';
import { disableEndpoint, failedTooLong } from './endpoint-health.js';
import { nextAttemptAt, type RandomSource } from './retry-schedule.js';

const payloadSchema = z.object({ deliveryId: z.string(), replay: z.boolean().optional() });

export function deliveryJobHandler(ctx: ServerContext, random: RandomSource = Math.random): JobHandler {
  return (job) => deliverOnce(ctx, job, random);
}

async function deliverOnce(ctx: ServerContext, job: ClaimedJob, random: RandomSource): Promise<JobOutcome> {
  const payload = payloadSchema.safeParse(job.payload);
  if (!payload.success) return { kind: 'failed', error: 'unreadable job payload' };
  const { deliveryId, replay = false } = payload.data;
  const row = await ctx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select([
      'd.id', 'd.body', 'd.attempts', 'd.status', 'd.test', 'd.workspace_id',
      'e.id as endpoint_id', 'e.url', 'e.enabled', 'e.failing_since',
      'e.secret_ciphertext', 'e.previous_secret_ciphertext', 'e.previous_secret_expires_at',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
  // Gone with its endpoint, or finished by another worker, or cancelled: nothing to do.
  if (row === undefined || row.status !== 'pending') return { kind: 'done' };
  if (row.enabled !== 1) {
    await ctx.db.updateTable('webhook_deliveries').set({ status: 'cancelled', next_attempt_at: null, updated_at: ctx.clock.now().toISOString() }).where('id', '=', row.id).execute();
    return { kind: 'done' };
  }

  const endpoint = { id: row.endpoint_id, workspace_id: row.workspace_id, url: row.url, secret_ciphertext: row.secret_ciphertext, previous_secret_ciphertext: row.previous_secret_ciphertext, previous_secret_expires_at: row.previous_secret_expires_at };
  const { attempt, outcome } = await sendAttempt(ctx, row, endpoint);
  const now = ctx.clock.now();
  const at = now.toISOString();
  // Manual replays and test messages do not judge the endpoint's health.
  const counts = !replay && row.test === 0;
  const retryAt = outcome.succeeded || replay || (outcome.gone && counts) ? null : nextAttemptAt(attempt.attempt, now, outcome.retryAfterMs, random);
  const status: WebhookDeliveryRow['status'] = outcome.succeeded ? 'succeeded' : retryAt === null ? 'failed' : 'pending';

  let announced: FerryEvent | null = null;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_attempts').values(attempt).execute();
    await trx
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status, attempts: eb('attempts', '+', 1), next_attempt_at: retryAt?.toISOString() ?? null, updated_at: at }))
      .where('id', '=', row.id)
      .execute();
    // The job's fate commits with the attempt it records.
    if (retryAt === null) await completeJob(trx, job, now);
    else await rescheduleJob(trx, job, retryAt, outcome.error ?? 'failed');
    if (!counts) return;
    if (outcome.succeeded) {
      if (row.failing_since !== null) await trx.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', endpoint.id).execute();
    } else if (outcome.gone) {
      announced = await disableEndpoint(trx, endpoint, 'The endpoint answered 410 Gone.', now);
    } else if (failedTooLong(row.failing_since, now)) {
      announced = await disableEndpoint(trx, endpoint, `Every delivery has failed since ${row.failing_since ?? at} (5 days).`, now);
    } else if (row.failing_since === null) {
      await trx.updateTable('webhook_endpoints').set({ failing_since: at }).where('id', '=', endpoint.id).where('failing_since', 'is', null).execute();
    }
  });
  if (announced !== null) ctx.hub.notify(row.workspace_id);
  return { kind: 'settled' };
}
