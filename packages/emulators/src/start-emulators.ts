/**
 * @module start-emulators
 * Starts every provider emulator at once — Google Drive, Dropbox, Slack,
 * Microsoft — (for `ferry emulators`, demo mode and benchmarks) and prints
 * where each listens, with a ready access token.
 */
import { startDropboxEmulator, type DropboxEmulator, type DropboxEmulatorOptions } from './dropbox/dropbox-emulator.js';
import { startGoogleDriveEmulator, type GoogleDriveEmulator, type GoogleDriveEmulatorOptions } from './google-drive/google-drive-emulator.js';
import { startMicrosoftEmulator, type MicrosoftEmulator, type MicrosoftEmulatorOptions } from './microsoft/microsoft-emulator.js';
import { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from './slack/slack-emulator.js';

export interface StartEmulatorsOptions {
  googleDrive?: GoogleDriveEmulatorOptions;
  dropbox?: DropboxEmulatorOptions;
  slack?: SlackEmulatorOptions;
  microsoft?: MicrosoftEmulatorOptions;
  /** Where the summary lines go; default stdout. Pass `() => {}` to stay quiet. */
  print?: (line: string) => void;
}

export interface RunningEmulators {
  readonly googleDrive: GoogleDriveEmulator;
  readonly dropbox: DropboxEmulator;
  readonly slack: SlackEmulator;
  readonly microsoft: MicrosoftEmulator;
  close(): Promise<void>;
}

export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const googleDrive = await startGoogleDriveEmulator(options.googleDrive);
  const dropbox = await startDropboxEmulator(options.dropbox).catch(async (error: unknown) => {
    await googleDrive.close();
    throw error;
  });
  const slack = await startSlackEmulator(options.slack).catch(async (error: unknown) => {
    await Promise.all([googleDrive.close(), dropbox.close()]);
    throw error;
  });
  const microsoft = await startMicrosoftEmulator(options.microsoft).catch(async (error: unknown) => {
    await Promise.all([googleDrive.close(), dropbox.close(), slack.close()]);
    throw error;
  });
  print(`google-drive  ${googleDrive.url}  (Drive v3 at /drive/v3, uploads at /upload/drive/v3, OAuth at /o/oauth2/v2/auth and /token)`);
  print(`              access token: ${googleDrive.issueToken().accessToken}`);
  print(`dropbox       ${dropbox.url}  (API v2 at /2/..., OAuth at /oauth2/authorize and /oauth2/token; SDK domain ${dropbox.domain})`);
  print(`              access token: ${dropbox.issueToken().accessToken}`);
  print(`slack         ${slack.url}  (OAuth v2 at /oauth/v2/authorize and /api/oauth.v2.access, auth.test, auth.revoke; token rotation on)`);
  print(`              user token: ${slack.issueToken().accessToken}`);
  print(`microsoft     ${microsoft.url}  (identity platform at /common/oauth2/v2.0/authorize and /token, Graph /v1.0/me and /v1.0/me/revokeSignInSessions)`);
  print(`              access token: ${microsoft.issueToken().accessToken}`);
  print('faults: POST /__emulator/faults on any URL, e.g. {"match":{"path":"/2/files/upload"},"status":429,"retryAfter":1,"times":2}');
  return {
    googleDrive,
    dropbox,
    slack,
    microsoft,
    close: async () => {
      await Promise.all([googleDrive.close(), dropbox.close(), slack.close(), microsoft.close()]);
    },
  };
}
