/**
 * @module http/route
 * Registers a handler for one named route of `@ferry/core`'s table: the method
 * and path come from the table, params/query/body are parsed with its zod
 * schemas before the handler runs, and the caller is authenticated as the
 * table says. Handlers return the JSON answer, or send a stream themselves.
 */
import { FerryError, routes, type Routes, type RouteSpec } from '@ferry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface HandlerInput<R extends RouteSpec> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  /** The parsed JSON body; for `binary` and `multipart` routes read `request.raw` (a stream) instead. */
  body: R['body'] extends z.ZodType ? z.output<R['body']> : undefined;
  actor: R['auth'] extends 'user' ? Actor : Actor | null;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** The JSON answer; any handler may instead send the reply itself (e.g. pre-rendered JSON) and return it. */
export type HandlerOutput<R extends RouteSpec> = R['response'] extends z.ZodType ? z.input<R['response']> | FastifyReply : FastifyReply;

export type Handler<N extends keyof Routes> = (input: HandlerInput<Routes[N]>) => Promise<HandlerOutput<Routes[N]>>;

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new FerryError('validation_failed', `Invalid ${where}: ${result.error.issues.map((issue) => `${issue.path.join('.') || where} ${issue.message}`).join('; ')}`, {
      issues: result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    });
  }
  return result.data;
}

/** An OAuth access token (an actor with scopes) may call only routes that name a scope it holds (RFC 6750 §3.1). */
function requireScope(spec: RouteSpec, actor: Actor | null, reply: FastifyReply): void {
  if (!actor?.scopes || spec.auth === 'none') return;
  if (spec.scope !== undefined && actor.scopes.includes(spec.scope)) return;
  reply.header('www-authenticate', spec.scope === undefined ? 'Bearer error="insufficient_scope"' : `Bearer error="insufficient_scope", scope="${spec.scope}"`);
  throw new FerryError(
    'insufficient_scope',
    spec.scope === undefined ? 'OAuth access tokens cannot use this endpoint.' : `This needs the "${spec.scope}" scope, which the access token was not granted.`,
  );
}

function isJsonRequest(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && /^application\/(.+\+)?json\b/i.test(type);
}

export function route<N extends keyof Routes>(app: FastifyInstance, name: N, handler: Handler<N>): void {
  const spec: RouteSpec = routes[name];
  app.route({
    method: spec.method,
    url: spec.path,
    handler: async (request, reply) => {
      const actor = request.actor;
      if (spec.auth === 'user' && actor === null) {
        throw new FerryError('unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer <token>".');
      }
      requireScope(spec, actor, reply);
      const params = spec.params ? parse(spec.params, request.params, 'path parameters') : {};
      const query = spec.query ? parse(spec.query, request.query, 'query') : {};
      let body: unknown;
      if (spec.body !== undefined && spec.body !== 'binary' && spec.body !== 'multipart') {
        if (!isJsonRequest(request)) throw new FerryError('unsupported_media_type', 'Send the body as application/json.');
        body = parse(spec.body, request.body, 'body');
      }
      const input = { params, query, body, actor, request, reply } as HandlerInput<Routes[N]>;
      const result = await handler(input);
      if (result === reply) return reply;
      if (spec.status !== undefined) reply.code(spec.status);
      return result;
    },
  });
}
