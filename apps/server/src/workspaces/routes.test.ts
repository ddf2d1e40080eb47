import type { Member, Workspace } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { workspacesVisibleTo } from './service.js';

const json = { 'content-type': 'application/json' };

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('workspaces and members', () => {
  let server: TestServer;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let workspaceId: string;

  const members = () => `/api/v1/workspaces/${workspaceId}/members`;
  const add = (by: TestUser, email: string, role?: string) =>
    by.api(members(), { method: 'POST', headers: json, body: JSON.stringify({ email, ...(role ? { role } : {}) }) });
  const setRole = (by: TestUser, userId: string, role: string) =>
    by.api(`${members()}/${userId}`, { method: 'PATCH', headers: json, body: JSON.stringify({ role }) });
  const remove = (by: TestUser, userId: string) => by.api(`${members()}/${userId}`, { method: 'DELETE' });

  beforeAll(async () => {
    server = await startTestServer();
    owner = await server.newUser('owner@example.test');
    admin = await server.newUser('admin@example.test');
    member = await server.newUser('member@example.test');
    outsider = await server.newUser('outsider@example.test');
    const created = await owner.api('/api/v1/workspaces', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Shared' }) });
    expect(created.status).toBe(201);
    const workspace = (await created.json()) as Workspace;
    expect(workspace).toMatchObject({ name: 'Shared', role: 'owner' });
    workspaceId = workspace.id;
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a workspace without a name', async () => {
    const blank = await owner.api('/api/v1/workspaces', { method: 'POST', headers: json, body: JSON.stringify({ name: '   ' }) });
    expect(blank.status).toBe(400);
    expect(await codeOf(blank)).toBe('validation_failed');
  });

  it('lists and shows only workspaces the caller belongs to', async () => {
    const list = (await (await owner.api('/api/v1/workspaces')).json()) as { items: Workspace[] };
    expect(list.items.map((workspace) => workspace.id)).toEqual([owner.workspace.id, workspaceId]);
    expect((await owner.api(`/api/v1/workspaces/${workspaceId}`)).status).toBe(200);
    const hidden = await outsider.api(`/api/v1/workspaces/${workspaceId}`);
    expect(hidden.status).toBe(404);
    expect(await codeOf(hidden)).toBe('workspace_not_found');
  });

  it('shows a caller limited to one workspace (an OAuth access token) only that one', async () => {
    const all = await workspacesVisibleTo(server.ctx.db, { userId: owner.user.id });
    expect(all.map((workspace) => workspace.id)).toEqual([owner.workspace.id, workspaceId]);
    const one = await workspacesVisibleTo(server.ctx.db, { userId: owner.user.id, workspaceId });
    expect(one.map((workspace) => workspace.id)).toEqual([workspaceId]);
  });

  it('lets an owner add an admin and a member by email, with events and audit rows', async () => {
    const addedAdmin = await add(owner, 'ADMIN@example.test', 'admin');
    expect(addedAdmin.status).toBe(201);
    expect(await addedAdmin.json()).toMatchObject({ userId: admin.user.id, role: 'admin' });
    const addedMember = await add(admin, 'member@example.test');
    expect(addedMember.status).toBe(201);
    expect(await addedMember.json()).toMatchObject({ userId: member.user.id, role: 'member' });
    expect((await add(owner, 'member@example.test')).status).toBe(409);
    const missing = await add(owner, 'ghost@example.test');
    expect(missing.status).toBe(404);
    expect(await codeOf(missing)).toBe('user_not_found');

    const list = (await (await member.api(members())).json()) as { items: Member[] };
    expect(list.items.map((entry) => [entry.email, entry.role])).toEqual([
      ['owner@example.test', 'owner'],
      ['admin@example.test', 'admin'],
      ['member@example.test', 'member'],
    ]);
    const events = (await (await owner.api(`/api/v1/workspaces/${workspaceId}/events`)).json()) as { events: { type: string; data: { userId: string } }[] };
    expect(events.events.map((event) => [event.type, event.data.userId])).toEqual([
      ['member.added', admin.user.id],
      ['member.added', member.user.id],
    ]);
    const audit = (await (await owner.api(`/api/v1/workspaces/${workspaceId}/audit`)).json()) as { items: { action: string }[] };
    expect(audit.items.map((entry) => entry.action)).toEqual(['member.added', 'member.added', 'workspace.created']);
  });

  it('refuses a member managing members, and an admin granting or touching owners', async () => {
    const byMember = await add(member, 'outsider@example.test');
    expect(byMember.status).toBe(403);
    expect(await codeOf(byMember)).toBe('forbidden');
    expect((await setRole(member, admin.user.id, 'member')).status).toBe(403);
    expect((await remove(member, admin.user.id)).status).toBe(403);
    expect((await add(admin, 'outsider@example.test', 'owner')).status).toBe(403);
    expect((await setRole(admin, member.user.id, 'owner')).status).toBe(403);
    expect((await setRole(admin, owner.user.id, 'member')).status).toBe(403);
    expect((await remove(admin, owner.user.id)).status).toBe(403);
    const byOutsider = await add(outsider, 'outsider@example.test');
    expect(byOutsider.status).toBe(404);
  });

  it('never leaves a workspace without an owner', async () => {
    const demote = await setRole(owner, owner.user.id, 'admin');
    expect(demote.status).toBe(409);
    expect(await codeOf(demote)).toBe('last_owner');
    const leave = await remove(owner, owner.user.id);
    expect(leave.status).toBe(409);
    expect(await codeOf(leave)).toBe('last_owner');

    const promote = await setRole(owner, admin.user.id, 'owner');
    expect(promote.status).toBe(200);
    expect(await promote.json()).toMatchObject({ userId: admin.user.id, role: 'owner' });
    expect((await setRole(admin, owner.user.id, 'admin')).status).toBe(200);
    expect((await setRole(admin, admin.user.id, 'member')).status).toBe(409);
  });

  it('lets a member leave, and an admin remove a member', async () => {
    const left = await remove(member, member.user.id);
    expect(left.status).toBe(200);
    expect((await member.api(`/api/v1/workspaces/${workspaceId}`)).status).toBe(404);
    expect((await add(owner, 'member@example.test')).status).toBe(201);
    expect((await remove(owner, member.user.id)).status).toBe(200);
    const list = (await (await admin.api(members())).json()) as { items: Member[] };
    expect(list.items.map((entry) => entry.email)).toEqual(['owner@example.test', 'admin@example.test']);
    const events = (await (await admin.api(`/api/v1/workspaces/${workspaceId}/events`)).json()) as { events: { type: string; data: { left: boolean } }[] };
    expect(events.events.filter((event) => event.type === 'member.removed').map((event) => event.data.left)).toEqual([true, false]);
  });
});
