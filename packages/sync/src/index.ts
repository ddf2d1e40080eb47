/**
 * @module @ferry/sync
 * The two-way sync engine: one `SyncDriver` contract, the local-folder
 * driver, the per-pair state store and `runSync`. The story-style test
 * harness is exported separately as `@ferry/sync/testing`.
 */
export * from './driver.js';
export { LocalDriver, tempFilePrefix, type LocalDriverOptions } from './drivers/local.js';
export { GoogleDriveDriver, googleDriveCapabilities, type GoogleDriveAuth, type GoogleDriveDriverOptions } from './drivers/google-drive.js';
export { DropboxDriver, dropboxCapabilities, type ContentHashCache, type DropboxAuthOptions, type DropboxDriverOptions } from './drivers/dropbox.js';
export { defaultRetryPolicy, type RetryPolicy } from './drivers/provider-retry.js';
export { refreshTokenProvider, type AccessTokenProvider, type RefreshTokenGrant } from './drivers/provider-tokens.js';
export { StateStore, type BaseEntry, type Side } from './state-store.js';
export { runSync, type SyncOptions, type SyncProgress, type SyncSummary } from './engine.js';
export type { ActionRecord } from './apply.js';
export type { Action, SyncIssue } from './plan-types.js';
export { conflictPolicies, conflictedCopyPath, type ConflictPolicy } from './conflict-policy.js';
export type { DeleteGuardOptions } from './delete-guard.js';
export { ignoreFileName, ignoreMatcher } from './ignore-rules.js';
export { nameProblem, pathProblem } from './name-rules.js';
export { watchSync, type WatchOptions } from './watch.js';
export { FerryDriver, ferryCapabilities, type FerryDriverOptions } from './drivers/ferry.js';
