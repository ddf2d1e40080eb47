/**
 * @module views/marketplace-detail
 * One integration of the catalog: what it does, who publishes it, what it may
 * do (scopes in plain words), the events it uses, the Ferry versions it runs
 * on, and — for admins — Install, through a consent dialog. Members see that
 * only admins install.
 */
import type { Workspace } from '@ferry/core';
import { useState } from 'react';
import { ConsentDialog, ScopeList } from '../components/consent-dialog.js';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { useApi, useLoader } from '../hooks/use-api.js';
import { useLinkClick, useLocation } from '../hooks/use-location.js';

export function MarketplaceDetail({ workspace, integrationId }: { workspace: Workspace; integrationId: string }) {
  const client = useApi();
  const { navigate } = useLocation();
  const onLinkClick = useLinkClick();
  const [version, setVersion] = useState<string | null>(null);
  const entry = useLoader(
    (signal) => client.call('getMarketplaceIntegration', { params: { integrationId }, query: version === null ? {} : { version }, signal }),
    [client, integrationId, version],
  );
  const install = useLoader(
    (signal) => client.call('getInstall', { params: { workspaceId: workspace.id, integrationId }, signal }).catch(() => null),
    [client, workspace.id, integrationId],
  );
  const [consenting, setConsenting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const isAdmin = workspace.role === 'admin' || workspace.role === 'owner';
  const data = entry.data;

  const doInstall = async () => {
    if (data === undefined) return;
    setBusy(true);
    setError(null);
    try {
      await client.call('installIntegration', {
        params: { workspaceId: workspace.id },
        body: { integrationId: data.id, version: data.version, consentedScopes: data.scopes.map((scope) => scope.id) },
      });
      setConsenting(false);
      navigate('/marketplace/installed');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-label={data?.name ?? 'Integration'} className="view">
      <p>
        <a href="/marketplace" onClick={onLinkClick}>
          ← Marketplace
        </a>
      </p>
      <ErrorMessage error={entry.error} />
      {data === undefined ? (
        entry.loading ? <p className="muted">Loading…</p> : null
      ) : (
        <>
          <header className="view-header integration-header">
            <img src={data.icon} alt="" width={56} height={56} />
            <div>
              <h1>{data.name}</h1>
              <p className="muted">
                {data.category} · by {data.publisher.url ? <a href={data.publisher.url}>{data.publisher.name}</a> : data.publisher.name} · version {data.version}
              </p>
            </div>
            <div className="integration-actions">
              {install.data ? (
                <StatusMessage text={`Installed (version ${install.data.version}).`} />
              ) : isAdmin ? (
                <button type="button" className="button-primary" disabled={!data.compatible} onClick={() => setConsenting(true)}>
                  Install
                </button>
              ) : (
                <p className="muted">Only workspace admins can install integrations.</p>
              )}
              {install.data ? (
                <a href="/marketplace/installed" onClick={onLinkClick}>
                  Manage
                </a>
              ) : null}
            </div>
          </header>
          <p className="integration-description">{data.description}</p>
          {!data.compatible ? <p role="alert" className="message message-error">This version needs Ferry {data.compatibility.ferry}; this server cannot run it.</p> : null}
          {data.versions.length > 1 && !install.data ? (
            <label className="inline-field">
              Version{' '}
              <select value={data.version} onChange={(event) => setVersion(event.target.value)}>
                {data.versions.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {candidate}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <h2 className="section-title">What it can do</h2>
          <ScopeList scopes={data.scopes} label="Permissions" />
          <dl className="facts">
            <dt>Uses events</dt>
            <dd>{data.events.consumes.length === 0 ? 'none' : data.events.consumes.join(', ')}</dd>
            <dt>Produces events</dt>
            <dd>{data.events.emits.length === 0 ? 'none' : data.events.emits.join(', ')}</dd>
            <dt>Runs on</dt>
            <dd>
              Ferry {data.compatibility.ferry}
              {data.compatibility.platforms ? ` · ${data.compatibility.platforms.join(', ')}` : ''}
            </dd>
          </dl>
          {consenting ? (
            <ConsentDialog
              title={`Install ${data.name}`}
              intro={`${data.name} ${data.version} asks for these permissions in ${workspace.name}:`}
              scopes={data.scopes}
              confirmLabel="Install"
              busy={busy}
              error={error}
              onConfirm={doInstall}
              onClose={() => setConsenting(false)}
            />
          ) : null}
        </>
      )}
    </section>
  );
}
