/**
 * @module testing/ferry-replica
 * A Ferry workspace as a story replica: the engine syncs it through
 * `FerryDriver`; the "user" of that side acts through the same REST API
 * (as the web console or another device would), with a client of its own.
 * The engine's client goes through a fault switch that can refuse requests
 * the way a busy or restarting server does (429 with Retry-After, 503, a
 * dropped connection), lose the answer of a request the server carried
 * out, or stop the real server right before a request and
 * start it again later (an outage), when the target can restart it.
 */
import { createClient, FerryError } from '@ferry/core';
import { baseName, type ByteStream, parentPath } from '../driver.js';
import { FerryDriver } from '../drivers/ferry.js';
import type { ReplicaFactory, ReplicaFaults, ReplicaFixture } from './replicas.js';

export interface FerryReplicaTarget {
  /** Gives a fresh user, token and workspace (or folder) for each new replica. */
  readonly connect: () => Promise<{ baseUrl: string; token: string; workspaceId: string; rootPath?: string }>;
  /** Stops the server and starts it again (same data, same address), for outage stories; absent: no outages. */
  readonly restart?: { stop(): Promise<void>; start(): Promise<void> };
}

async function bytes(stream: ByteStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(parts));
}

const text = async (stream: ByteStream): Promise<string> => Buffer.from(await bytes(stream)).toString('utf8');

/** File content goes up to one of these routes (putFileByName, uploadFiles, putFileContent), never with a GET. */
const uploadPath = /^\/api\/v1\/nodes\/[^/]+\/(files(\/[^/]+)?|content)$/;

/** Which requests a refusal or an outage waits for. */
type Scope = 'any' | 'upload';

const inScope = (scope: Scope, method: string, pathname: string): boolean => scope === 'any' || (method !== 'GET' && uploadPath.test(pathname));

interface Refusal {
  /** 0: the connection is dropped without an answer. */
  readonly status: 429 | 503 | 0;
  readonly retryAfterSeconds: number;
  readonly scope: Scope;
  remaining: number;
}

/** An outage waiting for its first request, then under way. */
interface Outage {
  readonly scope: Scope;
  stopped: Promise<void> | null;
}

/** Requests carried out whose answers are dropped. */
interface LostAnswers {
  readonly scope: Scope;
  remaining: number;
}

interface FaultState {
  readonly refusals: Refusal[];
  readonly lostAnswers: LostAnswers[];
  outage: Outage | null;
}

/** What undici throws when the server drops the connection. */
const droppedConnection = (): TypeError => new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });

/**
 * A fetch that answers refused requests itself, with the status and error
 * body the server would send; during an outage it first waits for the server
 * to be down, then really sends (and the connection is refused).
 */
function faultyFetch(state: FaultState, stop: () => Promise<void>): typeof fetch {
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const pathname = new URL(input instanceof Request ? input.url : input).pathname;
    const outage = state.outage;
    if (outage !== null && (outage.stopped !== null || inScope(outage.scope, method, pathname))) {
      outage.stopped ??= stop();
      await outage.stopped;
      return fetch(input, init);
    }
    const lost = state.lostAnswers.find((candidate) => inScope(candidate.scope, method, pathname));
    if (lost !== undefined) {
      lost.remaining -= 1;
      if (lost.remaining <= 0) state.lostAnswers.splice(state.lostAnswers.indexOf(lost), 1);
      const answer = await fetch(input, init);
      await answer.arrayBuffer(); // the server did it; the client never hears
      throw droppedConnection();
    }
    const refusal = state.refusals.find((candidate) => inScope(candidate.scope, method, pathname));
    if (refusal === undefined) return fetch(input, init);
    refusal.remaining -= 1;
    if (refusal.remaining <= 0) state.refusals.splice(state.refusals.indexOf(refusal), 1);
    // A streamed upload is read to its end first, as by a server that fails after taking the bytes (the client sent them all).
    if (init?.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
    if (refusal.status === 0) throw droppedConnection();
    const error = refusal.status === 429 ? new FerryError('rate_limited', 'Too many requests; try again later.') : new FerryError('unavailable', 'The server is restarting; try again shortly.');
    const headers = { 'content-type': 'application/json', 'retry-after': String(refusal.retryAfterSeconds) };
    return new Response(JSON.stringify(error.toBody()), { status: refusal.status, headers });
  };
}

/** A replica factory for `registerReplicaKind('ferry', ferryReplica(target))`. */
export function ferryReplica(target: FerryReplicaTarget): ReplicaFactory {
  return async (): Promise<ReplicaFixture> => {
    const { baseUrl, token, workspaceId, rootPath } = await target.connect();
    const state: FaultState = { refusals: [], lostAnswers: [], outage: null };
    const restart = target.restart;
    const where = { workspaceId, ...(rootPath === undefined ? {} : { rootPath }) };
    const stop = async (): Promise<void> => {
      if (restart === undefined) throw new Error('This Ferry target cannot restart its server.');
      await restart.stop();
    };
    const retryWaits: number[] = [];
    const retry = { sleep: async (milliseconds: number) => void retryWaits.push(milliseconds) }; // waits are recorded, not slept
    const driver = new FerryDriver({ client: createClient({ baseUrl, token, source: 'sync-test', fetch: faultyFetch(state, stop) }), ...where, retry });
    const user = new FerryDriver({ client: createClient({ baseUrl, token, source: 'console' }), ...where }); // the same API, used the way a person would
    const faults: ReplicaFaults = {
      refuse(kind, { times, on = 'any', retryAfterSeconds = 1 }) {
        state.refusals.push({ status: kind === 'rate-limit' ? 429 : kind === 'server-error' ? 503 : 0, retryAfterSeconds, scope: on, remaining: times });
      },
      loseAnswer({ times, on = 'any' }) {
        state.lostAnswers.push({ scope: on, remaining: times });
      },
      clear: () => {
        state.refusals.length = 0;
        state.lostAnswers.length = 0;
      },
      ...(restart === undefined
        ? {}
        : {
            startOutage(on: Scope) {
              state.outage = { scope: on, stopped: null };
            },
            async endOutage() {
              const ended = state.outage;
              state.outage = null;
              if (ended?.stopped !== null && ended?.stopped !== undefined) {
                await ended.stopped;
                await restart.start();
              }
            },
          }),
      retries: true,
      retryWaits,
    };
    const snapshot = async (): Promise<{ files: Record<string, string>; folders: string[] }> => {
      const entries = (await user.list()).sort((left, right) => (left.path < right.path ? -1 : 1));
      const files: Record<string, string> = {};
      for (const entry of entries) if (entry.kind === 'file') files[entry.path] = await text(await user.read(entry.path));
      return { files, folders: entries.filter((entry) => entry.kind === 'folder').map((entry) => entry.path) };
    };
    const existing = async (path: string) => {
      const entry = await user.stat(path);
      if (entry === null) throw new Error(`${path} does not exist on the server`);
      return entry;
    };
    return {
      kind: 'ferry',
      driver,
      setsModifiedTime: false, // the server dates a version itself
      faults,
      async write(path, content) {
        const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
        await user.write(
          path,
          (async function* () {
            yield data;
          })(),
          { expected: { kind: 'any' } },
        );
      },
      read: async (path) => text(await user.read(path)),
      readBytes: async (path) => bytes(await user.read(path)),
      async mkdir(path) {
        await user.mkdir(path);
      },
      async delete(path) {
        const entry = await existing(path);
        await user.delete({ path, id: entry.id, kind: entry.kind });
      },
      async move(from, to) {
        const entry = await existing(from);
        await user.mkdir(parentPath(to));
        await user.move({ path: from, id: entry.id, kind: entry.kind }, `${parentPath(to) === '' ? '' : `${parentPath(to)}/`}${baseName(to)}`);
      },
      files: async () => (await snapshot()).files,
      folders: async () => (await snapshot()).folders,
      snapshot,
      settle: async () => undefined, // revisions are version ids: never "touched just now"
      close: async () => {
        await driver.close();
        await user.close();
      },
    };
  };
}
