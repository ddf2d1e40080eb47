/**
 * @module commands/get
 * `ferry get REMOTE [LOCAL]`: download a file (or a whole folder) to disk,
 * each file through a temp file renamed into place; LOCAL "-" writes a file
 * to stdout.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { allPages, checkName, FerryError, type FerryNode } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace, type WorkspaceConnection } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { TransferProgress } from '../progress.js';
import { joinRemote, resolveRemote } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';
import { downloadToFile, downloadToStream } from '../transfer/download.js';

interface PlannedDownload {
  node: FerryNode;
  local: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}

/** A remote name is checked again before it becomes a local path (no "..", no "/"). */
function localName(node: FerryNode): string {
  const checked = checkName(node.name);
  if (!checked.ok) throw new FerryError('invalid_name', `Refusing the remote name "${node.name}": ${checked.error.message}`);
  return checked.value;
}

async function planFolder(connection: WorkspaceConnection, folder: FerryNode, local: string, folders: string[], files: PlannedDownload[]): Promise<void> {
  folders.push(local);
  const children = allPages(connection.client, 'listChildren', { params: { nodeId: folder.id }, query: { limit: 1000 } });
  for await (const child of children) {
    const path = child.path ?? joinRemote(folder.path ?? '/', child.name);
    const childLocal = join(local, localName(child));
    if (child.kind === 'folder') await planFolder(connection, { ...child, path }, childLocal, folders, files);
    else files.push({ node: { ...child, path }, local: childLocal });
  }
}

export function registerGet(program: Command, runtime: CliRuntime): void {
  program
    .command('get')
    .description('Download a file or a folder; LOCAL defaults to its name in the current folder, "-" is stdout.')
    .argument('<remote>', 'workspace path')
    .argument('[local]', 'local file or folder')
    .action(async (remote: string, local: string | undefined, _options: unknown, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const node = await resolveRemote(connection, remote);
      const rootName = checkName(connection.workspace.name);
      const name = node.parentId !== null ? localName(node) : rootName.ok ? rootName.value : connection.workspace.id;

      if (local === '-') {
        if (node.kind !== 'file') throw new UsageError('Only a file can be written to stdout.');
        await downloadToStream({ client, node, onBytes: () => undefined }, runtime.stdout);
        return;
      }
      const base = local === undefined ? resolve(name) : (await isDirectory(local)) ? join(resolve(local), name) : resolve(local);
      const folders: string[] = [];
      const files: PlannedDownload[] = [];
      if (node.kind === 'folder') await planFolder(connection, node, base, folders, files);
      else files.push({ node, local: base });

      const totalBytes = files.reduce((sum, file) => sum + file.node.size, 0);
      const progress = new TransferProgress(runtime.stderr, { files: files.length, bytes: totalBytes }, 'Downloaded');
      for (const folder of folders) await mkdir(folder, { recursive: true });
      for (const file of files) {
        await downloadToFile({ client, node: file.node, onBytes: (count) => progress.addBytes(count) }, file.local);
        progress.fileDone();
        const record = { path: file.node.path, local: file.local, size: file.node.size, sha256: file.node.sha256 };
        if (output.json) output.item(record, () => file.local);
      }
      progress.finish();
    });
}
