/**
 * @module views/trash
 * Deleted files and folders, each with a restore button that puts it back
 * into its old folder.
 */
import { collectPages, type FerryNode, type Workspace } from '@ferry/core';
import { useState } from 'react';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { NodeIcon } from '../components/node-icon.js';
import { formatBytes, formatDateTime } from '../format.js';
import { useApi, useLoader } from '../hooks/use-api.js';
import { useEventListener } from '../hooks/use-workspace-events.js';

export function TrashView({ workspace }: { workspace: Workspace }) {
  const client = useApi();
  const trash = useLoader((signal) => collectPages(client, 'listTrash', { params: { workspaceId: workspace.id }, query: { limit: 500 }, signal }), [client, workspace.id]);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEventListener((event) => {
    if (event.type.endsWith('.deleted') || event.type.endsWith('.restored')) trash.reload();
  });

  const restore = async (node: FerryNode) => {
    setError(null);
    setStatus(null);
    try {
      const restored = await client.call('restoreNode', { params: { nodeId: node.id } });
      setStatus(`Restored “${restored.name}”${restored.path !== undefined ? ` to ${restored.path}` : ''}.`);
      trash.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const items = trash.data ?? [];
  return (
    <section aria-label="Trash" className="view">
      <header className="view-header">
        <h1>Trash</h1>
      </header>
      <StatusMessage text={status} />
      <ErrorMessage error={trash.error ?? error} />
      {trash.data === undefined && trash.loading ? <p className="muted">Loading…</p> : null}
      {trash.data !== undefined && items.length === 0 ? <p className="empty">The trash is empty.</p> : null}
      {items.length > 0 ? (
        <table className="table" aria-label="Deleted items">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Was in</th>
              <th scope="col" className="numeric">
                Size
              </th>
              <th scope="col">Deleted</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((node) => (
              <tr key={node.id}>
                <td className="node-name">
                  <NodeIcon kind={node.kind} />
                  {node.name}
                </td>
                <td className="muted">{node.path?.replace(/\/[^/]*$/, '') || '/'}</td>
                <td className="numeric">{node.kind === 'file' ? formatBytes(node.size) : '—'}</td>
                <td>{formatDateTime(node.deletedAt)}</td>
                <td className="row-actions">
                  <button type="button" className="button-small" aria-label={`Restore ${node.name}`} onClick={() => restore(node)}>
                    Restore
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
