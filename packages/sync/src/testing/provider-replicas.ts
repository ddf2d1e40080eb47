/**
 * @module testing/provider-replicas
 * Google Drive and Dropbox folders as story replicas: the engine syncs them
 * through the real drivers (the real SDKs) against the emulators, and what a
 * user does "on the provider" goes through a fresh driver instance per step,
 * as another client would (no cached folder ids). Each replica gets its own
 * root folder on the emulator; the emulator's fault switches are the
 * replica's `faults`, and the engine's driver records how long it was told
 * to wait before each retry instead of sleeping.
 *
 *   registerProviderReplicaKinds({ googleDrive: drive, dropbox });
 *   const h = await syncPair('local', 'google-drive');
 */
import { dropboxSdkFetch, type DropboxEmulator, type FaultRule, type GoogleDriveEmulator } from '@ferry/emulators';
import { baseName, type ByteStream, type DriverEntry, type SyncDriver } from '../driver.js';
import { DropboxDriver } from '../drivers/dropbox.js';
import { GoogleDriveDriver } from '../drivers/google-drive.js';
import type { RetryPolicy } from '../drivers/provider-retry.js';
import { registerReplicaKind, type ReplicaFactory, type ReplicaFaults, type ReplicaFixture } from './replicas.js';

export interface ProviderEmulators {
  readonly googleDrive?: GoogleDriveEmulator;
  readonly dropbox?: DropboxEmulator;
}

type EmulatorFaults = Pick<GoogleDriveEmulator, 'faults' | 'expireTokens'>;

/** Retries in tests wait no real time; requests time out soon. */
type DriverRetry = Partial<Pick<RetryPolicy, 'sleep' | 'requestTimeoutMs'>>;

let replicas = 0;

function googleDriveDriver(drive: GoogleDriveEmulator, root: string, retry: DriverRetry): GoogleDriveDriver {
  const tokens = drive.issueToken();
  return new GoogleDriveDriver({
    auth: { kind: 'refresh-token', clientId: 'ferry', refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, tokenUrl: `${drive.url}/token` },
    root: { path: root },
    rootUrl: `${drive.url}/`,
    retry,
  });
}

function dropboxDriver(dropbox: DropboxEmulator, root: string, retry: DriverRetry): DropboxDriver {
  const tokens = dropbox.issueToken();
  return new DropboxDriver({
    auth: { kind: 'refresh-token', clientId: 'ferry', refreshToken: tokens.refreshToken, accessToken: tokens.accessToken, tokenUrl: `${dropbox.url}/oauth2/token` },
    root: `/${root}`,
    domain: dropbox.domain,
    domainDelimiter: '',
    fetch: dropboxSdkFetch(),
    retry,
  });
}

async function* bytesOf(content: string | Uint8Array): ByteStream {
  yield typeof content === 'string' ? Buffer.from(content) : content;
}

async function bytes(stream: ByteStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return new Uint8Array(Buffer.concat(parts));
}

const text = async (stream: ByteStream): Promise<string> => Buffer.from(await bytes(stream)).toString('utf8');

const sorted = (record: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(record).sort(([left], [right]) => (left < right ? -1 : 1)));

/** The emulator's fault queue seen as one replica's switches. */
function emulatorFaults(emulator: EmulatorFaults, uploadPath: RegExp, retryWaits: number[]): ReplicaFaults {
  return {
    refuse(kind, { times, on = 'any', retryAfterSeconds = 1 }) {
      const rule: FaultRule = kind === 'rate-limit' ? { status: 429, retryAfter: retryAfterSeconds, times } : kind === 'server-error' ? { status: 503, times } : { reset: true, times };
      emulator.faults.push(on === 'upload' ? { ...rule, match: { path: uploadPath } } : rule);
    },
    loseAnswer({ times, on = 'any' }) {
      emulator.faults.push({ resetAfter: true, times, ...(on === 'upload' ? { match: { path: uploadPath } } : {}) });
    },
    expireTokens: () => emulator.expireTokens(),
    clear: () => emulator.faults.clear(),
    retries: true,
    retryWaits,
  };
}

/** A provider replica: the engine's driver, and a user's own client for changes behind its back. */
export function providerReplica(kind: string, emulator: EmulatorFaults, uploadPath: RegExp, newDriver: (root: string, retry: DriverRetry) => SyncDriver): ReplicaFactory {
  return async (): Promise<ReplicaFixture> => {
    const root = `Ferry-sync/${kind}-${process.pid}-${++replicas}`;
    const retryWaits: number[] = [];
    const driver = newDriver(root, {
      sleep: async (milliseconds) => {
        retryWaits.push(milliseconds);
      },
      requestTimeoutMs: 5_000,
    });
    const user = (): SyncDriver => newDriver(root, { sleep: async () => undefined, requestTimeoutMs: 5_000 });
    const existing = async (client: SyncDriver, path: string): Promise<DriverEntry> => {
      const entry = await client.stat(path);
      if (entry === null) throw new Error(`${path} does not exist on ${kind}`);
      return entry;
    };
    const snapshot = async (): Promise<{ files: Record<string, string>; folders: string[] }> => {
      const client = user();
      const entries = await client.list();
      const files: Record<string, string> = {};
      for (const entry of entries) if (entry.kind === 'file') files[entry.path] = await text(await client.read(entry.path));
      return { files: sorted(files), folders: entries.filter((entry) => entry.kind === 'folder').map((entry) => entry.path).sort() };
    };
    return {
      kind,
      driver,
      setsModifiedTime: true,
      faults: emulatorFaults(emulator, uploadPath, retryWaits),
      async write(path, content, options) {
        await user().write(path, bytesOf(content), { expected: { kind: 'any' }, ...(options?.mtimeMs === undefined ? {} : { mtimeMs: options.mtimeMs }) });
      },
      read: async (path) => text(await user().read(path)),
      readBytes: async (path) => bytes(await user().read(path)),
      async mkdir(path) {
        await user().mkdir(path);
      },
      async delete(path) {
        const client = user();
        const entry = await existing(client, path);
        await client.delete({ path, id: entry.id, kind: entry.kind });
      },
      async move(from, to) {
        const client = user();
        const entry = await existing(client, from);
        await client.move({ path: from, id: entry.id, kind: entry.kind }, to);
      },
      files: async () => (await snapshot()).files,
      folders: async () => (await snapshot()).folders,
      snapshot,
      settle: async () => undefined, // revisions are the provider's version ids: never "touched just now"
      close: () => driver.close(),
    };
  };
}

/** A Google Drive folder on the emulator; Drive lets another client put a second file of the same name beside one. */
export function googleDriveReplica(drive: GoogleDriveEmulator): ReplicaFactory {
  const factory = providerReplica('google-drive', drive, /^\/upload\/drive\/v3\/files/, (root, retry) => googleDriveDriver(drive, root, retry));
  return async (workDir, options) => {
    const fixture = await factory(workDir, options);
    return {
      ...fixture,
      async addSameNameTwin(path, content) {
        const existing = await fixture.driver.stat(path);
        const parent = existing === null ? undefined : drive.state.get(existing.id)?.parents[0];
        if (parent === undefined) throw new Error(`${path} does not exist on google-drive`);
        const twin = drive.state.create({ name: baseName(path), parents: [parent], content: Buffer.from(content) });
        return {
          rename: async (newName) => drive.state.update(twin, { name: newName }, [], []),
        };
      },
    };
  };
}

/** A Dropbox folder on the emulator. */
export function dropboxReplica(dropbox: DropboxEmulator): ReplicaFactory {
  return providerReplica('dropbox', dropbox, /^\/2\/files\/upload/, (root, retry) => dropboxDriver(dropbox, root, retry));
}

/** Registers the kinds 'google-drive' and 'dropbox' for `syncPair`. */
export function registerProviderReplicaKinds(emulators: ProviderEmulators): void {
  if (emulators.googleDrive !== undefined) registerReplicaKind('google-drive', googleDriveReplica(emulators.googleDrive));
  if (emulators.dropbox !== undefined) registerReplicaKind('dropbox', dropboxReplica(emulators.dropbox));
}
