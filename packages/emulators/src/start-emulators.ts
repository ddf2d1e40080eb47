/**
 * @module start-emulators
 * Starts every provider emulator at once (for `ferry emulators`, demo mode and
 * benchmarks) and prints where each listens, with a ready access token.
 */
import { startDropboxEmulator, type DropboxEmulator, type DropboxEmulatorOptions } from './dropbox/dropbox-emulator.js';
import { startGoogleDriveEmulator, type GoogleDriveEmulator, type GoogleDriveEmulatorOptions } from './google-drive/google-drive-emulator.js';

export interface StartEmulatorsOptions {
  googleDrive?: GoogleDriveEmulatorOptions;
  dropbox?: DropboxEmulatorOptions;
  /** Where the summary lines go; default stdout. Pass `() => {}` to stay quiet. */
  print?: (line: string) => void;
}

export interface RunningEmulators {
  readonly googleDrive: GoogleDriveEmulator;
  readonly dropbox: DropboxEmulator;
  close(): Promise<void>;
}

export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const googleDrive = await startGoogleDriveEmulator(options.googleDrive);
  const dropbox = await startDropboxEmulator(options.dropbox).catch(async (error: unknown) => {
    await googleDrive.close();
    throw error;
  });
  print(`google-drive  ${googleDrive.url}  (Drive v3 at /drive/v3, uploads at /upload/drive/v3, OAuth at /o/oauth2/v2/auth and /token)`);
  print(`              access token: ${googleDrive.issueToken().accessToken}`);
  print(`dropbox       ${dropbox.url}  (API v2 at /2/..., OAuth at /oauth2/authorize and /oauth2/token; SDK domain ${dropbox.domain})`);
  print(`              access token: ${dropbox.issueToken().accessToken}`);
  print('faults: POST /__emulator/faults on either URL, e.g. {"match":{"path":"/2/files/upload"},"status":429,"retryAfter":1,"times":2}');
  return {
    googleDrive,
    dropbox,
    close: async () => {
      await Promise.all([googleDrive.close(), dropbox.close()]);
    },
  };
}
