/**
 * @module sync-replicas
 * Turns a parsed replica address into a sync driver: a local folder, a folder
 * of a workspace on a Ferry server (--token / FERRY_TOKEN), or a Google Drive
 * or Dropbox folder. Until the server resolves connection names, a provider
 * side talks to the API named by --gdrive-url/--gdrive-token
 * (FERRY_GDRIVE_API_URL / FERRY_GDRIVE_TOKEN) or --dropbox-url/--dropbox-token
 * (FERRY_DROPBOX_API_URL / FERRY_DROPBOX_TOKEN), e.g. `ferry emulators`.
 * Only the local driver is loaded up front: the API client and the provider
 * drivers (zod schemas, SDKs) load when an address needs them, so a sync of
 * two local folders starts without them.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDriver, type SyncDriver } from '@ferry/sync/local';
import { UsageError } from './exit-codes.js';
import type { Output } from './output.js';
import { canonicalAddress, type ReplicaAddress } from './replica-address.js';
import type { CliRuntime } from './runtime.js';

export interface ProviderSettings {
  readonly ferryToken?: string;
  readonly gdriveUrl?: string;
  readonly gdriveToken?: string;
  readonly dropboxUrl?: string;
  readonly dropboxToken?: string;
}

export interface OpenContext {
  readonly runtime: CliRuntime;
  readonly output: Output;
  /** Create a missing Ferry root folder, and let a missing local one be made (`missingRoot`); not in a dry run. */
  readonly createRoot: boolean;
}

export interface OpenReplica {
  readonly driver: SyncDriver;
  /** Stable identity of the replica (the state file is keyed by the pair's). */
  readonly canonical: string;
  /** Default name of the side in conflicted copies. */
  readonly label: string;
  /** Releases what opening took (a dry run's stand-in folder). */
  readonly close?: () => Promise<void>;
  /** A local folder that does not exist yet: the caller makes it once it knows the pair has never synced. */
  readonly missingRoot?: string;
}

/** A missing local folder is left for the caller to make, or in a dry run planned as an empty one, without creating it. */
async function localRoot(path: string, create: boolean): Promise<{ root: string; close?: () => Promise<void>; missingRoot?: string }> {
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) return { root: path };
  if (create) return { root: path, missingRoot: path };
  const standIn = await mkdtemp(join(tmpdir(), 'ferry-dry-run-'));
  return { root: standIn, close: () => rm(standIn, { recursive: true, force: true }) };
}

function providerUrl(raw: string, flag: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new UsageError(`${flag} must be an http:// or https:// URL, not "${raw}".`);
}

function notConfigured(kind: string, address: ReplicaAddress, flags: string): UsageError {
  const connection = address.kind === 'gdrive' || address.kind === 'dropbox' ? address.connection : '';
  return new UsageError(
    `"${kind}:${connection}": connection names are not resolved through the server yet; point the CLI at the provider's API with ${flags}.`,
  );
}

export async function openReplica(address: ReplicaAddress, settings: ProviderSettings, context: OpenContext): Promise<OpenReplica> {
  switch (address.kind) {
    case 'local': {
      const { root, close, missingRoot } = await localRoot(address.path, context.createRoot);
      return { driver: new LocalDriver({ root }), canonical: canonicalAddress(address), label: 'local', ...(close ? { close } : {}), ...(missingRoot ? { missingRoot } : {}) };
    }
    case 'ferry': {
      if (settings.ferryToken === undefined || settings.ferryToken === '') {
        throw new UsageError('No API token for the Ferry side: pass --token T or set FERRY_TOKEN.');
      }
      const [{ createClient, pickWorkspace }, { FerryDriver }, { FolderMaker }] = await Promise.all([import('@ferry/core'), import('@ferry/sync'), import('./remote-paths.js')]);
      const client = createClient({ baseUrl: address.baseUrl, token: settings.ferryToken, source: `cli-sync@${hostname()}` });
      const workspace = await pickWorkspace(client, address.workspace);
      if (context.createRoot && address.path !== '/') await new FolderMaker({ client, workspace, output: context.output, runtime: context.runtime }).ensure(address.path);
      const driver = new FerryDriver({ client, workspaceId: workspace.id, rootPath: address.path });
      return { driver, canonical: canonicalAddress(address, workspace.id), label: 'ferry' };
    }
    case 'gdrive': {
      if (settings.gdriveUrl === undefined || settings.gdriveToken === undefined || settings.gdriveToken === '') {
        throw notConfigured('gdrive', address, '--gdrive-url URL --gdrive-token T (FERRY_GDRIVE_API_URL, FERRY_GDRIVE_TOKEN)');
      }
      const url = providerUrl(settings.gdriveUrl, '--gdrive-url');
      const accessToken = settings.gdriveToken;
      const { GoogleDriveDriver } = await import('@ferry/sync');
      const driver = new GoogleDriveDriver({
        auth: { kind: 'token-provider', getAccessToken: () => Promise.resolve(accessToken) },
        root: { path: address.path.slice(1) },
        rootUrl: url.href.endsWith('/') ? url.href : `${url.href}/`,
      });
      return { driver, canonical: `${canonicalAddress(address)}@${url.origin}`, label: 'gdrive' };
    }
    case 'dropbox': {
      if (settings.dropboxUrl === undefined || settings.dropboxToken === undefined || settings.dropboxToken === '') {
        throw notConfigured('dropbox', address, '--dropbox-url URL --dropbox-token T (FERRY_DROPBOX_API_URL, FERRY_DROPBOX_TOKEN)');
      }
      const url = providerUrl(settings.dropboxUrl, '--dropbox-url');
      // The SDK builds https://<domain>/2/...; a plain-http API (an emulator) gets its URLs rewritten.
      const official = url.hostname.endsWith('.dropboxapi.com');
      const [{ DropboxDriver }, { dropboxSdkFetch }] = await Promise.all([import('@ferry/sync'), import('@ferry/emulators')]);
      const host = official ? {} : { domain: url.host, domainDelimiter: '', ...(url.protocol === 'http:' ? { fetch: dropboxSdkFetch() } : {}) };
      const driver = new DropboxDriver({ auth: { kind: 'access-token', accessToken: settings.dropboxToken }, root: address.path === '/' ? '' : address.path, ...host });
      return { driver, canonical: `${canonicalAddress(address)}@${url.origin}`, label: 'dropbox' };
    }
  }
}
