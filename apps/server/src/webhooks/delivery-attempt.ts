/**
 * @module webhooks/delivery-attempt
 * One HTTP attempt of a delivery: the endpoint's secret(s) opened, the
 * exchange made by the server's attempt sender (sign with a fresh timestamp,
 * POST through the guarded outbound client — in the sender thread when it
 * runs), the call counted in integration analytics, and what happened
 * described as an attempt row (request headers as sent — signatures, never
 * secrets — status, a size-limited answer, timing). Recording the row is the
 * caller's business, in its own transaction.
 */
import { parseRetryAfter } from '@ferry/core';
import { recordOutboundCall } from '../analytics/recorder.js';
import type { ServerContext } from '../context.js';
import type { EventRow, WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import { newOrderedId } from '../jobs/ordered-id.js';
import { signingSecrets } from './endpoint-store.js';
import { webhookServices } from './webhook-services.js';

/** The last time formatted (attempts that start within the same millisecond share it). */
let lastIso = { ms: Number.NaN, text: '' };
function isoTime(at: Date): string {
  const ms = at.getTime();
  if (ms !== lastIso.ms) lastIso = { ms, text: at.toISOString() };
  return lastIso.text;
}

export interface AttemptOutcome {
  succeeded: boolean;
  status: number | null;
  /** The receiver answered 410 Gone: it wants no more deliveries. */
  gone: boolean;
  retryAfterMs: number | null;
  error: string | null;
  /** The SSRF guard refused the address. */
  refused: boolean;
}

export async function sendAttempt(
  ctx: ServerContext,
  delivery: Pick<WebhookDeliveryRow, 'id' | 'body' | 'attempts' | 'workspace_id' | 'test'> & { event?: EventRow | null },
  endpoint: Pick<WebhookEndpointRow, 'id' | 'kind' | 'url' | 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'>,
): Promise<{ attempt: WebhookAttemptRow; outcome: AttemptOutcome }> {
  const startedAt = ctx.clock.now();
  const secrets = signingSecrets(ctx, endpoint, startedAt);
  const spec = { url: endpoint.url, deliveryId: delivery.id, body: delivery.body, event: delivery.event ?? null, secrets, startedAtMs: startedAt.getTime() };
  const exchange = await webhookServices(ctx).sender.exchange(spec);
  const { answer } = exchange;
  // Counted in integration analytics: REST hooks are what Zapier subscribes.
  const tag = { workspaceId: delivery.workspace_id, integration: endpoint.kind === 'rest_hook' ? 'zapier' : 'webhooks', operation: delivery.test === 1 ? 'test' : 'deliver' };
  recordOutboundCall(ctx, tag, { status: answer?.status ?? null, refused: exchange.refused, timedOut: exchange.timedOut, durationMs: exchange.durationMs, bytesOut: exchange.bodyBytes, bytesIn: answer?.bytes ?? 0 });
  const attempt: WebhookAttemptRow = {
    id: newOrderedId('wha'),
    delivery_id: delivery.id,
    endpoint_id: endpoint.id,
    attempt: delivery.attempts + 1,
    started_at: isoTime(startedAt),
    duration_ms: exchange.durationMs,
    request_headers: exchange.requestHeaders,
    response_status: null,
    response_headers: null,
    response_body: null,
    error: null,
  };
  if (answer === null) {
    attempt.error = exchange.error;
    return { attempt, outcome: { succeeded: false, status: null, gone: false, retryAfterMs: null, error: exchange.error, refused: exchange.refused } };
  }
  attempt.response_status = answer.status;
  attempt.response_headers = answer.headers;
  attempt.response_body = answer.body;
  const succeeded = answer.status >= 200 && answer.status < 300;
  let error: string | null = null;
  if (!succeeded) {
    error =
      answer.status >= 300 && answer.status < 400
        ? `The endpoint answered ${answer.status} (a redirect${answer.location ? ` to ${answer.location.slice(0, 200)}` : ''}); redirects are not followed.`
        : `The endpoint answered ${answer.status}.`;
    attempt.error = error;
  }
  return {
    attempt,
    outcome: {
      succeeded,
      status: answer.status,
      gone: answer.status === 410,
      retryAfterMs: succeeded ? null : (parseRetryAfter(answer.retryAfter ?? undefined, startedAt.getTime()) ?? null),
      error,
      refused: false,
    },
  };
}
