/**
 * @module sync-replicas
 * Turns a parsed replica address into a sync driver: a local folder, a folder
 * of a workspace on a Ferry server (--token / FERRY_TOKEN), or a Google Drive
 * or Dropbox folder. Until the server resolves connection names, a provider
 * side talks to the API named by --gdrive-url/--gdrive-token
 * (FERRY_GDRIVE_API_URL / FERRY_GDRIVE_TOKEN) or --dropbox-url/--dropbox-token
 * (FERRY_DROPBOX_API_URL / FERRY_DROPBOX_TOKEN), e.g. `ferry emulators`.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createClient, pickWorkspace } from '@ferry/core';
import { dropboxSdkFetch } from '@ferry/emulators';
import { DropboxDriver, FerryDriver, GoogleDriveDriver, LocalDriver, type SyncDriver } from '@ferry/sync';
import { UsageError } from './exit-codes.js';
import { canonicalAddress, type ReplicaAddress } from './replica-address.js';

export interface ProviderSettings {
  readonly ferryToken?: string;
  readonly gdriveUrl?: string;
  readonly gdriveToken?: string;
  readonly dropboxUrl?: string;
  readonly dropboxToken?: string;
}

export interface OpenReplica {
  readonly driver: SyncDriver;
  /** Stable identity of the replica (the state file is keyed by the pair's). */
  readonly canonical: string;
  /** Default name of the side in conflicted copies. */
  readonly label: string;
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

export async function openReplica(address: ReplicaAddress, settings: ProviderSettings): Promise<OpenReplica> {
  switch (address.kind) {
    case 'local': {
      await mkdir(address.path, { recursive: true });
      return { driver: new LocalDriver({ root: address.path }), canonical: canonicalAddress(address), label: 'local' };
    }
    case 'ferry': {
      if (settings.ferryToken === undefined || settings.ferryToken === '') {
        throw new UsageError('No API token for the Ferry side: pass --token T or set FERRY_TOKEN.');
      }
      const client = createClient({ baseUrl: address.baseUrl, token: settings.ferryToken, source: `cli-sync@${hostname()}` });
      const workspace = await pickWorkspace(client, address.workspace);
      const driver = new FerryDriver({ client, workspaceId: workspace.id, rootPath: address.path });
      return { driver, canonical: canonicalAddress(address, workspace.id), label: 'ferry' };
    }
    case 'gdrive': {
      if (settings.gdriveUrl === undefined || settings.gdriveToken === undefined || settings.gdriveToken === '') {
        throw notConfigured('gdrive', address, '--gdrive-url URL --gdrive-token T (FERRY_GDRIVE_API_URL, FERRY_GDRIVE_TOKEN)');
      }
      const url = providerUrl(settings.gdriveUrl, '--gdrive-url');
      const accessToken = settings.gdriveToken;
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
      const host = official ? {} : { domain: url.host, domainDelimiter: '', ...(url.protocol === 'http:' ? { fetch: dropboxSdkFetch() } : {}) };
      const driver = new DropboxDriver({ auth: { kind: 'access-token', accessToken: settings.dropboxToken }, root: address.path === '/' ? '' : address.path, ...host });
      return { driver, canonical: `${canonicalAddress(address)}@${url.origin}`, label: 'dropbox' };
    }
  }
}
