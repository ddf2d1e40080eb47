/**
 * @module sync-pairs/sync-engine-port
 * How the server reaches the engine of `@ferry/sync`: the narrow part of the
 * package the sync pairs use, loaded on first use (most servers never run a
 * pair, and the engine's provider SDKs are heavy). The compiler checks that the
 * package provides this port; a run's summary is still parsed with zod.
 */
import type { FerryClient } from '@ferry/core';
import type { SyncDriver } from '@ferry/sync';
import { z } from 'zod';

/** A driver instance of the engine; the server only hands it back to `runSync`. */
export type EngineDriver = SyncDriver;

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
  GoogleDriveDriver: new (options: { auth: { kind: 'token-provider'; getAccessToken: TokenSource }; root: { path: string }; rootUrl: string; retry?: DriverRetry; fetch?: typeof fetch }) => EngineDriver;
  DropboxDriver: new (options: {
    auth: { kind: 'token-provider'; getAccessToken: TokenSource };
    root: string;
    domain?: string;
    domainDelimiter?: string;
    fetch?: (url: string, init?: RequestInit) => Promise<Response>;
    retry?: DriverRetry;
  }) => EngineDriver;
  FerryDriver: new (options: { client: FerryClient; workspaceId: string; rootPath: string }) => EngineDriver;
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

let loaded: Promise<SyncEngineModule> | null = null;

/** The engine, loaded on first use. */
export function loadSyncEngine(): Promise<SyncEngineModule> {
  loaded ??= import('@ferry/sync').then((engine): SyncEngineModule => engine);
  return loaded;
}
