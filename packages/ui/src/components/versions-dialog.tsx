/**
 * @module components/versions-dialog
 * The versions of a file, newest first: download any of them, or make an
 * older one current again (which adds a new version).
 */
import type { FerryNode } from '@ferry/core';
import { useState } from 'react';
import { useApi, useLoader } from '../hooks/use-api.js';
import { formatBytes, formatDateTime } from '../format.js';
import { Dialog } from './dialog.js';
import { ErrorMessage, StatusMessage } from './error-message.js';

export function VersionsDialog({ node, onClose, onChanged }: { node: FerryNode; onClose(): void; onChanged(): void }) {
  const client = useApi();
  const versions = useLoader((signal) => client.call('listVersions', { params: { nodeId: node.id }, signal }), [client, node.id]);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const items = versions.data?.items ?? [];

  const restore = async (versionId: string, label: string) => {
    setBusyId(versionId);
    setError(null);
    try {
      await client.call('restoreVersion', { params: { nodeId: node.id, versionId } });
      setStatus(`Restored the version of ${label}; it is now the current one.`);
      versions.reload();
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusyId(null);
    }
  };

  return (
    <Dialog title={`Versions of ${node.name}`} onClose={onClose} wide>
      {versions.loading && versions.data === undefined ? <p className="muted">Loading versions…</p> : null}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Saved</th>
            <th scope="col">Size</th>
            <th scope="col">From</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((version, index) => {
            const label = `version ${items.length - index}`;
            return (
              <tr key={version.id} aria-label={`Version ${items.length - index}`}>
                <td>
                  {formatDateTime(version.createdAt)} {version.current ? <span className="badge">current</span> : null}
                </td>
                <td>{formatBytes(version.size)}</td>
                <td>{version.source}</td>
                <td className="row-actions">
                  <a
                    className="button"
                    href={client.url('getFileContent', { params: { nodeId: node.id }, query: { versionId: version.id } })}
                    download={node.name}
                    aria-label={`Download ${label}`}
                  >
                    Download
                  </a>
                  {version.current ? null : (
                    <button type="button" onClick={() => restore(version.id, label)} disabled={busyId !== null} aria-label={`Restore ${label}`}>
                      Restore
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <StatusMessage text={status} />
      <ErrorMessage error={versions.error ?? error} />
    </Dialog>
  );
}
