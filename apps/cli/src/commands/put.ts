/**
 * @module commands/put
 * `ferry put LOCAL... REMOTE_DIR`: upload files and whole folders into a
 * workspace folder, creating folders on the way; a file that exists gets a
 * new version. Large files go through resumable sessions; several files go
 * up at once. Quiet unless --json (JSON lines) or stderr is a terminal (progress).
 */
import { FerryError, type FerryNode } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { TransferProgress } from '../progress.js';
import { FolderMaker, joinRemote, resolveFolder } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';
import { planUpload, type PlannedFile } from '../transfer/local-tree.js';
import { batchesOf, batchFileMaxBytes, uploadBatch } from '../transfer/batch-upload.js';
import { runPool } from '../transfer/pool.js';
import { uploadFile, uploadSettingsFrom } from '../transfer/upload.js';

export function registerPut(program: Command, runtime: CliRuntime): void {
  program
    .command('put')
    .description('Upload local files and folders (recursively) into a workspace folder.')
    .argument('<paths...>', 'local files or folders, then the workspace folder to put them in')
    .option('-p, --parents', 'create the workspace folder (and its parents) when missing')
    .option('--parallel <n>', 'files to upload at the same time', '4')
    .addHelpText('after', '\nExample: ferry put report.pdf photos/ /team/shared')
    .action(async (paths: string[], options: { parallel: string; parents?: boolean }, command: Command) => {
      const parallel = Number(options.parallel);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) throw new UsageError('--parallel must be a whole number from 1 to 32.');
      if (paths.length < 2) throw new UsageError('Name at least one local file or folder, then the workspace folder: ferry put LOCAL... REMOTE_DIR');
      const remoteDir = paths[paths.length - 1] ?? '/';
      const locals = paths.slice(0, -1);
      const settings = uploadSettingsFrom(runtime.env);
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const folders = new FolderMaker(connection);
      const target = options.parents ? (await folders.ensure(remoteDir)).node : await resolveFolder(connection, remoteDir);
      const plan = await planUpload(locals, target.path ?? remoteDir);

      const progress = new TransferProgress(runtime.stderr, { files: plan.files.length, bytes: plan.bytes }, 'Uploaded');
      for (const skipped of plan.skipped) progress.note(`Skipped ${skipped}`);
      folders.remember(target.path ?? remoteDir, target);
      for (const folder of plan.folders) await folders.ensure(folder);

      const report = (file: PlannedFile, node: FerryNode, resumable: boolean) => {
        const remotePath = node.path ?? joinRemote(file.remoteFolder, file.name);
        const record = { local: file.localPath, path: remotePath, id: node.id, size: node.size, sha256: node.sha256, versionId: node.contentVersionId, resumable };
        if (output.json) output.item(record, () => remotePath);
      };
      // Small files go up in batches, one request per folder's worth; the rest one by one.
      const small = new Map<string, PlannedFile[]>();
      const single: PlannedFile[] = [];
      for (const file of plan.files) {
        if (file.size > Math.min(batchFileMaxBytes, settings.resumableAboveBytes)) single.push(file);
        else {
          const siblings = small.get(file.remoteFolder);
          if (siblings) siblings.push(file);
          else small.set(file.remoteFolder, [file]);
        }
      }
      const batches = [...small.values()].flatMap((files) => batchesOf(files));
      const refused: FerryError[] = [];
      const uploadGroup = async (files: PlannedFile[]): Promise<void> => {
        const first = files[0];
        if (!first) return;
        const { node: parent } = await folders.ensure(first.remoteFolder);
        const { written, failed } = await uploadBatch(client, parent.id, files);
        for (const { file, node } of written) {
          progress.addBytes(file.size);
          progress.fileDone();
          report(file, node, false);
        }
        for (const { error } of failed) {
          progress.note(error.message);
          refused.push(error);
        }
      };
      await runPool(batches, Math.min(parallel, 4), uploadGroup);

      const uploadOne = async (file: PlannedFile): Promise<void> => {
        const { node: parent } = await folders.ensure(file.remoteFolder);
        const { node, resumable } = await uploadFile({
          client,
          localPath: file.localPath,
          parentId: parent.id,
          name: file.name,
          size: file.size,
          settings,
          onBytes: (count) => progress.addBytes(count),
        });
        progress.fileDone();
        report(file, node, resumable);
      };
      await runPool(single, parallel, uploadOne);
      progress.finish();
      const [firstRefused] = refused;
      if (firstRefused) throw refused.length === 1 ? firstRefused : new FerryError(firstRefused.code, `${refused.length} files were not uploaded; the first: ${firstRefused.message}`);
    });
}
