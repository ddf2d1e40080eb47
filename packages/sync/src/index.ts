/**
 * @module @ferry/sync
 * The two-way sync engine: one `SyncDriver` contract, the local-folder
 * driver, the per-pair state store and `runSync`. The story-style test
 * harness is exported separately as `@ferry/sync/testing`; the engine with
 * the local driver alone (no provider code) as `@ferry/sync/local`.
 */
export * from './local-engine.js';
export { GoogleDriveDriver, googleDriveCapabilities, type GoogleDriveAuth, type GoogleDriveDriverOptions } from './drivers/google-drive.js';
export { DropboxDriver, dropboxCapabilities, type ContentHashCache, type DropboxAuthOptions, type DropboxDriverOptions } from './drivers/dropbox.js';
export { defaultRetryPolicy, type RetryPolicy } from './drivers/provider-retry.js';
export { refreshTokenProvider, type AccessTokenProvider, type RefreshTokenGrant } from './drivers/provider-tokens.js';
export { FerryDriver, ferryCapabilities, type FerryDriverOptions } from './drivers/ferry.js';
