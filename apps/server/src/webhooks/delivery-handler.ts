/**
 * @module webhooks/delivery-handler
 * The job handler of `webhook.deliver`: one attempt of one delivery, and what
 * follows from it — the delivery's status and next attempt time (retry
 * schedule with jitter and Retry-After), the endpoint's health (410 disables
 * at once, 5 days of failures disable), the job's fate — written by the
 * delivery store in one transaction shared with the attempts that finished
 * at the same moment.
 */
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { ClaimedJob } from '../jobs/job-queue.js';
import type { JobHandler, JobOutcome } from '../jobs/job-worker.js';
import { sendAttempt } from './delivery-attempt.js';
import { DeliveryStore } from './delivery-store.js';
import { failedTooLong } from './endpoint-health.js';
import { nextAttemptAt, type RandomSource } from './retry-schedule.js';

const payloadSchema = z.object({ deliveryId: z.string(), replay: z.boolean().optional() });

export function deliveryJobHandler(ctx: ServerContext, random: RandomSource = Math.random): JobHandler {
  const store = new DeliveryStore(ctx);
  return (job) => deliverOnce(ctx, store, job, random);
}

async function deliverOnce(ctx: ServerContext, store: DeliveryStore, job: ClaimedJob, random: RandomSource): Promise<JobOutcome> {
  const payload = payloadSchema.safeParse(job.payload);
  if (!payload.success) return { kind: 'failed', error: 'unreadable job payload' };
  const { deliveryId, replay = false } = payload.data;
  const row = await store.load(deliveryId);
  // Gone with its endpoint, or finished by another worker, or cancelled: nothing to do.
  if (row === undefined || row.status !== 'pending') return { kind: 'done' };
  if (row.enabled !== 1) {
    await ctx.db.updateTable('webhook_deliveries').set({ status: 'cancelled', next_attempt_at: null, updated_at: ctx.clock.now().toISOString() }).where('id', '=', row.id).execute();
    return { kind: 'done' };
  }

  const endpoint = { id: row.endpoint_id, workspace_id: row.workspace_id, url: row.url, secret_ciphertext: row.secret_ciphertext, previous_secret_ciphertext: row.previous_secret_ciphertext, previous_secret_expires_at: row.previous_secret_expires_at };
  const { attempt, outcome } = await sendAttempt(ctx, row, endpoint);
  const now = ctx.clock.now();
  // Manual replays and test messages do not judge the endpoint's health.
  const counts = !replay && row.test === 0;
  let disable: string | null = null;
  if (counts && outcome.gone) disable = 'The endpoint answered 410 Gone.';
  else if (counts && !outcome.succeeded && failedTooLong(row.failing_since, now)) disable = `Every delivery has failed since ${row.failing_since ?? now.toISOString()} (5 days).`;
  const retryAt = outcome.succeeded || replay || disable !== null ? null : nextAttemptAt(attempt.attempt, now, outcome.retryAfterMs, random);
  // The job's fate commits with the attempt it records (group commit with the other attempts of the moment).
  await store.record({
    job,
    attempt,
    deliveryId: row.id,
    endpoint,
    status: outcome.succeeded ? 'succeeded' : retryAt === null ? 'failed' : 'pending',
    retryAt,
    error: outcome.error,
    at: now,
    counts,
    succeeded: outcome.succeeded,
    disable,
  });
  return { kind: 'settled' };
}
