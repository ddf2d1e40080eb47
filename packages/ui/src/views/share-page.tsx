/**
 * @module views/share-page
 * The public page of a share link (`/s/<token>`, no sign-in): what it points
 * at, a password field when the link has one, and the download, which is
 * fetched with `X-Share-Password` and saved from a blob. Expired, exhausted
 * and unknown links say so plainly.
 */
import { useState, type FormEvent } from 'react';
import { describeError, errorCode } from '../api/describe-error.js';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { formatBytes, formatDateTime } from '../format.js';
import { useApi, useLoader } from '../hooks/use-api.js';

const deadLinks: Record<string, string> = {
  share_not_found: 'This link does not exist, or it was revoked.',
  share_expired: 'This link has expired.',
  share_exhausted: 'This link has reached its download limit.',
};

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function DeadLink({ error }: { error: unknown }) {
  const headline = deadLinks[errorCode(error) ?? ''];
  return (
    <div role="alert" className="message message-error">
      <strong>{headline ?? 'This link cannot be opened.'}</strong>
      <p>{describeError(error)}</p>
    </div>
  );
}

export function SharePage({ token }: { token: string }) {
  const client = useApi();
  const share = useLoader((signal) => client.call('getPublicShare', { params: { token }, signal }), [client, token]);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const info = share.data;

  const download = async (event: FormEvent) => {
    event.preventDefault();
    if (info === undefined) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const response = await client.call('downloadPublicShare', {
        params: { token },
        headers: info.passwordRequired ? { 'x-share-password': password } : {},
      });
      saveBlob(await response.blob(), info.name);
      setStatus(`Downloaded ${info.name}.`);
      share.reload();
    } catch (failure) {
      if (errorCode(failure) !== 'share_password_required') share.reload();
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="public-page">
      <div className="card">
        <p className="brand">Ferry</p>
        {share.loading && info === undefined ? <p className="muted">Opening the link…</p> : null}
        {share.error !== null && share.error !== undefined ? <DeadLink error={share.error} /> : null}
        {info !== undefined && share.error === null ? (
          <>
            <h1>{info.name}</h1>
            <dl className="facts">
              <dt>Size</dt>
              <dd>{formatBytes(info.size)}</dd>
              {info.expiresAt !== null ? (
                <>
                  <dt>Expires</dt>
                  <dd>{formatDateTime(info.expiresAt)}</dd>
                </>
              ) : null}
              {info.downloadsLeft !== null ? (
                <>
                  <dt>Downloads left</dt>
                  <dd>{info.downloadsLeft}</dd>
                </>
              ) : null}
            </dl>
            <form onSubmit={download} className="form">
              {info.passwordRequired ? (
                <label>
                  Password
                  <input type="password" value={password} onChange={(event) => setPassword(event.target.value)} required autoComplete="off" />
                </label>
              ) : null}
              <button type="submit" className="button-primary" disabled={busy}>
                Download
              </button>
            </form>
            <StatusMessage text={status} />
            <ErrorMessage error={error} />
          </>
        ) : null}
      </div>
    </main>
  );
}
