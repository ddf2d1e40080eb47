/**
 * @module @ferry/emulators
 * Local, protocol-faithful emulators of provider APIs (Google Drive v3,
 * Dropbox v2, Slack's OAuth v2 and auth methods, the Microsoft identity
 * platform with Graph's /me) and their OAuth endpoints, with fault
 * injection, so the real SDKs can be tested offline on 127.0.0.1.
 */
export { startGoogleDriveEmulator, type GoogleDriveEmulator, type GoogleDriveEmulatorOptions } from './google-drive/google-drive-emulator.js';
export { startDropboxEmulator, type DropboxEmulator, type DropboxEmulatorOptions } from './dropbox/dropbox-emulator.js';
export { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from './slack/slack-emulator.js';
export type { SlackTeam, SlackUser } from './slack/slack-context.js';
export { startMicrosoftEmulator, type MicrosoftEmulator, type MicrosoftEmulatorOptions } from './microsoft/microsoft-emulator.js';
export type { MicrosoftUser } from './microsoft/microsoft-context.js';
export { dropboxSdkFetch, type SdkFetch } from './dropbox/dropbox-sdk-fetch.js';
export { DropboxContentHasher, dropboxContentHash, contentHashBlockSize } from './dropbox/content-hash.js';
export { FaultInjector, faultRuleSchema, type FaultRule, type FaultMatch } from './http/faults.js';
export type { RequestLog } from './http/emulator-server.js';
export { TokenStore, type IssuedTokens, type TokenCheck } from './oauth/token-store.js';
export type { AuthorizationDecider, OAuthClient } from './oauth/oauth-routes.js';
export { startEmulators, type RunningEmulators, type StartEmulatorsOptions } from './start-emulators.js';
