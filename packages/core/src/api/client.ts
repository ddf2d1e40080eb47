/**
 * @module api/client
 * The typed client of the Ferry REST API, used by the CLI, the web console
 * (cookie session in a browser), the desktop app and the sync engine.
 *
 * `client.call('routeName', { params, query, body, headers, signal })` is typed
 * from the route table: path parameters are filled in, the query serialised,
 * JSON bodies sent as JSON and binary bodies streamed as they are; JSON answers
 * are parsed with the route's zod schema, binary answers come back as the
 * `Response`. Every error answer becomes a `FerryError` with the server's code.
 *
 * Isomorphic: only `fetch`, no Node built-ins.
 */
import type { z } from 'zod';
import { errorBodySchema } from '../error-body.js';
import { parseRetryAfter } from '../retry-after.js';
import { errorStatus, FerryError, isErrorCode, type ErrorCode } from '../errors.js';
import type { BinaryBody, RouteResponse, RouteSpec } from './define.js';
import { routes, type RouteName, type Routes } from './routes.js';

/** Sent on every request; cookie-authenticated writes need it (CSRF guard). */
export const csrfHeaderName = 'x-ferry-request';
/** Names the device or integration that made a change (shown in versions and events). */
export const sourceHeaderName = 'x-ferry-source';

export interface ClientOptions {
  /** The server's root, e.g. `http://127.0.0.1:8080` (a trailing slash is fine). In a browser, `''` means same origin. */
  baseUrl: string;
  /** A personal API token or OAuth access token, sent as `Authorization: Bearer`. Leave out for a cookie session. */
  token?: string;
  /** Another fetch implementation (tests, a custom dispatcher). */
  fetch?: typeof fetch;
  /** Headers sent on every request. */
  headers?: Record<string, string>;
  /** The device or integration name, sent as `X-Ferry-Source`. */
  source?: string;
  /** Fetch credentials mode; a browser console on the same origin keeps the default. */
  credentials?: RequestCredentials;
}

type IsOptional<T> = object extends T ? true : false;
type Input<S> = S extends z.ZodType ? z.input<S> : never;

type ParamsPart<R extends RouteSpec> = R['params'] extends z.ZodType ? { params: Input<R['params']> } : { params?: undefined };
type QueryPart<R extends RouteSpec> = R['query'] extends z.ZodType
  ? IsOptional<Input<R['query']>> extends true
    ? { query?: Input<R['query']> }
    : { query: Input<R['query']> }
  : { query?: undefined };
type BodyPart<R extends RouteSpec> = R['body'] extends z.ZodType
  ? IsOptional<Input<R['body']>> extends true
    ? { body?: Input<R['body']> }
    : { body: Input<R['body']> }
  : R['body'] extends 'binary'
    ? { body: BinaryBody }
    : R['body'] extends 'multipart'
      ? { body: FormData }
      : { body?: undefined };

/** What one call takes: the route's params, query and body, plus per-call headers and an abort signal. */
export type CallInput<R extends RouteSpec> = ParamsPart<R> &
  QueryPart<R> &
  BodyPart<R> & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

/** The input may be left out when nothing in it is required. */
export type CallArgs<R extends RouteSpec> = IsOptional<CallInput<R>> extends true ? [input?: CallInput<R>] : [input: CallInput<R>];

export interface FerryClient {
  readonly baseUrl: string;
  /** Calls a route and returns its parsed answer (`Response` for binary routes). */
  call<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<RouteResponse<Routes[N]>>;
  /** Calls a route and returns the raw `Response` once it is known to be a success (e.g. the SSE stream). */
  raw<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<Response>;
  /** The absolute URL of a route, with its params and query filled in (links, downloads). */
  url<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): string;
}

/** The input of any route, as the implementation sees it. */
interface LooseInput {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function looseInput(args: readonly unknown[]): LooseInput {
  const [input] = args;
  return typeof input === 'object' && input !== null ? (input as LooseInput) : {};
}

/** Fills `:name` segments of a route path, each value URI-encoded. */
export function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, key: string) => {
    const value = params[key];
    if (value === undefined || value === null || value === '') {
      throw new FerryError('bad_request', `The path parameter "${key}" is missing.`);
    }
    return encodeURIComponent(String(value));
  });
}

/** `?a=1&b=x` from an object; undefined and null values are left out, arrays repeat the key. */
export function serializeQuery(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function isStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream;
}

/** The generic code for an HTTP status, for answers whose code this client does not know. */
function codeForStatus(status: number): ErrorCode {
  const generic: Record<number, ErrorCode> = {
    400: 'bad_request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    410: 'gone',
    412: 'precondition_failed',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    416: 'range_not_satisfiable',
    428: 'precondition_required',
    429: 'rate_limited',
    503: 'unavailable',
  };
  return generic[status] ?? 'internal';
}

/**
 * Turns a non-2xx answer into the FerryError the server meant; a 429 or 503
 * with `Retry-After` (seconds or an HTTP date) gets `retryAfterMs` in its details.
 */
export async function errorFromResponse(response: Response): Promise<FerryError> {
  const error = await errorOfBody(response);
  const retryAfterMs = response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
  if (retryAfterMs === undefined) return error;
  const details = typeof error.details === 'object' && error.details !== null ? error.details : error.details === undefined ? {} : { details: error.details };
  return new FerryError(error.code, error.message, { ...details, retryAfterMs });
}

/** The error the answer's body names (or one made from its status). */
async function errorOfBody(response: Response): Promise<FerryError> {
  let payload: unknown = null;
  const text = await response.text().catch(() => '');
  try {
    payload = text === '' ? null : JSON.parse(text);
  } catch {
    payload = null;
  }
  const parsed = errorBodySchema.safeParse(payload);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    if (isErrorCode(code)) return new FerryError(code, message, details);
    return new FerryError(codeForStatus(response.status), message, { status: response.status, code, details });
  }
  const fallback = codeForStatus(response.status);
  const snippet = text.slice(0, 200).trim();
  const message = `The server answered ${response.status} ${response.statusText}`.trim() + (snippet === '' ? '.' : `: ${snippet}`);
  return new FerryError(fallback, message, { status: response.status });
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

export function createClient(options: ClientOptions): FerryClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  function urlOf(spec: RouteSpec, input: LooseInput): string {
    return `${baseUrl}${fillPath(spec.path, input.params)}${serializeQuery(input.query)}`;
  }

  function buildInit(spec: RouteSpec, input: LooseInput): RequestInit & { duplex?: 'half' } {
    const headers = new Headers(options.headers);
    headers.set(csrfHeaderName, '1');
    if (spec.response !== 'binary') headers.set('accept', spec.response === 'text' || spec.response === 'html' ? '*/*' : 'application/json');
    if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
    if (options.source !== undefined) headers.set(sourceHeaderName, options.source);
    const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers };
    if (options.credentials !== undefined) init.credentials = options.credentials;
    if (input.signal !== undefined) init.signal = input.signal;
    if (spec.body === 'binary') {
      const body = input.body as BinaryBody | undefined;
      if (body === undefined) throw new FerryError('bad_request', 'This route needs a body.');
      headers.set('content-type', 'application/octet-stream');
      if (isStream(body)) init.duplex = 'half';
      init.body = body as BodyInit;
    } else if (spec.body === 'multipart') {
      // fetch writes the content type itself, with the boundary of the form.
      if (!(input.body instanceof FormData)) throw new FerryError('bad_request', 'This route needs a FormData body.');
      init.body = input.body;
    } else if (spec.body !== undefined && input.body !== undefined) {
      headers.set('content-type', 'application/json');
      init.body = JSON.stringify(input.body);
    }
    for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name, value);
    return init;
  }

  async function send(name: RouteName, input: LooseInput): Promise<Response> {
    const spec: RouteSpec = routes[name];
    const url = urlOf(spec, input);
    const init = buildInit(spec, input);
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      if (isAbort(error, input.signal)) throw error;
      throw new FerryError('unavailable', `Cannot reach the Ferry server at ${baseUrl || 'this origin'} (${describeCause(error)}).`, { reason: 'unreachable' });
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  async function parseAnswer(name: RouteName, response: Response): Promise<unknown> {
    const spec: RouteSpec = routes[name];
    if (spec.response === 'binary') return response;
    if (spec.response === 'empty') {
      await response.body?.cancel();
      return undefined;
    }
    if (spec.response === 'html' || spec.response === 'text') return response.text();
    let payload: unknown;
    try {
      payload = await response.json();
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw new FerryError('internal', `The answer to ${name} is not JSON.`);
    }
    const parsed = spec.response.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
      throw new FerryError('internal', `The answer to ${name} does not have the expected shape: ${issues}`, { issues: parsed.error.issues });
    }
    return parsed.data;
  }

  return {
    baseUrl,
    async call<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<RouteResponse<Routes[N]>> {
      const input = looseInput(args);
      const response = await send(name, input);
      return (await parseAnswer(name, response)) as RouteResponse<Routes[N]>;
    },
    async raw<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): Promise<Response> {
      return send(name, looseInput(args));
    },
    url<N extends RouteName>(name: N, ...args: CallArgs<Routes[N]>): string {
      return urlOf(routes[name], looseInput(args));
    },
  };
}

/** True when the error means the server could not be reached (worth a retry). */
export function isUnavailable(error: unknown): boolean {
  return error instanceof FerryError && (error.code === 'unavailable' || error.status === errorStatus.unavailable);
}
