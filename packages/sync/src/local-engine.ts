/**
 * @module local-engine
 * The light entry `@ferry/sync/local`: the engine, the state store, the
 * local-folder driver and the driver contract, without the provider and
 * Ferry drivers (which load zod, the API schemas and, on first use, the
 * SDKs). `ferry sync` between two local folders starts from here; the full
 * entry `@ferry/sync` re-exports all of it with the other drivers.
 */
export * from './driver.js';
export { LocalDriver, tempFilePrefix, type LocalDriverOptions } from './drivers/local.js';
export { StateStore, type BaseEntry, type Side } from './state-store.js';
export { runSync, type SkippedEntry, type SyncOptions, type SyncProgress, type SyncSummary } from './engine.js';
export type { ActionRecord } from './apply.js';
export type { Action, SyncIssue } from './plan-types.js';
export { conflictPolicies, conflictedCopyPath, type ConflictPolicy } from './conflict-policy.js';
export type { DeleteGuardOptions } from './delete-guard.js';
export { ignoreFileName, ignoreMatcher } from './ignore-rules.js';
export { nameProblem, pathProblem } from './name-rules.js';
export { watchSync, type WatchOptions } from './watch.js';
