/**
 * @module components/share-dialog
 * Create a share link for a file (optional expiry, password and download
 * limit) and manage the file's existing links.
 */
import type { FerryNode } from '@ferry/core';
import { useState, type FormEvent } from 'react';
import { useApi, useLoader } from '../hooks/use-api.js';
import { Dialog } from './dialog.js';
import { ErrorMessage, StatusMessage } from './error-message.js';
import { ShareList } from './share-list.js';

export function ShareDialog({ node, onClose }: { node: FerryNode; onClose(): void }) {
  const client = useApi();
  const shares = useLoader(
    async (signal) => (await client.call('listShares', { params: { workspaceId: node.workspaceId }, signal })).items.filter((share) => share.nodeId === node.id),
    [client, node.id, node.workspaceId],
  );
  const [expiresAt, setExpiresAt] = useState('');
  const [password, setPassword] = useState('');
  const [maxDownloads, setMaxDownloads] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const expiry = expiresAt === '' ? undefined : new Date(expiresAt);
      if (expiry !== undefined && Number.isNaN(expiry.getTime())) throw new Error('The expiry date is not a valid date.');
      await client.call('createShare', {
        params: { nodeId: node.id },
        body: {
          expiresAt: expiry?.toISOString(),
          password: password === '' ? undefined : password,
          maxDownloads: maxDownloads === '' ? undefined : Number(maxDownloads),
        },
      });
      setStatus('Share link created.');
      setPassword('');
      shares.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Share ${node.name}`} onClose={onClose} wide>
      <form onSubmit={create} className="form form-grid">
        <label>
          Expires at (optional)
          <input type="datetime-local" value={expiresAt} onChange={(event) => setExpiresAt(event.target.value)} />
        </label>
        <label>
          Password (optional)
          <input type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <label>
          Download limit (optional)
          <input type="number" min={1} step={1} value={maxDownloads} onChange={(event) => setMaxDownloads(event.target.value)} />
        </label>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            Create link
          </button>
        </div>
      </form>
      <StatusMessage text={status} />
      <ErrorMessage error={error} />
      <h3>Links to this file</h3>
      {shares.data !== undefined ? <ShareList shares={shares.data} onRevoked={shares.reload} /> : null}
      <ErrorMessage error={shares.error} />
    </Dialog>
  );
}
