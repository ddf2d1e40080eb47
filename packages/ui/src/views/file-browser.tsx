/**
 * @module views/file-browser
 * A folder of the workspace: breadcrumbs, the full listing (every page), new
 * folder, uploads (files, a folder picker, or drag and drop of files and
 * folders) with per-file progress, and rename / move / versions / share /
 * delete per item. The listing follows the live event feed.
 */
import { collectPages, type FerryEvent, type FerryNode, type Workspace } from '@ferry/core';
import { useCallback, useState, type DragEvent } from 'react';
import { Breadcrumbs } from '../components/breadcrumbs.js';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { MoveDialog } from '../components/move-dialog.js';
import { NewFolderDialog } from '../components/new-folder-dialog.js';
import { NodeTable, type NodeAction } from '../components/node-table.js';
import { RenameDialog } from '../components/rename-dialog.js';
import { ShareDialog } from '../components/share-dialog.js';
import { UploadButtons } from '../components/upload-buttons.js';
import { UploadPanel } from '../components/upload-panel.js';
import { VersionsDialog } from '../components/versions-dialog.js';
import { useApi, useLoader } from '../hooks/use-api.js';
import { useCoalesced } from '../hooks/use-coalesced.js';
import { useEventListener } from '../hooks/use-workspace-events.js';
import { collectDroppedFiles, type PendingFile } from '../uploads/collect-dropped-files.js';
import { useUploads } from '../uploads/use-uploads.js';

type OpenDialog = { kind: Exclude<NodeAction, 'delete'>; node: FerryNode } | { kind: 'new-folder' } | null;

function touchesFolder(event: FerryEvent, folderId: string): boolean {
  return event.node?.parentId === folderId || event.from?.parentId === folderId || event.node?.id === folderId;
}

export function FileBrowser({ workspace, path }: { workspace: Workspace; path: string }) {
  const client = useApi();
  const listing = useLoader(
    async (signal) => {
      const folder = await client.call('resolvePath', { params: { workspaceId: workspace.id }, query: { path }, signal });
      if (folder.kind !== 'folder') return { folder, children: [] };
      return { folder, children: await collectPages(client, 'listChildren', { params: { nodeId: folder.id }, query: { limit: 500 }, signal }) };
    },
    [client, workspace.id, path],
  );
  const folder = listing.data?.folder;
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);

  const { reload } = listing;
  const reloadSoon = useCoalesced(reload);
  const folderId = folder?.id;
  const onFileUploaded = useCallback(
    (parentId: string) => {
      if (parentId === folderId) reloadSoon();
    },
    [folderId, reloadSoon],
  );
  const uploads = useUploads(client, onFileUploaded);

  useEventListener((event) => {
    if (folderId !== undefined && touchesFolder(event, folderId)) reloadSoon();
  });

  const startUploads = (files: PendingFile[]) => {
    if (files.length === 0) return;
    if (folder === undefined) {
      setActionError(new Error('This folder has not loaded yet, so nothing was uploaded. Try again in a moment.'));
      return;
    }
    setActionError(null);
    uploads.start(files, { workspaceId: workspace.id, folderId: folder.id, folderPath: path });
  };

  const finish = (message: string) => {
    setDialog(null);
    setStatus(message);
    reload();
  };

  const onAction = async (action: NodeAction, node: FerryNode) => {
    setStatus(null);
    setActionError(null);
    if (action !== 'delete') return setDialog({ kind: action, node });
    try {
      await client.call('deleteNode', { params: { nodeId: node.id }, headers: { 'if-match': node.versionId } });
      finish(`Moved “${node.name}” to the trash.`);
    } catch (failure) {
      setActionError(failure);
    }
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    collectDroppedFiles(event.dataTransfer).then(startUploads, setActionError);
  };
  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!Array.from(event.dataTransfer.types).includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };

  return (
    <section
      className={dragging ? 'file-browser dropping' : 'file-browser'}
      aria-label="Files"
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setDragging(false);
      }}
      onDrop={onDrop}
      data-testid="drop-zone"
    >
      <header className="view-header">
        <Breadcrumbs path={path} rootName={workspace.name} />
        <div className="toolbar">
          <button type="button" onClick={() => setDialog({ kind: 'new-folder' })} disabled={folder === undefined}>
            New folder
          </button>
          <UploadButtons onFiles={startUploads} />
        </div>
      </header>
      <StatusMessage text={status} />
      <ErrorMessage error={listing.error ?? actionError} />
      <UploadPanel items={uploads.items} onClear={uploads.clearFinished} />
      {listing.data === undefined && listing.loading ? <p className="muted">Loading…</p> : null}
      {listing.data !== undefined && listing.data.children.length === 0 ? (
        <p className="empty">This folder is empty. Drop files or folders here, or use the upload buttons.</p>
      ) : null}
      {listing.data !== undefined && listing.data.children.length > 0 ? (
        <NodeTable folderPath={path} nodes={listing.data.children} onAction={onAction} />
      ) : null}
      <p className="drop-hint" aria-hidden="true">
        Drop files or folders anywhere here to upload them.
      </p>
      {dialog?.kind === 'new-folder' && folder !== undefined ? (
        <NewFolderDialog parentId={folder.id} onClose={() => setDialog(null)} onDone={finish} />
      ) : null}
      {dialog?.kind === 'rename' ? <RenameDialog node={dialog.node} onClose={() => setDialog(null)} onDone={finish} /> : null}
      {dialog?.kind === 'move' ? <MoveDialog node={dialog.node} workspace={workspace} onClose={() => setDialog(null)} onDone={finish} /> : null}
      {dialog?.kind === 'versions' ? <VersionsDialog node={dialog.node} onClose={() => setDialog(null)} onChanged={reload} /> : null}
      {dialog?.kind === 'share' ? <ShareDialog node={dialog.node} onClose={() => setDialog(null)} /> : null}
    </section>
  );
}
