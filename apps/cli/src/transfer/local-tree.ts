/**
 * @module transfer/local-tree
 * What `ferry put` will send: the local files and folders named on the
 * command line, walked recursively, each with the workspace folder it goes to.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { checkName, FerryError } from '@ferry/core';
import { joinRemote } from '../remote-paths.js';

export interface PlannedFile {
  localPath: string;
  /** Workspace path of the folder it goes into. */
  remoteFolder: string;
  name: string;
  size: number;
}

export interface UploadPlan {
  /** Workspace folders to create, parents before children. */
  folders: string[];
  files: PlannedFile[];
  bytes: number;
  /** Entries left out (symbolic links to folders, sockets, ...), with why. */
  skipped: string[];
}

function checkedName(name: string, localPath: string): string {
  const result = checkName(name);
  if (!result.ok) throw new FerryError('invalid_name', `${localPath}: ${result.error.message}`);
  return result.value;
}

async function walkFolder(localPath: string, remoteFolder: string, plan: UploadPlan): Promise<void> {
  plan.folders.push(remoteFolder);
  const entries = await readdir(localPath, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childPath = join(localPath, entry.name);
    if (entry.isDirectory()) {
      await walkFolder(childPath, joinRemote(remoteFolder, checkedName(entry.name, childPath)), plan);
    } else if (entry.isFile()) {
      const info = await stat(childPath);
      plan.files.push({ localPath: childPath, remoteFolder, name: checkedName(entry.name, childPath), size: info.size });
      plan.bytes += info.size;
    } else if (entry.isSymbolicLink()) {
      // Follow links to files; links to folders could loop, so they are left out.
      const info = await stat(childPath).catch(() => null);
      if (info?.isFile()) {
        plan.files.push({ localPath: childPath, remoteFolder, name: checkedName(entry.name, childPath), size: info.size });
        plan.bytes += info.size;
      } else plan.skipped.push(`${childPath} (symbolic link${info ? ' to a folder' : ', broken'})`);
    } else {
      plan.skipped.push(`${childPath} (not a regular file)`);
    }
  }
}

/** Plans the upload of `localPaths` into the workspace folder `remoteDir`. */
export async function planUpload(localPaths: readonly string[], remoteDir: string): Promise<UploadPlan> {
  const plan: UploadPlan = { folders: [], files: [], bytes: 0, skipped: [] };
  for (const localPath of localPaths) {
    const absolute = resolve(localPath);
    const info = await stat(absolute);
    const name = checkedName(basename(absolute), localPath);
    if (info.isDirectory()) await walkFolder(absolute, joinRemote(remoteDir, name), plan);
    else if (info.isFile()) {
      plan.files.push({ localPath: absolute, remoteFolder: remoteDir, name, size: info.size });
      plan.bytes += info.size;
    } else plan.skipped.push(`${localPath} (not a regular file)`);
  }
  return plan;
}
