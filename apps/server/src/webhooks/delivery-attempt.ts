/**
 * @module webhooks/delivery-attempt
 * One HTTP attempt of a delivery: sign the stored body with the endpoint's
 * secret(s) and a fresh timestamp, POST it through the guarded outbound
 * client, and describe what happened as an attempt row (request headers as
 * sent — signatures, never secrets — status, a size-limited answer, timing).
 * Recording the row is the caller's business, in its own transaction.
 */
import { parseRetryAfter } from '@ferry/core';
import type { ServerContext } from '../context.js';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import { newOrderedId } from '../jobs/ordered-id.js';
import { signingSecrets } from './endpoint-store.js';
import { signatureHeaderAt, webhookTimestamp } from './signing.js';
import { webhookServices } from './webhook-services.js';

/** The part of the answer kept in the delivery log. */
const loggedBodyBytes = 4096;

const userAgent = 'Ferry-Webhooks/1';
/** The start of the logged request headers: those that never change, in the order they are sent. */
const constantHeadersJson = JSON.stringify({ 'content-type': 'application/json', 'user-agent': userAgent }).slice(0, -1);

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
  delivery: Pick<WebhookDeliveryRow, 'id' | 'body' | 'attempts' | 'workspace_id' | 'test'>,
  endpoint: Pick<WebhookEndpointRow, 'id' | 'kind' | 'url' | 'secret_ciphertext' | 'previous_secret_ciphertext' | 'previous_secret_expires_at'>,
): Promise<{ attempt: WebhookAttemptRow; outcome: AttemptOutcome }> {
  const startedAt = ctx.clock.now();
  const timestamp = webhookTimestamp(startedAt);
  const signature = signatureHeaderAt(signingSecrets(ctx, endpoint, startedAt), delivery.id, timestamp, delivery.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': delivery.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
  };
  // Tagged so integration analytics count it (outbound onCall hook): REST hooks are what Zapier subscribes.
  const tag = { workspaceId: delivery.workspace_id, integration: endpoint.kind === 'rest_hook' ? 'zapier' : 'webhooks', operation: delivery.test === 1 ? 'test' : 'deliver' };
  const result = await webhookServices(ctx).http.send({ url: endpoint.url, headers, body: delivery.body, tag });
  const attempt: WebhookAttemptRow = {
    id: newOrderedId('wha'),
    delivery_id: delivery.id,
    endpoint_id: endpoint.id,
    attempt: delivery.attempts + 1,
    started_at: isoTime(startedAt),
    duration_ms: result.durationMs,
    // What JSON.stringify(headers) gives, with only the three values that change written out.
    request_headers: `${constantHeadersJson},"webhook-id":${JSON.stringify(delivery.id)},"webhook-timestamp":${JSON.stringify(timestamp)},"webhook-signature":${JSON.stringify(signature)}}`,
    response_status: null,
    response_headers: null,
    response_body: null,
    error: null,
  };
  if (!result.ok) {
    attempt.error = result.error;
    return { attempt, outcome: { succeeded: false, status: null, gone: false, retryAfterMs: null, error: result.error, refused: result.refused } };
  }
  const { answer } = result;
  attempt.response_status = answer.status;
  attempt.response_headers = JSON.stringify(answer.headers);
  attempt.response_body = answer.body.slice(0, loggedBodyBytes);
  const succeeded = answer.status >= 200 && answer.status < 300;
  let error: string | null = null;
  if (!succeeded) {
    error =
      answer.status >= 300 && answer.status < 400
        ? `The endpoint answered ${answer.status} (a redirect${answer.headers.location ? ` to ${answer.headers.location.slice(0, 200)}` : ''}); redirects are not followed.`
        : `The endpoint answered ${answer.status}.`;
    attempt.error = error;
  }
  return {
    attempt,
    outcome: {
      succeeded,
      status: answer.status,
      gone: answer.status === 410,
      retryAfterMs: succeeded ? null : (parseRetryAfter(answer.headers['retry-after'], startedAt.getTime()) ?? null),
      error,
      refused: false,
    },
  };
}
