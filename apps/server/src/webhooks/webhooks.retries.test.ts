/**
 * @module webhooks/webhooks.retries.test
 * Delivery over a simulated clock (the worker's `runDue` at each moment): the
 * whole retry schedule with its jitter bounds, Retry-After (seconds and HTTP
 * date), timeouts, 410 Gone disabling at once, 5 days of failures disabling,
 * and the 24-hour signing overlap after a secret rotation.
 */
import { webhookEndpointWithSecretSchema, type WebhookEndpointWithSecret } from '@ferry/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../context.js';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { installForTest } from '../testing/install-integration.js';
import { pruneDeliveryLog } from './delivery-log.js';
import { retryDelaysMs } from './retry-schedule.js';
import { appendTestEvents, startReceiver, type ReceivedRequest, type TestReceiver } from './test-receiver.js';
import { useResolver } from './webhook-services.js';
import { WebhookWorker } from './webhook-worker.js';

class WalkingClock implements Clock {
  ms = Date.parse('2026-03-01T09:00:00.000Z');
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const hour = 3600_000;
const day = 24 * hour;

describe('webhook delivery over time', () => {
  const clock = new WalkingClock();
  let server: TestServer;
  let receiver: TestReceiver;
  let worker: WebhookWorker;
  let user: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ clock, webhookWorker: false, outboundAllowList: ['127.0.0.1'], outboundTimeoutMs: 400 });
    receiver = await startReceiver();
    worker = new WebhookWorker(server.ctx);
  });

  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  afterEach(() => {
    receiver.respond = () => ({ status: 200 });
    receiver.received.length = 0;
  });

  async function newEndpoint(path: string, eventTypes: string[] = []): Promise<WebhookEndpointWithSecret> {
    user = await server.newUser();
    await installForTest(user.api, user.workspace.id, 'webhooks');
    const answer = await user.api(`/api/v1/workspaces/${user.workspace.id}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}${path}`, eventTypes }),
    });
    expect(answer.status).toBe(201);
    return webhookEndpointWithSecretSchema.parse(await answer.json());
  }

  const deliveriesOf = (endpointId: string) => server.ctx.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('event_seq').execute();
  const endpointRow = (endpointId: string) => server.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirstOrThrow();
  const hits = (path: string) => receiver.received.filter((request) => request.path === path);

  it('walks the whole retry schedule of a failing receiver, each delay within ±20 % jitter', async () => {
    const endpoint = await newEndpoint('/always-500');
    receiver.respond = () => ({ status: 500, body: 'internal error' });
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    const attemptTimes: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      const before = hits('/always-500').length;
      await worker.runDue();
      if (hits('/always-500').length > before) attemptTimes.push(clock.ms);
      const [delivery] = await deliveriesOf(endpoint.id);
      if (delivery?.status !== 'pending' || delivery.next_attempt_at === null) break;
      // Just before the next attempt nothing happens; at its time it runs.
      clock.ms = Date.parse(delivery.next_attempt_at) - 1;
      await worker.runDue();
      clock.ms += 1;
    }
    expect(attemptTimes).toHaveLength(retryDelaysMs.length + 1);
    retryDelaysMs.forEach((delay, index) => {
      const gap = (attemptTimes[index + 1] ?? 0) - (attemptTimes[index] ?? 0);
      expect(gap).toBeGreaterThanOrEqual(Math.floor(delay * 0.8));
      expect(gap).toBeLessThanOrEqual(Math.ceil(delay * 1.2));
    });
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 8, next_attempt_at: null });
    const ids = new Set(hits('/always-500').map((request) => request.webhookHeaders['webhook-id']));
    expect(ids.size).toBe(1);
    // Every retry sends the first attempt's bytes (the body is rebuilt from the stored event, never re-made differently).
    const bodies = new Set(hits('/always-500').map((request) => request.body));
    expect(bodies.size).toBe(1);
    expect(JSON.parse([...bodies][0] ?? '{}')).toMatchObject({ type: 'file.created', data: { seq: expect.any(Number), data: { index: 0 } } });
    const attempts = await server.ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivery?.id ?? '').orderBy('attempt').execute();
    expect(attempts.map((attempt) => attempt.response_status)).toEqual(new Array(8).fill(500));
    expect(attempts[0]?.response_body).toBe('internal error');
    expect(JSON.parse(attempts[0]?.request_headers ?? '{}')).toMatchObject({ 'webhook-id': delivery?.id, 'content-type': 'application/json' });
    // 27.6 hours of failure is not yet 5 days: still enabled, but marked failing.
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1, failing_since: new Date(attemptTimes[0] ?? 0).toISOString() });
  });

  it('honours Retry-After (seconds, then an HTTP date) when it is longer than the schedule', async () => {
    const endpoint = await newEndpoint('/busy');
    receiver.respond = () => ({ status: 429, headers: { 'retry-after': '120' } });
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const first = clock.ms;
    clock.advance(119_000);
    await worker.runDue();
    expect(hits('/busy')).toHaveLength(1);
    clock.advance(1_000);
    const resumeAt = new Date(clock.ms + 2 * hour);
    resumeAt.setUTCMilliseconds(0);
    receiver.respond = () => ({ status: 503, headers: { 'retry-after': resumeAt.toUTCString() } });
    await worker.runDue();
    expect(hits('/busy')).toHaveLength(2);
    expect(clock.ms - first).toBe(120_000);
    const [delivery] = await deliveriesOf(endpoint.id);
    // The schedule says ~5 min after the second failure; the receiver asked for 2 h.
    expect(delivery?.next_attempt_at).toBe(resumeAt.toISOString());
    receiver.respond = () => ({ status: 200 });
    clock.ms = resumeAt.getTime() - 1000;
    await worker.runDue();
    expect(hits('/busy')).toHaveLength(2);
    clock.ms = resumeAt.getTime();
    await worker.runDue();
    expect(hits('/busy')).toHaveLength(3);
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect((await endpointRow(endpoint.id)).failing_since).toBeNull();
  });

  it('counts a receiver that never answers as a failed attempt (timeout) and retries', async () => {
    const endpoint = await newEndpoint('/hangs');
    receiver.respond = () => ({ status: 200, hang: true });
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    const attempt = await server.ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivery?.id ?? '').executeTakeFirstOrThrow();
    expect(attempt).toMatchObject({ response_status: null, error: 'No answer within 400 ms.' });
    const wait = Date.parse(delivery?.next_attempt_at ?? '') - clock.ms;
    expect(wait).toBeGreaterThanOrEqual(4000);
    expect(wait).toBeLessThanOrEqual(6000);
  });

  it('disables an endpoint at once when it answers 410 Gone, with an audit row and a webhook.disabled event', async () => {
    const endpoint = await newEndpoint('/gone');
    receiver.respond = () => ({ status: 410 });
    await appendTestEvents(server.ctx, user.workspace.id, 3);
    await worker.runDue();
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 0, disabled_reason: 'The endpoint answered 410 Gone.' });
    const statuses = (await deliveriesOf(endpoint.id)).map((delivery) => delivery.status);
    expect(statuses.every((status) => status === 'failed' || status === 'cancelled')).toBe(true);
    const events = await server.ctx.db.selectFrom('events').select(['type', 'payload']).where('workspace_id', '=', user.workspace.id).where('type', '=', 'webhook.disabled').execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.payload ?? '{}')).toMatchObject({ data: { endpointId: endpoint.id, reason: 'The endpoint answered 410 Gone.' } });
    const audit = await server.ctx.db.selectFrom('audit').selectAll().where('action', '=', 'webhook.disabled').where('target', '=', endpoint.id).execute();
    expect(audit).toHaveLength(1);

    const seen = hits('/gone').length;
    await appendTestEvents(server.ctx, user.workspace.id, 2);
    clock.advance(hour);
    await worker.runDue();
    expect(hits('/gone')).toHaveLength(seen);
  });

  it('disables an endpoint that has failed for 5 days without a success; a success in between resets the count', async () => {
    const endpoint = await newEndpoint('/flaky');
    receiver.respond = () => ({ status: 500 });
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const since = (await endpointRow(endpoint.id)).failing_since;
    expect(since).not.toBeNull();

    clock.advance(3 * day);
    // The first event's retry fails again (its next try is minutes away), then a new event gets through.
    await worker.runDue();
    receiver.respond = () => ({ status: 200 });
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    expect((await endpointRow(endpoint.id)).failing_since).toBeNull();

    receiver.respond = () => ({ status: 500 });
    clock.advance(2 * day + 1000);
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: 1 });

    clock.advance(5 * day);
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const row = await endpointRow(endpoint.id);
    expect(row.enabled).toBe(0);
    expect(row.disabled_reason).toMatch(/5 days/);
    expect(await server.ctx.db.selectFrom('events').select('seq').where('workspace_id', '=', user.workspace.id).where('type', '=', 'webhook.disabled').execute()).toHaveLength(1);
  });

  it('counts a redirect as a failed delivery and never follows it', async () => {
    const endpoint = await newEndpoint('/moved');
    receiver.respond = (request) => (request.path === '/moved' ? { status: 307, headers: { location: `${receiver.url}/internal` } } : { status: 200 });
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    expect(hits('/internal')).toHaveLength(0);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    const attempt = await server.ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivery?.id ?? '').executeTakeFirstOrThrow();
    expect(attempt.response_status).toBe(307);
    expect(attempt.error).toMatch(/redirects are not followed/);
  });

  it('refuses at delivery time a host name that resolves to a private address (checked at connect, not only at create)', async () => {
    const port = new URL(receiver.url).port;
    useResolver(server.ctx, async (host) => (host === 'hooks.example.test' ? [{ address: '10.1.2.3', family: 4 }] : []));
    user = await server.newUser();
    await installForTest(user.api, user.workspace.id, 'webhooks');
    const created = await user.api(`/api/v1/workspaces/${user.workspace.id}/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://hooks.example.test:${port}/named` }),
    });
    expect(created.status).toBe(201);
    const endpoint = webhookEndpointWithSecretSchema.parse(await created.json());
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    expect(receiver.received).toHaveLength(0);
    const [delivery] = await deliveriesOf(endpoint.id);
    const attempt = await server.ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', delivery?.id ?? '').executeTakeFirstOrThrow();
    expect(attempt.error).toMatch(/Outbound request refused: hooks\.example\.test resolves to 10\.1\.2\.3: .*private/);
  });

  it('keeps finished deliveries in the log for 30 days, then prunes them with their attempts', async () => {
    const endpoint = await newEndpoint('/kept');
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery?.status).toBe('succeeded');
    clock.advance(29 * day);
    await pruneDeliveryLog(server.ctx);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    clock.advance(2 * day);
    expect(await pruneDeliveryLog(server.ctx)).toBeGreaterThanOrEqual(1);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(0);
    expect(await server.ctx.db.selectFrom('webhook_attempts').select('id').where('delivery_id', '=', delivery?.id ?? '').execute()).toHaveLength(0);
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one only', async () => {
    const endpoint = await newEndpoint('/rotating');
    const rotatedAnswer = await user.api(`/api/v1/webhooks/${endpoint.id}/rotate-secret`, { method: 'POST' });
    const rotated = webhookEndpointWithSecretSchema.parse(await rotatedAnswer.json());
    const signedBy = (request: ReceivedRequest | undefined, secret: string) => {
      const headers = request?.webhookHeaders ?? {};
      const expected = new Webhook(secret).sign(headers['webhook-id'] ?? '', new Date(Number(headers['webhook-timestamp']) * 1000), request?.body ?? '');
      return (headers['webhook-signature'] ?? '').split(' ').includes(expected);
    };

    clock.advance(23 * hour);
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const during = hits('/rotating').at(-1);
    expect(during?.webhookHeaders['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(signedBy(during, rotated.secret)).toBe(true);
    expect(signedBy(during, endpoint.secret)).toBe(true);
    expect(during?.webhookHeaders['webhook-timestamp']).toBe(String(Math.floor(clock.ms / 1000)));

    clock.advance(hour + 1000);
    await appendTestEvents(server.ctx, user.workspace.id, 1);
    await worker.runDue();
    const after = hits('/rotating').at(-1);
    expect(after?.webhookHeaders['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(signedBy(after, rotated.secret)).toBe(true);
    expect(signedBy(after, endpoint.secret)).toBe(false);
  });
});
