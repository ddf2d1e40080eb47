/**
 * @module http/emulator-server
 * The HTTP shell around one emulator: it serves the control endpoints under
 * `/__emulator/`, applies injected faults, then hands the request to the
 * provider's router. It tracks open sockets so `close()` ends long polls and
 * hung requests at once.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { faultRuleSchema, type FaultInjector, type FaultRule } from './faults.js';
import { parseJsonText, sendJson, withParams, wrapRequest, type EmulatorRequest, type Router } from './http-kit.js';

/** How a provider renders an injected error status in its own error format. */
export type FaultRenderer = (response: ServerResponse, status: number, rule: FaultRule, request: EmulatorRequest) => void;

export interface EmulatorHooks {
  readonly router: Router;
  readonly faults: FaultInjector;
  readonly renderFault: FaultRenderer;
  /** Answers a request no route matched, in the provider's format. */
  readonly notFound: (response: ServerResponse, request: EmulatorRequest) => void;
  /** Control actions a separate process may trigger. */
  readonly controls: {
    expireTokens(): void;
    expireCursors(): void;
    /** Revokes every grant (the user removed the app's access); answers how many. */
    revokeGrants(): number;
    issueToken(): { accessToken: string; refreshToken: string; expiresIn: number };
  };
}

/** The API requests an emulator received (control calls under `/__emulator/` are not counted), for tests that count calls. */
export class RequestLog {
  readonly #entries: { method: string; path: string }[] = [];

  record(method: string, path: string): void {
    this.#entries.push({ method, path });
  }

  /** How many requests matched (every one when no filter is given). */
  count(filter: { method?: string; pathPrefix?: string } = {}): number {
    return this.#entries.filter((entry) => (filter.method === undefined || entry.method === filter.method) && (filter.pathPrefix === undefined || entry.path.startsWith(filter.pathPrefix))).length;
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RequestLog;
  close(): Promise<void>;
  /** Runs when close() starts, before sockets are destroyed (e.g. to answer long polls). */
  onClose(callback: () => void): void;
}

const controlBodySchema = z.union([faultRuleSchema, z.array(faultRuleSchema)]);

async function handleControl(request: EmulatorRequest, response: ServerResponse, hooks: EmulatorHooks): Promise<void> {
  const action = request.url.pathname.slice('/__emulator/'.length);
  if (action === 'faults' && request.method === 'GET') {
    sendJson(response, 200, { faults: hooks.faults.pending() });
    return;
  }
  if (action === 'faults' && request.method === 'DELETE') {
    hooks.faults.clear();
    sendJson(response, 200, { faults: [] });
    return;
  }
  if (action === 'faults' && request.method === 'POST') {
    const parsed = controlBodySchema.safeParse(parseJsonText((await request.body()).toString('utf8')));
    if (!parsed.success) {
      sendJson(response, 400, { error: 'invalid_fault', issues: parsed.error.issues });
      return;
    }
    for (const rule of Array.isArray(parsed.data) ? parsed.data : [parsed.data]) hooks.faults.push(rule);
    sendJson(response, 201, { faults: hooks.faults.pending() });
    return;
  }
  if (request.method === 'POST' && action === 'expire-tokens') {
    hooks.controls.expireTokens();
    sendJson(response, 200, { expired: 'tokens' });
    return;
  }
  if (request.method === 'POST' && action === 'expire-cursors') {
    hooks.controls.expireCursors();
    sendJson(response, 200, { expired: 'cursors' });
    return;
  }
  if (request.method === 'POST' && action === 'revoke-grants') {
    sendJson(response, 200, { revoked: hooks.controls.revokeGrants() });
    return;
  }
  if (request.method === 'POST' && action === 'tokens') {
    sendJson(response, 201, hooks.controls.issueToken());
    return;
  }
  sendJson(response, 404, { error: 'unknown_control', path: request.url.pathname });
}

/** The request goes on to its handler, but nothing it answers reaches the client: the connection is destroyed instead. */
function loseAnswer(request: EmulatorRequest, response: ServerResponse): void {
  const drop = (): void => {
    request.raw.socket.destroy();
  };
  Object.assign(response, {
    writeHead: () => response,
    write: () => {
      drop();
      return false;
    },
    end: () => {
      drop();
      return response;
    },
  });
}

async function applyFault(
  rule: FaultRule,
  request: EmulatorRequest,
  response: ServerResponse,
  hooks: EmulatorHooks,
): Promise<'handled' | 'continue'> {
  if (rule.reset) {
    request.raw.socket.destroy();
    return 'handled';
  }
  if (rule.hang) return 'handled';
  if (rule.resetAfter) loseAnswer(request, response);
  if (rule.delayMs) await sleep(rule.delayMs);
  if (rule.status === undefined) return 'continue';
  hooks.renderFault(response, rule.status, rule, request);
  return 'handled';
}

/** Starts the HTTP server of one emulator on 127.0.0.1 (port 0 = ephemeral). */
export async function startEmulatorServer(options: { port?: number; host?: string }, hooks: EmulatorHooks): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const closeCallbacks: (() => void)[] = [];
  let baseUrl = `http://${host}`;
  const requests = new RequestLog();

  const server = createServer((raw, response) => {
    const request = wrapRequest(raw, baseUrl);
    const run = async (): Promise<void> => {
      if (request.url.pathname.startsWith('/__emulator/')) {
        await handleControl(request, response, hooks);
        return;
      }
      requests.record(request.method, request.url.pathname);
      const rule = hooks.faults.take(request.method, request.url.pathname);
      if (rule && (await applyFault(rule, request, response, hooks)) === 'handled') return;
      const found = hooks.router.match(request.method, request.url.pathname);
      if (!found) {
        hooks.notFound(response, request);
        return;
      }
      await found.handler(withParams(request, found.params), response);
    };
    run().catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, 500, { error: 'emulator_failure', message: error instanceof Error ? error.message : String(error) });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    requests,
    onClose: (callback) => closeCallbacks.push(callback),
    close: async () => {
      for (const callback of closeCallbacks) callback();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await sleep(10);
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
