import { routes, type RouteSpec } from '@ferry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/index.js';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: { type?: string; properties?: Record<string, unknown> } }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  security: object[];
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { Error: { properties: { error: object } } }; securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
}

describe('/api/v1/openapi.json', () => {
  let server: TestServer;
  let document: Document;

  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });
  afterAll(async () => {
    await server.close();
  });

  it('is an OpenAPI 3.1 document with the error shape and both ways to sign in', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('Ferry API');
    expect(document.components.schemas.Error.properties.error).toBeDefined();
    expect(document.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.components.securitySchemes.cookieAuth).toEqual(expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'ferry_session' }));
    expect(document.components.securitySchemes.oauth2).toEqual(expect.objectContaining({ type: 'oauth2' }));
    expect(document.paths['/api/v1/nodes/{nodeId}']?.get?.security).toContainEqual({ oauth2: ['files:read'] });
  });

  it('lists every route of the table under its {param} path, with parameters, bodies and responses', () => {
    const table: Record<string, RouteSpec> = routes;
    for (const [name, spec] of Object.entries(table)) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      const operation = document.paths[path]?.[spec.method.toLowerCase()];
      expect(operation, `${name} ${spec.method} ${path}`).toBeDefined();
      if (!operation) continue;
      expect(operation.operationId).toBe(name);
      const pathParams = [...spec.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
      expect(operation.parameters?.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name) ?? []).toEqual(pathParams);
      expect(Object.keys(operation.responses)).toContain(String(spec.status ?? 200));
      expect(operation.security.length === 0).toBe(spec.auth === 'none');
      if (spec.body !== undefined) expect(operation.requestBody).toBeDefined();
    }
  });

  it('describes schemas concretely', () => {
    const login = document.paths['/api/v1/auth/login']?.post;
    expect(login?.requestBody?.content['application/json']?.schema.properties).toHaveProperty('password');
    expect(login?.responses['401']).toBeDefined();
    const events = document.paths['/api/v1/workspaces/{workspaceId}/events']?.get;
    expect(events?.parameters?.map((parameter) => parameter.name)).toEqual(['workspaceId', 'cursor', 'limit', 'wait']);
    expect(JSON.stringify(events?.responses['200'])).toContain('nextCursor');
    const stream = document.paths['/api/v1/workspaces/{workspaceId}/events/stream']?.get;
    expect(stream?.responses['200']?.content).toHaveProperty(['text/event-stream']);
  });
});
