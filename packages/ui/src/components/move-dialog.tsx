/**
 * @module components/move-dialog
 * Move a file or folder: browse the workspace's folders, then "Move here".
 */
import { collectPages, type Workspace } from '@ferry/core';
import { useState } from 'react';
import { useApi, useLoader } from '../hooks/use-api.js';
import { Dialog } from './dialog.js';
import { ErrorMessage } from './error-message.js';
import { NodeIcon } from './node-icon.js';
import type { NodeDialogProps } from './rename-dialog.js';

interface Place {
  id: string;
  name: string;
}

export function MoveDialog({ node, workspace, onClose, onDone }: NodeDialogProps & { workspace: Workspace }) {
  const client = useApi();
  const [trail, setTrail] = useState<Place[]>([{ id: workspace.rootFolderId, name: workspace.name }]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const here = trail[trail.length - 1] ?? { id: workspace.rootFolderId, name: workspace.name };

  const folders = useLoader(
    async (signal) => (await collectPages(client, 'listChildren', { params: { nodeId: here.id }, query: { limit: 500 }, signal })).filter((child) => child.kind === 'folder' && child.id !== node.id),
    [client, here.id, node.id],
  );

  const move = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.call('updateNode', { params: { nodeId: node.id }, body: { parentId: here.id }, headers: { 'if-match': node.versionId } });
      onDone(`Moved “${node.name}” to “${trail.map((place) => place.name).join(' / ')}”.`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Move ${node.name}`} onClose={onClose}>
      <nav aria-label="Target folder path" className="breadcrumbs">
        <ol>
          {trail.map((place, index) => (
            <li key={place.id}>
              {index === trail.length - 1 ? (
                <span aria-current="location">{place.name}</span>
              ) : (
                <button type="button" className="link-button" onClick={() => setTrail(trail.slice(0, index + 1))}>
                  {place.name}
                </button>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <ul className="folder-picker" aria-label="Folders">
        {folders.loading && folders.data === undefined ? <li className="muted">Loading folders…</li> : null}
        {folders.data?.length === 0 ? <li className="muted">No folders here.</li> : null}
        {folders.data?.map((folder) => (
          <li key={folder.id}>
            <button type="button" className="link-button" onClick={() => setTrail([...trail, { id: folder.id, name: folder.name }])}>
              <NodeIcon kind="folder" />
              {folder.name}
            </button>
          </li>
        ))}
      </ul>
      <ErrorMessage error={folders.error ?? error} />
      <div className="form-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button-primary" onClick={move} disabled={busy || here.id === node.parentId}>
          Move here
        </button>
      </div>
    </Dialog>
  );
}
