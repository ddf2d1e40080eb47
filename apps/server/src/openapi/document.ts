/**
 * @module openapi/document
 * The OpenAPI 3.1 document of the REST API, generated from the route table of
 * `@ferry/core` and its zod schemas, so the docs cannot drift from the code.
 */
import { errorBodySchema, errorStatus, oauthScopeSchema, routes, type ErrorCode, type RouteSpec } from '@ferry/core';
import { z } from 'zod';
import { csrfHeader, sessionCookie } from '../auth/actor.js';

type JsonSchema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

const scopeDescriptions: Partial<Record<string, string>> = {
  'files:read': 'Read files, folders, versions and the event feed',
  'files:write': 'Create, change, move and delete files and folders',
  'shares:write': 'Create and revoke share links',
  'webhooks:manage': 'Manage webhook endpoints and REST hooks',
  offline_access: 'Stay connected with a refresh token',
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json: JsonSchema = { ...z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) };
  delete json.$schema;
  return json;
}

/** `/a/:b/c` → `/a/{b}/c` */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): Parameter[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function successContent(spec: RouteSpec): Record<string, unknown> | undefined {
  const { response } = spec;
  if (response === 'empty') return undefined;
  if (response === 'binary') return { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
  if (response === 'html') return { 'text/html': { schema: { type: 'string' } } };
  if (response === 'text') {
    const type = spec.path.endsWith('/stream') ? 'text/event-stream' : 'text/plain';
    return { [type]: { schema: { type: 'string' } } };
  }
  return { 'application/json': { schema: toSchema(response, 'output') } };
}

function errorResponses(spec: RouteSpec): Record<string, unknown> {
  const codes = new Set<string>(spec.errors ?? []);
  if (spec.auth === 'user') codes.add('unauthenticated');
  if (spec.params || spec.query || (spec.body !== undefined && spec.body !== 'binary' && spec.body !== 'multipart')) codes.add('validation_failed');
  codes.add('rate_limited');
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const status = errorStatus[code as ErrorCode] ?? 400;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Error: ${list.join(', ')}`,
      ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds to wait' } } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return responses;
}

function securityOf(spec: RouteSpec): Record<string, string[]>[] {
  if (spec.auth === 'none') return [];
  const schemes: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }, ...(spec.scope ? [{ oauth2: [spec.scope] }] : [])];
  return spec.auth === 'optional' ? [{}, ...schemes] : schemes;
}

function operationOf(name: string, spec: RouteSpec): Record<string, unknown> {
  const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
  const status = String(spec.status ?? (spec.response === 'empty' ? 204 : 200));
  const content = successContent(spec);
  const operation: Record<string, unknown> = {
    operationId: name,
    summary: spec.summary,
    tags: [spec.tag],
    security: securityOf(spec),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: { [status]: { description: 'Success', ...(content ? { content } : {}) }, ...errorResponses(spec) },
  };
  if (spec.body === 'binary') {
    operation.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } };
  } else if (spec.body === 'multipart') {
    operation.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', additionalProperties: true } } } };
  } else if (spec.body !== undefined) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } };
  }
  return operation;
}

export function buildOpenApiDocument(serverUrl: string | null): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const table: Record<string, RouteSpec> = routes;
  for (const [name, spec] of Object.entries(table)) {
    const path = toOpenApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operationOf(name, spec) };
  }
  const tags = [...new Set(Object.values(table).map((spec) => spec.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry API',
      version: '1.0.0',
      description:
        'The REST API of a Ferry server. Errors answer {"error": {"code", "message", "details"?}} with a stable code. ' +
        `Writes signed in by the session cookie must send the header "${csrfHeader}: 1".`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags,
    paths,
    components: {
      schemas: { Error: toSchema(errorBodySchema, 'output') },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A personal API token (fry_...) or an OAuth access token.' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: sessionCookie, description: 'The web session cookie set by sign-in.' },
        oauth2: {
          type: 'oauth2',
          description: 'Ferry as an OAuth 2.0 authorization server (code + PKCE); an access token acts in the one workspace granted.',
          flows: {
            authorizationCode: {
              authorizationUrl: `${serverUrl ?? ''}/oauth/authorize`,
              tokenUrl: `${serverUrl ?? ''}/oauth/token`,
              refreshUrl: `${serverUrl ?? ''}/oauth/token`,
              scopes: Object.fromEntries(oauthScopeSchema.options.map((scope) => [scope, scopeDescriptions[scope] ?? scope])),
            },
          },
        },
      },
    },
  };
}
