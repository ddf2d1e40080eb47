/**
 * The authorisation sweep: user A calls every route of the table that names
 * something by id (or by a body/query field that points into a workspace)
 * with user B's ids, and must get 403 or 404 and never any of B's data.
 * Driven by the route table, so a new route is swept the day it is added.
 */
import { routes, type FerryNode, type RouteSpec } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, type TestServer, type TestUser } from './testing/index.js';
import { installForTest } from './testing/install-integration.js';

type JsonSchema = { [key: string]: unknown };

/** Body/query fields that point into a workspace, and the fixture that fills them. */
const pointerFields: Record<string, string> = {
  parentId: 'folderId',
  nodeId: 'fileId',
  fileId: 'fileId',
  workspace: 'workspaceId',
  workspaceId: 'workspaceId',
  versionId: 'versionId',
  ifMatch: 'versionId',
};

interface Probe {
  route: string;
  method: string;
  path: string;
  query: string;
  body: string | undefined;
  contentType: string | undefined;
}

/** A value that satisfies the JSON schema, preferring B's ids for fields that point into a workspace. */
function sample(schema: JsonSchema, fixtures: Record<string, string>, field = ''): unknown {
  const pointer = pointerFields[field];
  if (pointer && fixtures[pointer]) return fixtures[pointer];
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (choices?.[0]) return sample(choices.find((choice) => choice.type !== 'null') ?? choices[0], fixtures, field);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (required.has(name) || pointerFields[name]) value[name] = sample(property, fixtures, name);
      }
      return value;
    }
    case 'array':
      return [sample((schema.items ?? {}) as JsonSchema, fixtures, field)];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 1) : 1;
    case 'boolean':
      return true;
    case 'string': {
      if (schema.format === 'email') return 'probe@example.test';
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === 'uri' || /url|uri/i.test(field)) return 'http://127.0.0.1:9/probe';
      if (typeof schema.pattern === 'string' && schema.pattern.includes('0-9a-f')) return '0'.repeat(64);
      return 'probe-value';
    }
    default:
      return 'probe-value';
  }
}

function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function pointsIntoWorkspace(spec: RouteSpec): boolean {
  const names = [
    ...[...spec.path.matchAll(/:(\w+)/g)].map((match) => match[1] ?? ''),
    ...Object.keys(spec.query?.shape ?? {}),
    ...(spec.body !== undefined && spec.body !== 'binary' && spec.body !== 'multipart' ? Object.keys((toJsonSchema(spec.body).properties ?? {}) as object) : []),
  ];
  return names.some((name) => name.endsWith('Id') || pointerFields[name] !== undefined);
}

/** A path parameter with no fixture: a value its schema accepts (an enum's first member, a well-formed name), so the probe reaches the authorisation check. */
function pathValue(spec: RouteSpec, param: string, fixtures: Record<string, string>): string {
  const property = spec.params ? (toJsonSchema(spec.params).properties as Record<string, JsonSchema> | undefined)?.[param] : undefined;
  return property ? String(sample(property, fixtures, param)) : `${param.replace(/Id$/, '')}_doesnotexist`;
}

/** Every way to call the route with B's ids: one probe per candidate node (root, folder, file) where a nodeId is taken. */
function probesOf(name: string, spec: RouteSpec, fixtures: Record<string, string>): Probe[] {
  const nodeCandidates = spec.path.includes(':nodeId') ? ['rootId', 'folderId', 'fileId'] : ['fileId'];
  return nodeCandidates.map((nodeFixture) => {
    const local: Record<string, string> = { ...fixtures, fileId: fixtures[nodeFixture] ?? '' };
    const path = spec.path.replace(/:(\w+)/g, (_, param: string) => {
      if (param === 'nodeId') return encodeURIComponent(local.fileId ?? '');
      if (param === 'name') return 'probe.txt';
      return encodeURIComponent(local[param] ?? pathValue(spec, param, local));
    });
    const queryValues = spec.query ? (sample(toJsonSchema(spec.query), local) as Record<string, unknown>) : {};
    const query = new URLSearchParams(Object.entries(queryValues).map(([key, value]): [string, string] => [key, String(value)])).toString();
    let body: string | undefined;
    let contentType: string | undefined;
    if (spec.body === 'binary') {
      body = 'probe bytes';
      contentType = 'application/octet-stream';
    } else if (spec.body === 'multipart') {
      const boundary = 'probe-boundary';
      const manifest = JSON.stringify({ files: [{ name: 'probe.txt', size: 11 }] });
      body = [
        `--${boundary}\r\ncontent-disposition: form-data; name="manifest"\r\n\r\n${manifest}\r\n`,
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="probe.txt"\r\ncontent-type: application/octet-stream\r\n\r\nprobe bytes\r\n`,
        `--${boundary}--\r\n`,
      ].join('');
      contentType = `multipart/form-data; boundary=${boundary}`;
    } else if (spec.body !== undefined) {
      body = JSON.stringify(sample(toJsonSchema(spec.body), local));
      contentType = 'application/json';
    }
    return { route: name, method: spec.method, path, query, body, contentType };
  });
}

describe('authorisation sweep: user A against every id-addressed route with user B’s ids', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  const fixtures: Record<string, string> = {};
  const secrets: string[] = [];
  const content = `B-SECRET-CONTENT-${Math.random().toString(36).slice(2)}`;

  async function bobJson<T>(path: string, method: string, body: unknown): Promise<T> {
    const response = await bob.api(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  beforeAll(async () => {
    server = await startTestServer({ outboundAllowList: ['127.0.0.1'] });
    alice = await server.newUser('alpha@example.test');
    bob = await server.newUser('bravo-secret@example.test');
    fixtures.workspaceId = bob.workspace.id;
    fixtures.rootId = bob.workspace.rootFolderId;
    fixtures.userId = bob.user.id;
    const folder = await bobJson<FerryNode>(`/api/v1/nodes/${bob.workspace.rootFolderId}/folders`, 'POST', { name: 'b-secret-folder' });
    fixtures.folderId = folder.id;
    const put = await bob.api(`/api/v1/nodes/${folder.id}/files/b-secret-file.txt`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: content });
    expect(put.status).toBe(200);
    const file = (await put.json()) as FerryNode;
    fixtures.fileId = file.id;
    fixtures.versionId = file.contentVersionId ?? file.versionId;
    const share = await bobJson<{ id: string; token: string }>(`/api/v1/nodes/${file.id}/shares`, 'POST', {});
    fixtures.shareId = share.id;
    fixtures.token = share.token;
    const token = await bobJson<{ id: string; token: string }>('/api/v1/tokens', 'POST', { name: 'b-secret-token' });
    fixtures.tokenId = token.id;
    const uploadSession = await bobJson<{ id: string }>('/api/v1/uploads', 'POST', { parentId: folder.id, name: 'b-secret-upload.bin', size: 100 });
    fixtures.uploadId = uploadSession.id;
    // Integrations, where this build has them (ids stay fake otherwise, which must be 404 just the same).
    // Endpoints and REST hooks need Webhooks and Zapier installed in the workspace.
    await installForTest(bob.api, bob.workspace.id, 'webhooks');
    await installForTest(bob.api, bob.workspace.id, 'zapier');
    const webhook = await bob.api(`/api/v1/workspaces/${bob.workspace.id}/webhooks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://127.0.0.1:9/b-secret-hook', description: 'b-secret-hook' }),
    });
    if (webhook.status === 201) fixtures.endpointId = ((await webhook.json()) as { id: string }).id;
    const hook = await bob.api('/api/v1/hooks', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target_url: 'http://127.0.0.1:9/b-secret-rest-hook', event: 'file.created', workspace: bob.workspace.id }),
    });
    if (hook.status === 201) fixtures.hookId = ((await hook.json()) as { id: string }).id;
    const client = await bob.api(`/api/v1/workspaces/${bob.workspace.id}/oauth-clients`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'b-secret-client', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['files:read'] }),
    });
    if (client.status === 201) fixtures.clientId = ((await client.json()) as { id: string }).id;

    secrets.push(content, bob.user.email, 'bravo-secret', 'b-secret-', share.token, token.token, bob.token);
    for (const key of ['workspaceId', 'rootId', 'userId', 'folderId', 'fileId', 'versionId', 'shareId', 'tokenId', 'uploadId', 'endpointId', 'hookId', 'clientId']) {
      const id = fixtures[key];
      if (id) secrets.push(id);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it('sweeps a meaningful part of the table', () => {
    const swept = Object.entries(routes as Record<string, RouteSpec>).filter(([, spec]) => spec.auth !== 'none' && pointsIntoWorkspace(spec));
    expect(swept.length).toBeGreaterThanOrEqual(30);
    expect(swept.map(([name]) => name)).toEqual(expect.arrayContaining(['getNode', 'getFileContent', 'listEvents', 'streamEvents', 'revokeToken', 'removeMember', 'createUpload', 'listEventsDefault']));
  });

  it('answers 403 or 404 with none of B’s data, and changes nothing of B’s', async () => {
    const failures: string[] = [];
    for (const [name, spec] of Object.entries(routes as Record<string, RouteSpec>)) {
      if (spec.auth === 'none' || !pointsIntoWorkspace(spec)) continue;
      for (const probe of probesOf(name, spec, fixtures)) {
        const url = `${server.url}${probe.path}${probe.query ? `?${probe.query}` : ''}`;
        const response = await fetch(url, {
          method: probe.method,
          headers: {
            authorization: `Bearer ${alice.token}`,
            ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
            ...(name === 'appendUpload' ? { 'upload-offset': '0' } : {}),
          },
          ...(probe.body === undefined ? {} : { body: probe.body }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        const sent = `${probe.path} ${probe.query} ${probe.body ?? ''}`;
        const leaked = secrets.filter((secret) => text.includes(secret) && !sent.includes(secret));
        if (response.status !== 403 && response.status !== 404) failures.push(`${name} ${probe.method} ${url} → ${response.status} ${text.slice(0, 200)}`);
        if (leaked.length > 0) failures.push(`${name} ${probe.method} ${url} leaked ${leaked.join(', ')}: ${text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);

    // B's things are all still there and unchanged.
    const download = await bob.api(`/api/v1/nodes/${fixtures.fileId}/content`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(content);
    expect((await fetch(`${server.url}/api/v1/public/shares/${fixtures.token}`)).status).toBe(200);
    const tokens = (await (await bob.api('/api/v1/tokens')).json()) as { items: { id: string }[] };
    expect(tokens.items.map((item) => item.id)).toContain(fixtures.tokenId);
    const members = (await (await bob.api(`/api/v1/workspaces/${bob.workspace.id}/members`)).json()) as { items: { userId: string; role: string }[] };
    expect(members.items).toEqual([expect.objectContaining({ userId: bob.user.id, role: 'owner' })]);
    expect((await bob.api(`/api/v1/uploads/${fixtures.uploadId}`)).status).toBe(200);
    const folder = (await (await bob.api(`/api/v1/nodes/${fixtures.folderId}`)).json()) as FerryNode;
    expect(folder).toMatchObject({ name: 'b-secret-folder', deletedAt: null });
    const events = (await (await bob.api(`/api/v1/workspaces/${bob.workspace.id}/events?limit=1000`)).json()) as { events: { actorId: string | null }[] };
    expect(events.events.filter((event) => event.actorId === alice.user.id)).toEqual([]);
  });
});
