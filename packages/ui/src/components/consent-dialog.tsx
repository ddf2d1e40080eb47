/**
 * @module components/consent-dialog
 * Asks an admin to agree to an integration's scopes before installing or
 * upgrading it: each permission in plain words, an "I agree" checkbox, and a
 * confirm button that stays disabled until it is ticked.
 */
import type { CatalogScope } from '@ferry/core';
import { useState } from 'react';
import { Dialog } from './dialog.js';
import { ErrorMessage } from './error-message.js';

export interface ConsentDialogProps {
  title: string;
  intro: string;
  scopes: readonly CatalogScope[];
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm(): void;
  onClose(): void;
}

export function ScopeList({ scopes, label }: { scopes: readonly CatalogScope[]; label: string }) {
  return (
    <ul className="scope-list" aria-label={label}>
      {scopes.map((scope) => (
        <li key={scope.id}>
          <span className="scope-text">{scope.description}</span>
          <code className="scope-id">{scope.kind === 'provider' ? `${scope.id} (at the other service)` : scope.id}</code>
        </li>
      ))}
    </ul>
  );
}

export function ConsentDialog({ title, intro, scopes, confirmLabel, busy, error, onConfirm, onClose }: ConsentDialogProps) {
  const [agreed, setAgreed] = useState(false);
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{intro}</p>
      <ScopeList scopes={scopes} label="Permissions asked for" />
      <label className="setting-choice">
        <input type="checkbox" checked={agreed} onChange={(event) => setAgreed(event.target.checked)} />I agree to grant these permissions
      </label>
      <ErrorMessage error={error} />
      <div className="form-actions">
        <button type="button" className="button-quiet" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button-primary" disabled={!agreed || busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
