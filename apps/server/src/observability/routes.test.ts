import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';

describe('/metrics', () => {
  let server: TestServer;
  let other: TestServer;
  let alice: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    other = await startTestServer();
    alice = await server.newUser();
  });
  afterAll(async () => {
    await server.close();
    await other.close();
  });

  it('counts requests by route pattern, not by raw URL, with durations, process metrics and gauges', async () => {
    expect((await alice.api(`/api/v1/workspaces/${alice.workspace.id}`)).status).toBe(200);
    expect((await alice.api(`/api/v1/workspaces/${alice.workspace.id}`)).status).toBe(200);
    expect((await alice.api('/api/v1/workspaces/wsp_nope')).status).toBe(404);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/workspaces/:workspaceId",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/workspaces/:workspaceId",status="404"} 1');
    expect(text).not.toContain(alice.workspace.id);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/api\/v1\/workspaces\/:workspaceId",status="200"\} \d/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).toMatch(/^ferry_users 1$/m);
    expect(text).toMatch(/^ferry_workspaces 1$/m);
    expect(text).toMatch(/^ferry_nodes 1$/m);
    expect(text).toMatch(/^ferry_event_waiters \d+$/m);
  });

  it('keeps each server’s numbers apart when several run in one process', async () => {
    const text = await (await fetch(`${other.url}/metrics`)).text();
    expect(text).not.toContain('route="/api/v1/workspaces/:workspaceId"');
    expect(text).toMatch(/^ferry_users 0$/m);
  });

  it('answers a global rate limit with the error shape and Retry-After', async () => {
    const limited = await startTestServer({ rateLimitPerMinute: 2 });
    try {
      let last: Response | undefined;
      for (let attempt = 0; attempt < 3; attempt += 1) last = await fetch(`${limited.url}/api/v1/auth/setup`);
      expect(last?.status).toBe(429);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await last?.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });
});
