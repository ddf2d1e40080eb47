import { eventPageSchema, type EventPage } from '@ferry/core';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { appendTestEvents } from './test-events.js';

async function page(user: TestUser, path: string): Promise<EventPage> {
  const response = await user.api(path);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return eventPageSchema.parse(await response.json());
}

describe('the event feed', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let feed: string;

  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.newUser();
    bob = await server.newUser();
    feed = `/api/v1/workspaces/${alice.workspace.id}/events`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers an empty feed with cursor 0, then events in seq order, paged by nextCursor', async () => {
    expect(await page(alice, feed)).toEqual({ events: [], nextCursor: '0' });
    await appendTestEvents(server.ctx, alice.workspace.id, 250);
    const first = await page(alice, feed);
    expect(first.events.map((event) => event.seq)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(first.events[0]).toMatchObject({ type: 'share.created', workspaceId: alice.workspace.id, data: { index: 0, note: 'line one\nline two "quoted"' } });
    expect(first.nextCursor).toBe('100');
    const second = await page(alice, `${feed}?cursor=${first.nextCursor}&limit=1000`);
    expect(second.events.map((event) => event.seq)).toEqual(Array.from({ length: 150 }, (_, index) => index + 101));
    expect(second.nextCursor).toBe('250');
    expect(await page(alice, `${feed}?cursor=250`)).toEqual({ events: [], nextCursor: '250' });
    expect(await page(alice, `${feed}?cursor=latest`)).toEqual({ events: [], nextCursor: '250' });
  });

  it('refuses a bad cursor or limit, and hides the feed from non-members', async () => {
    expect((await alice.api(`${feed}?cursor=abc`)).status).toBe(400);
    expect((await alice.api(`${feed}?limit=5000`)).status).toBe(400);
    const ahead = await alice.api(`${feed}?cursor=99999`);
    expect(ahead.status).toBe(410);
    expect(((await ahead.json()) as { error: { code: string } }).error.code).toBe('gone');
    const hidden = await bob.api(feed);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain('share.created');
  });

  it('serves /api/v1/events for the only workspace, and asks which one when there are several', async () => {
    const implicit = await page(alice, '/api/v1/events?limit=2');
    expect(implicit.events.map((event) => event.seq)).toEqual([1, 2]);
    expect(implicit.events[0]?.workspaceId).toBe(alice.workspace.id);
    const created = await alice.api('/api/v1/workspaces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'second' }) });
    expect(created.status).toBe(201);
    const ambiguous = await alice.api('/api/v1/events');
    expect(ambiguous.status).toBe(400);
    expect(((await ambiguous.json()) as { error: { message: string } }).error.message).toMatch(/workspace=/);
    const named = await page(alice, `/api/v1/events?workspace=${alice.workspace.id}&cursor=249`);
    expect(named.events.map((event) => event.seq)).toEqual([250]);
    expect((await bob.api(`/api/v1/events?workspace=${alice.workspace.id}`)).status).toBe(404);
  });

  it('long-polls: a waiting request wakes up when another request adds an event', async () => {
    const before = await page(alice, `${feed}?cursor=latest`);
    const waiting = page(alice, `${feed}?cursor=${before.nextCursor}&wait=30`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const added = await alice.api(`/api/v1/workspaces/${alice.workspace.id}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: bob.user.email }),
    });
    expect(added.status).toBe(201);
    const woken = await waiting;
    expect(woken.events).toHaveLength(1);
    expect(woken.events[0]).toMatchObject({ type: 'member.added', actorId: alice.user.id, data: { userId: bob.user.id } });
    expect(woken.nextCursor).toBe(String(woken.events[0]?.seq));
  });

  it('wakes many concurrent long-polls with one event, without listener warnings', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const current = await page(alice, `${feed}?cursor=latest`);
      const waiting = Array.from({ length: 25 }, () => page(alice, `${feed}?cursor=${current.nextCursor}&wait=30`));
      for (let attempt = 0; attempt < 100 && hubWaiters(server, alice.workspace.id) < 25; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      const [seq] = await appendTestEvents(server.ctx, alice.workspace.id, 1, 'many');
      const pages = await Promise.all(waiting);
      expect(pages.map((answer) => answer.events.map((event) => event.seq))).toEqual(Array.from({ length: 25 }, () => [seq]));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((name) => name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('long-polls answer empty when the wait runs out', async () => {
    const current = await page(alice, `${feed}?cursor=latest`);
    expect(await page(alice, `${feed}?cursor=${current.nextCursor}&wait=0.3`)).toEqual({ events: [], nextCursor: current.nextCursor });
  });

  it('ends a long-poll when the client goes away', async () => {
    // A connection of its own: an aborted request must not disturb the shared keep-alive pool.
    const controller = new AbortController();
    const agent = new Agent();
    const waiting = undiciFetch(`${server.url}${feed}?cursor=latest&wait=60`, {
      headers: { authorization: `Bearer ${alice.token}` },
      signal: controller.signal,
      dispatcher: agent,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await agent.close();
    // The hub lets go of the waiter once the server notices the disconnect.
    for (let attempt = 0; attempt < 50 && hubWaiters(server, alice.workspace.id) > 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hubWaiters(server, alice.workspace.id)).toBe(0);
  });
});

function hubWaiters(server: TestServer, workspaceId: string): number {
  return server.ctx.hub.listenerCount(workspaceId);
}
