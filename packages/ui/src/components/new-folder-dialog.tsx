/**
 * @module components/new-folder-dialog
 * Create a folder inside the open folder.
 */
import { useState, type FormEvent } from 'react';
import { useApi } from '../hooks/use-api.js';
import { Dialog } from './dialog.js';
import { ErrorMessage } from './error-message.js';

export function NewFolderDialog({ parentId, onClose, onDone }: { parentId: string; onClose(): void; onDone(message: string): void }) {
  const client = useApi();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const folder = await client.call('createFolder', { params: { nodeId: parentId }, body: { name: name.trim() } });
      onDone(`Created folder “${folder.name}”.`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <Dialog title="New folder" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label>
          Folder name
          <input value={name} onChange={(event) => setName(event.target.value)} required autoFocus />
        </label>
        <ErrorMessage error={error} />
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={busy || name.trim() === ''}>
            Create folder
          </button>
        </div>
      </form>
    </Dialog>
  );
}
