/**
 * @module webhook-schemas
 * Webhook endpoints, deliveries and attempts as they cross the wire. Deliveries
 * follow the Standard Webhooks spec: headers `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, body `{type, timestamp, data}`. Secrets (`whsec_...`)
 * appear only in the answers of create and rotate-secret.
 */
import { z } from 'zod';
import { eventTypeSchema, idSchema, timestampSchema } from './schemas.js';

export const webhookUrlSchema = z.string().min(1).max(2048).describe('http(s) URL without credentials; checked against the SSRF guard');

export const webhookEndpointSchema = z.object({
  id: idSchema,
  workspaceId: idSchema,
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(eventTypeSchema).describe('the event types delivered; empty means every type'),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().describe('why Ferry disabled the endpoint (410 Gone, failing for 5 days), or null'),
  kind: z.enum(['endpoint', 'rest_hook']).describe('rest_hook: created by a REST-hook subscribe (Zapier)'),
  failingSince: timestampSchema.nullable().describe('start of the current run of failed attempts, or null'),
  secretRotatedAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const webhookEndpointWithSecretSchema = webhookEndpointSchema.extend({
  secret: z.string().describe('whsec_<base64>: shown in this answer only'),
});
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecretSchema>;

export const createWebhookEndpointSchema = z.object({
  url: webhookUrlSchema,
  description: z.string().max(500).default(''),
  eventTypes: z.array(eventTypeSchema).max(100).default([]),
  enabled: z.boolean().default(true),
});

export const updateWebhookEndpointSchema = z.object({
  url: webhookUrlSchema.optional(),
  description: z.string().max(500).optional(),
  eventTypes: z.array(eventTypeSchema).max(100).optional(),
  enabled: z.boolean().optional(),
});

export const webhookDeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed', 'cancelled']);
export type WebhookDeliveryStatus = z.infer<typeof webhookDeliveryStatusSchema>;

export const webhookAttemptSchema = z.object({
  id: idSchema,
  attempt: z.number().int().positive(),
  startedAt: timestampSchema,
  durationMs: z.number().nonnegative(),
  requestHeaders: z.record(z.string(), z.string()).describe('as sent, signatures included, never a secret'),
  responseStatus: z.number().int().nullable(),
  responseHeaders: z.record(z.string(), z.string()).nullable(),
  responseBody: z.string().nullable().describe('the first bytes of the answer (size-limited)'),
  error: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof webhookAttemptSchema>;

export const webhookDeliverySchema = z.object({
  id: idSchema.describe('the webhook-id header: the same on every attempt and replay'),
  endpointId: idSchema,
  eventId: idSchema.nullable(),
  eventSeq: z.number().int().nullable(),
  eventType: z.string(),
  status: webhookDeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  test: z.boolean(),
  attemptLog: z.array(webhookAttemptSchema).describe('attempts, oldest first'),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookTestResultSchema = z.object({
  deliveryId: idSchema,
  ok: z.boolean(),
  responseStatus: z.number().int().nullable(),
  durationMs: z.number().nonnegative(),
  error: z.string().nullable(),
});

/** REST hooks (the subscribe/unsubscribe pair Zapier calls). Field names follow Zapier's convention. */
export const restHookSubscribeSchema = z.object({
  target_url: webhookUrlSchema,
  event: eventTypeSchema,
  workspace: idSchema.optional().describe('may be left out when the caller has exactly one workspace'),
});
export const restHookSchema = z.object({ id: idSchema });
