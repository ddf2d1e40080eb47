import { auditEntrySchema, pageOf } from '@ferry/core';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';

const auditPage = pageOf(auditEntrySchema);
const json = { 'content-type': 'application/json' };

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the audit log', () => {
  let server: TestServer;
  let owner: TestUser;
  let member: TestUser;
  let auditPath: string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await server.newUser();
    member = await server.newUser();
    auditPath = `/api/v1/workspaces/${owner.workspace.id}/audit`;
    const added = await owner.api(`/api/v1/workspaces/${owner.workspace.id}/members`, { method: 'POST', headers: json, body: JSON.stringify({ email: member.user.email }) });
    expect(added.status).toBe(201);
    for (const role of ['admin', 'member', 'admin', 'member']) {
      const changed = await owner.api(`/api/v1/workspaces/${owner.workspace.id}/members/${member.user.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ role }) });
      expect(changed.status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it('shows admins and owners the workspace log newest first, paged', async () => {
    const first = auditPage.parse(await (await owner.api(`${auditPath}?limit=3`)).json());
    expect(first.items.map((entry) => entry.action)).toEqual(['member.role_changed', 'member.role_changed', 'member.role_changed']);
    expect(first.items[0]).toMatchObject({ actorId: owner.user.id, target: member.user.id, details: { from: 'admin', to: 'member' }, ip: '127.0.0.1' });
    expect(first.nextCursor).not.toBeNull();
    const second = auditPage.parse(await (await owner.api(`${auditPath}?limit=3&cursor=${first.nextCursor}`)).json());
    expect(second.items.map((entry) => entry.action)).toEqual(['member.role_changed', 'member.added', 'user.created']);
    expect(second.nextCursor).toBeNull();
    const seqs = [...first.items, ...second.items].map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('refuses plain members (403) and outsiders (404)', async () => {
    const asMember = await member.api(auditPath);
    expect(asMember.status).toBe(403);
    expect(((await asMember.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const outsider = await server.newUser();
    expect((await outsider.api(auditPath)).status).toBe(404);
  });

  it('is append-only: no server code updates or deletes audit rows', () => {
    const root = new URL('..', import.meta.url).pathname;
    const offenders = sourceFiles(root).filter((path) => /(updateTable|deleteFrom)\(\s*['"]audit['"]|(update|delete\s+from)\s+"?audit\b/i.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
