/**
 * @module commands/put
 * `ferry put LOCAL... REMOTE_DIR`: upload files and whole folders into a
 * workspace folder, creating folders on the way; a file that exists gets a
 * new version. Large files go through resumable sessions.
 */
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { formatBytes } from '../output.js';
import { TransferProgress } from '../progress.js';
import { FolderMaker, joinRemote, resolveFolder } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';
import { planUpload } from '../transfer/local-tree.js';
import { uploadFile, uploadSettingsFrom } from '../transfer/upload.js';

export function registerPut(program: Command, runtime: CliRuntime): void {
  program
    .command('put')
    .description('Upload local files and folders (recursively) into a workspace folder.')
    .argument('<paths...>', 'local files or folders, then the workspace folder to put them in')
    .addHelpText('after', '\nExample: ferry put report.pdf photos/ /team/shared')
    .action(async (paths: string[], _options: unknown, command: Command) => {
      if (paths.length < 2) throw new UsageError('Name at least one local file or folder, then the workspace folder: ferry put LOCAL... REMOTE_DIR');
      const remoteDir = paths[paths.length - 1] ?? '/';
      const locals = paths.slice(0, -1);
      const settings = uploadSettingsFrom(runtime.env);
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const target = await resolveFolder(connection, remoteDir);
      const plan = await planUpload(locals, target.path ?? remoteDir);

      const progress = new TransferProgress(runtime.stderr, { files: plan.files.length, bytes: plan.bytes }, 'Uploaded');
      for (const skipped of plan.skipped) progress.note(`Skipped ${skipped}`);
      const folders = new FolderMaker(connection);
      folders.remember(target.path ?? remoteDir, target);
      for (const folder of plan.folders) await folders.ensure(folder);

      for (const file of plan.files) {
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
        const remotePath = node.path ?? joinRemote(file.remoteFolder, file.name);
        const record = { local: file.localPath, path: remotePath, id: node.id, size: node.size, sha256: node.sha256, versionId: node.contentVersionId, resumable };
        if (output.json) output.item(record, () => '');
        else if (!progress.enabled) output.info(`${file.localPath} → ${remotePath} (${formatBytes(node.size)})`);
      }
      progress.finish();
    });
}
