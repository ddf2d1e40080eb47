/**
 * @module analytics/analytics.test
 * Integration analytics end to end on a simulated clock: calls aggregate in
 * memory and flush into hourly rows, the API answers totals, p50/p95 and
 * series, a real webhook test-send is measured (API and /metrics), members are
 * refused, and usage past the retention period is pruned.
 */
import { analyticsReportSchema, type AnalyticsReport } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { installForTest } from '../testing/install-integration.js';
import { startReceiver, type TestReceiver } from '../webhooks/test-receiver.js';
import { integrationRecorder } from './recorder.js';
import { pruneUsage } from './usage-store.js';

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('integration analytics', () => {
  let now = new Date('2030-03-10T10:15:00.000Z');
  const clock = { now: () => new Date(now.getTime()) };
  let server: TestServer;
  let admin: TestUser;
  let receiver: TestReceiver;

  const report = async (query: string, user: TestUser = admin): Promise<AnalyticsReport> => {
    const response = await user.api(`/api/v1/workspaces/${admin.workspace.id}/analytics${query}`);
    expect(response.status).toBe(200);
    return analyticsReportSchema.parse(await response.json());
  };

  beforeAll(async () => {
    server = await startTestServer({ clock, outboundAllowList: ['127.0.0.1'], webhookWorker: false, analyticsRetentionDays: 30 });
    admin = await server.newUser();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('aggregates calls in memory and flushes them into one hourly row per operation', async () => {
    const recorder = integrationRecorder(server.ctx);
    const base = { workspaceId: admin.workspace.id, integration: 'google-drive' };
    recorder.record({ ...base, operation: 'upload', ok: true, durationMs: 40, bytesOut: 1000, files: 1, userId: admin.user.id });
    recorder.record({ ...base, operation: 'upload', ok: true, durationMs: 80, bytesOut: 3000, files: 2, userId: admin.user.id });
    recorder.record({ ...base, operation: 'upload', ok: false, errorKind: 'http_5xx', durationMs: 900 });
    recorder.record({ ...base, operation: 'list', ok: false, errorKind: 'rate_limited', durationMs: 20, bytesIn: 500, userId: 'usr_other' });
    expect(recorder.pendingBuckets).toBe(2);
    await recorder.flush();
    expect(recorder.pendingBuckets).toBe(0);

    now = new Date('2030-03-10T11:05:00.000Z');
    recorder.record({ ...base, operation: 'upload', ok: true, durationMs: 60, bytesOut: 500, files: 1, userId: admin.user.id });
    await recorder.flush();
    recorder.record({ ...base, operation: 'upload', ok: true, durationMs: 60, bytesOut: 500, files: 1 });
    await recorder.flush();

    const rows = await server.ctx.db.selectFrom('integration_usage').selectAll().where('workspace_id', '=', admin.workspace.id).orderBy('bucket_start').orderBy('operation').execute();
    expect(rows.map((row) => [row.bucket_start, row.operation, row.calls, row.errors])).toEqual([
      ['2030-03-10T10:00:00.000Z', 'list', 1, 1],
      ['2030-03-10T10:00:00.000Z', 'upload', 3, 1],
      ['2030-03-10T11:00:00.000Z', 'upload', 2, 0],
    ]);
    expect(JSON.parse(rows[1]?.error_kinds ?? '')).toEqual({ http_5xx: 1 });
    expect(rows[2]).toMatchObject({ bytes_out: 1000, files: 2 });
  });

  it('answers totals, errors by kind, p50/p95 and zero-filled series per hour and per day', async () => {
    const hourly = await report('?bucket=hour&from=2030-03-10T08:00:00.000Z&to=2030-03-10T12:00:00.000Z');
    expect(hourly.totals).toMatchObject({ calls: 6, errors: 2, errorRate: 0.3333, errorsByKind: { http_5xx: 1, rate_limited: 1 }, bytesOut: 5000, bytesIn: 500, files: 5, activeUsers: 2 });
    expect(hourly.totals.p50Ms).toBeGreaterThan(25);
    expect(hourly.totals.p50Ms).toBeLessThanOrEqual(100);
    expect(hourly.totals.p95Ms).toBeGreaterThan(500);
    expect(hourly.points.map((point) => [point.at.slice(11, 16), point.calls])).toEqual([['08:00', 0], ['09:00', 0], ['10:00', 4], ['11:00', 2]]);
    const drive = hourly.integrations.find((entry) => entry.integration === 'google-drive');
    expect(drive?.operations.map((operation) => [operation.operation, operation.calls, operation.errors])).toEqual([['list', 1, 1], ['upload', 5, 1]]);
    expect(drive?.latencyHistogram.reduce((sum, count) => sum + count, 0)).toBe(6);

    const daily = await report('?bucket=day&from=2030-03-08T00:00:00.000Z&to=2030-03-11T00:00:00.000Z&integration=google-drive');
    expect(daily.points.map((point) => [point.at.slice(0, 10), point.calls])).toEqual([['2030-03-08', 0], ['2030-03-09', 0], ['2030-03-10', 6]]);
    const other = await report('?integration=slack');
    expect(other.totals.calls).toBe(0);
    const tooLong = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/analytics?bucket=hour&from=2029-01-01T00:00:00.000Z`);
    expect(tooLong.status).toBe(400);
  });

  it('measures a real outbound call: a webhook test-send shows in the API and in /metrics', async () => {
    await installForTest(admin.api, admin.workspace.id, 'webhooks');
    const created = await admin.api(`/api/v1/workspaces/${admin.workspace.id}/webhooks`, json('POST', { url: `${receiver.url}/measured` }));
    const endpoint = (await created.json()) as { id: string };
    const tested = await admin.api(`/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST' });
    expect(await tested.json()).toMatchObject({ ok: true, responseStatus: 200 });
    receiver.respond = () => ({ status: 503 });
    await admin.api(`/api/v1/webhooks/${endpoint.id}/test`, { method: 'POST' });

    const measured = await report('?integration=webhooks');
    expect(measured.totals).toMatchObject({ calls: 2, errors: 1, errorsByKind: { http_5xx: 1 } });
    expect(measured.totals.bytesOut).toBeGreaterThan(100);
    expect(measured.integrations[0]?.operations.map((operation) => operation.operation)).toEqual(['test']);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('ferry_integration_calls_total{integration="webhooks",operation="test",outcome="ok"} 1');
    expect(metrics).toContain('ferry_integration_calls_total{integration="webhooks",operation="test",outcome="http_5xx"} 1');
    expect(metrics).toMatch(/ferry_integration_call_duration_seconds_count\{integration="webhooks",operation="test"\} 2/);
    expect(metrics).toMatch(/ferry_integration_bytes_total\{integration="webhooks",direction="out"\} \d+/);
    expect(metrics).toContain('ferry_integration_files_total{integration="google-drive"} 5');
  });

  it('is for admins: a member is refused', async () => {
    const member = await server.newUser();
    await admin.api(`/api/v1/workspaces/${admin.workspace.id}/members`, json('POST', { email: member.user.email, role: 'member' }));
    const refused = await member.api(`/api/v1/workspaces/${admin.workspace.id}/analytics`);
    expect(refused.status).toBe(403);
  });

  it('prunes usage older than the retention period', async () => {
    now = new Date('2030-04-05T12:00:00.000Z');
    expect(await pruneUsage(server.ctx)).toBe(0);
    now = new Date('2030-04-10T12:00:00.000Z');
    expect(await pruneUsage(server.ctx)).toBeGreaterThanOrEqual(3);
    const after = await report('?bucket=day&from=2030-03-01T00:00:00.000Z');
    expect(after.totals.calls).toBe(0);
    expect(after.retentionDays).toBe(30);
  });
});
