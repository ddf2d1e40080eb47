/**
 * @module api/define
 * How one HTTP endpoint is described: enough for the server to validate it,
 * for the typed client to call it and for the OpenAPI document to list it.
 */
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What an OAuth access token may be allowed to do (the server's scope catalog describes each). */
export type ApiScope = 'files:read' | 'files:write' | 'shares:write' | 'webhooks:manage';

/**
 * `binary` means a raw byte stream (application/octet-stream) instead of JSON;
 * `multipart` a `multipart/form-data` body (RFC 7578) the handler streams part by part.
 */
export type BodySpec = z.ZodType | 'binary' | 'multipart' | undefined;
export type ResponseSpec = z.ZodType | 'binary' | 'empty' | 'html' | 'text';

export interface RouteSpec {
  method: HttpMethod;
  /** Fastify-style path with `:param` segments, relative to the server root. */
  path: string;
  summary: string;
  tag: string;
  auth: 'none' | 'user' | 'optional';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: BodySpec;
  response: ResponseSpec;
  /** The success status; 200 unless said. */
  status?: number;
  /** Error codes this endpoint may answer with (for the docs). */
  errors?: readonly string[];
  /**
   * The scope an OAuth access token needs for this route (403 insufficient_scope
   * without it). Routes without one are closed to OAuth tokens; API tokens and
   * sessions are not limited by scopes.
   */
  scope?: ApiScope;
}

export function defineRoutes<const T extends Record<string, RouteSpec>>(routes: T): T {
  return routes;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export type RouteParams<R extends RouteSpec> = Infer<R['params']>;
export type RouteQuery<R extends RouteSpec> = R['query'] extends z.ZodType ? z.input<R['query']> : undefined;
export type RouteBody<R extends RouteSpec> = R['body'] extends z.ZodType
  ? z.input<R['body']>
  : R['body'] extends 'binary'
    ? BinaryBody
    : R['body'] extends 'multipart'
      ? FormData
      : undefined;
export type RouteResponse<R extends RouteSpec> = R['response'] extends z.ZodType
  ? z.output<R['response']>
  : R['response'] extends 'binary'
    ? Response
    : R['response'] extends 'empty'
      ? undefined
      : string;

/** A raw request body the client can stream. */
export type BinaryBody = Uint8Array | Blob | ReadableStream<Uint8Array> | string;
