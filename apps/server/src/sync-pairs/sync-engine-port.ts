/**
 * @module sync-pairs/sync-engine-port
 * How the server reaches the engine of `@ferry/sync`. The package is a runtime
 * dependency, but it is loaded here by a dynamic import whose shape is checked
 * on load, not through a TypeScript project reference: `@ferry/sync`'s own
 * tests start a Ferry server (`@ferry/server/testing`), so a reference from the
 * server to the sync package would make the build graph circular (TS6202).
 * Every value crossing this port is checked: the module's exports by a guard,
 * a run's summary by a zod schema.
 */
import { z } from 'zod';

/** A driver instance of the engine; the server only hands it back to `runSync`. */
export type EngineDriver = object;

export interface TokenSource {
  (request: { readonly forceRefresh: boolean }): Promise<string>;
}

/** The drivers' own retry of one provider call (`RetryPolicy` of @ferry/sync); tests shorten it. */
export interface DriverRetry {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (milliseconds: number) => Promise<void>;
}

export interface SyncEngineModule {
  runSync(options: {
    a: EngineDriver;
    b: EngineDriver;
    state: string;
    labels: { a: string; b: string };
    conflictPolicy: 'keep-both' | 'newer' | 'a' | 'b';
  }): Promise<unknown>;
  GoogleDriveDriver: new (options: { auth: { kind: 'token-provider'; getAccessToken: TokenSource }; root: { path: string }; rootUrl: string; retry?: DriverRetry }) => EngineDriver;
  DropboxDriver: new (options: {
    auth: { kind: 'token-provider'; getAccessToken: TokenSource };
    root: string;
    domain?: string;
    domainDelimiter?: string;
    fetch?: (url: string, init?: RequestInit) => Promise<Response>;
    retry?: DriverRetry;
  }) => EngineDriver;
  FerryDriver: new (options: { client: unknown; workspaceId: string; rootPath: string }) => EngineDriver;
}

export const runSummarySchema = z.object({
  copied: z.number(),
  moved: z.number(),
  deleted: z.number(),
  conflicts: z.number(),
  failed: z.number(),
  bytes: z.number(),
  issues: z.array(z.unknown()),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

function hasFunctions(value: unknown, names: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

function isEngineModule(value: unknown): value is SyncEngineModule {
  return hasFunctions(value, ['runSync', 'GoogleDriveDriver', 'DropboxDriver', 'FerryDriver']);
}

const engineSpecifier = '@ferry/sync';
let loaded: Promise<SyncEngineModule> | null = null;

/** The engine, loaded on first use. */
export function loadSyncEngine(): Promise<SyncEngineModule> {
  loaded ??= (async () => {
    const module: unknown = await import(engineSpecifier);
    if (!isEngineModule(module)) throw new Error('@ferry/sync does not export the sync engine this server expects.');
    return module;
  })();
  return loaded;
}
