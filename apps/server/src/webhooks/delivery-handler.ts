/**
 * @module webhooks/delivery-handler
 * One attempt of one delivery (a claimed `webhook.deliver` job) and what
 * follows from it: the delivery's status and next attempt time (retry
 * schedule with jitter and Retry-After), whether it judges the endpoint's
 * health (410 disables at once, 5 days of failures disable), and the job's
 * fate. The answer is an AttemptRecord for the delivery store, which the
 * delivery pump writes together with the other attempts of the moment.
 */
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { ClaimedJob } from '../jobs/job-queue.js';
import { sendAttempt } from './delivery-attempt.js';
import type { AttemptRecord, DeliveryToAttempt, SharedJob } from './delivery-store.js';
import { failedTooLong } from './endpoint-health.js';
import { nextAttemptAt, type RandomSource } from './retry-schedule.js';

/** One delivery (first attempts of a fan-out without a pump, retries, replays), or a fan-out batch's first attempts (a shared job). */
const payloadSchema = z.union([z.object({ deliveryId: z.string(), replay: z.boolean().optional() }), z.object({ deliveryIds: z.array(z.string()) })]);

export type DeliverJob = z.infer<typeof payloadSchema>;

/** The delivery (or deliveries) a job is for, or null when its payload cannot be read. */
export function readDeliverJob(job: ClaimedJob): DeliverJob | null {
  const payload = payloadSchema.safeParse(job.payload);
  return payload.success ? payload.data : null;
}

/** Sends one attempt of a pending delivery to an enabled endpoint and decides what follows. */
export async function attemptDelivery(ctx: ServerContext, job: ClaimedJob, shared: SharedJob | null, row: DeliveryToAttempt, replay: boolean, random: RandomSource): Promise<AttemptRecord> {
  const endpoint = { id: row.endpoint_id, workspace_id: row.workspace_id, kind: row.kind, url: row.url, secret_ciphertext: row.secret_ciphertext, previous_secret_ciphertext: row.previous_secret_ciphertext, previous_secret_expires_at: row.previous_secret_expires_at };
  const { attempt, outcome } = await sendAttempt(ctx, row, endpoint);
  const now = ctx.clock.now();
  // Manual replays and test messages do not judge the endpoint's health.
  const counts = !replay && row.test === 0;
  let disable: string | null = null;
  if (counts && outcome.gone) disable = 'The endpoint answered 410 Gone.';
  else if (counts && !outcome.succeeded && failedTooLong(row.failing_since, now)) disable = `Every delivery has failed since ${row.failing_since ?? now.toISOString()} (5 days).`;
  const retryAt = outcome.succeeded || replay || disable !== null ? null : nextAttemptAt(attempt.attempt, now, outcome.retryAfterMs, random);
  return {
    job,
    shared,
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
  };
}
