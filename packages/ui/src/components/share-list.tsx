/**
 * @module components/share-list
 * Share links with their limits and use, a copy button for the URL and a
 * revoke button. Used by the share dialog (one file) and the Shares view.
 */
import type { Share } from '@ferry/core';
import { useState } from 'react';
import { useApi } from '../hooks/use-api.js';
import { formatDateTime } from '../format.js';
import { ErrorMessage, StatusMessage } from './error-message.js';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard !== undefined && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  document.body.append(field);
  field.select();
  const copied = document.execCommand('copy');
  field.remove();
  if (!copied) throw new Error('The browser did not allow copying; select the link and copy it by hand.');
}

function limitsOf(share: Share): string {
  const parts: string[] = [];
  parts.push(share.expiresAt === null ? 'never expires' : `expires ${formatDateTime(share.expiresAt)}`);
  if (share.hasPassword) parts.push('password');
  parts.push(share.maxDownloads === null ? `${share.downloads} downloads` : `${share.downloads} of ${share.maxDownloads} downloads`);
  return parts.join(' · ');
}

export function ShareList({ shares, names, onRevoked }: { shares: Share[]; names?: Map<string, string>; onRevoked(): void }) {
  const client = useApi();
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const active = shares.filter((share) => share.revokedAt === null);

  const copy = async (share: Share) => {
    setError(null);
    try {
      await copyText(share.url);
      setStatus('Link copied to the clipboard.');
    } catch (failure) {
      setError(failure);
    }
  };

  const revoke = async (share: Share) => {
    setError(null);
    try {
      await client.call('revokeShare', { params: { shareId: share.id } });
      setStatus('Link revoked: it no longer opens.');
      onRevoked();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <>
      {active.length === 0 ? <p className="muted">No active share links.</p> : null}
      <ul className="share-list" aria-label="Share links" hidden={active.length === 0}>
        {active.map((share) => (
          <li key={share.id} className="share">
            {names?.get(share.nodeId) !== undefined ? <strong>{names.get(share.nodeId)}</strong> : null}
            <input className="share-url" readOnly value={share.url} aria-label="Share link URL" onFocus={(event) => event.target.select()} />
            <span className="muted">{limitsOf(share)}</span>
            <span className="row-actions">
              <button type="button" onClick={() => copy(share)}>
                Copy link
              </button>
              <button type="button" className="button-danger" onClick={() => revoke(share)}>
                Revoke
              </button>
            </span>
          </li>
        ))}
      </ul>
      <StatusMessage text={status} />
      <ErrorMessage error={error} />
    </>
  );
}
