/**
 * @module components/rename-dialog
 * Rename a file or folder (If-Match its current version, so a concurrent
 * change is reported instead of overwritten).
 */
import type { FerryNode } from '@ferry/core';
import { useState, type FormEvent } from 'react';
import { useApi } from '../hooks/use-api.js';
import { Dialog } from './dialog.js';
import { ErrorMessage } from './error-message.js';

export interface NodeDialogProps {
  node: FerryNode;
  onClose(): void;
  onDone(message: string): void;
}

export function RenameDialog({ node, onClose, onDone }: NodeDialogProps) {
  const client = useApi();
  const [name, setName] = useState(node.name);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const renamed = await client.call('updateNode', {
        params: { nodeId: node.id },
        body: { name: name.trim() },
        headers: { 'if-match': node.versionId },
      });
      onDone(`Renamed “${node.name}” to “${renamed.name}”.`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Rename ${node.name}`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label>
          New name
          <input value={name} onChange={(event) => setName(event.target.value)} required autoFocus />
        </label>
        <ErrorMessage error={error} />
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={busy || name.trim() === ''}>
            Rename
          </button>
        </div>
      </form>
    </Dialog>
  );
}
