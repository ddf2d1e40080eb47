/**
 * @module views/marketplace
 * The integration marketplace: `/marketplace` lists the catalog as cards
 * (search box, category filter), `/marketplace/installed` manages what the
 * workspace installed, `/marketplace/<id>` shows one integration.
 */
import type { IntegrationCategory, Workspace } from '@ferry/core';
import { useState } from 'react';
import { ErrorMessage } from '../components/error-message.js';
import { useApi, useLoader } from '../hooks/use-api.js';
import { useLinkClick } from '../hooks/use-location.js';
import { MarketplaceDetail } from './marketplace-detail.js';
import { MarketplaceInstalled } from './marketplace-installed.js';

function MarketplaceTabs({ current, installedCount }: { current: 'browse' | 'installed'; installedCount: number | null }) {
  const onLinkClick = useLinkClick();
  return (
    <nav aria-label="Marketplace" className="tabs">
      <a href="/marketplace" onClick={onLinkClick} aria-current={current === 'browse' ? 'page' : undefined}>
        Browse
      </a>
      <a href="/marketplace/installed" onClick={onLinkClick} aria-current={current === 'installed' ? 'page' : undefined}>
        Installed{installedCount === null ? '' : ` (${installedCount})`}
      </a>
    </nav>
  );
}

function Catalog({ workspace }: { workspace: Workspace }) {
  const client = useApi();
  const onLinkClick = useLinkClick();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<IntegrationCategory | ''>('');
  const catalog = useLoader(
    (signal) => client.call('listMarketplace', { query: { ...(q.trim() === '' ? {} : { q: q.trim() }), ...(category === '' ? {} : { category }) }, signal }),
    [client, q, category],
  );
  const installs = useLoader((signal) => client.call('listInstalls', { params: { workspaceId: workspace.id }, signal }), [client, workspace.id]);
  const installed = new Set((installs.data?.items ?? []).map((install) => install.integrationId));
  const items = catalog.data?.items ?? [];

  return (
    <section aria-label="Marketplace" className="view">
      <header className="view-header">
        <h1>Marketplace</h1>
        <MarketplaceTabs current="browse" installedCount={installs.data?.items.length ?? null} />
      </header>
      <div className="toolbar catalog-filters">
        <label>
          <span className="visually-hidden">Search integrations</span>
          <input type="search" placeholder="Search integrations" aria-label="Search integrations" value={q} onChange={(event) => setQ(event.target.value)} />
        </label>
        <label>
          Category{' '}
          <select value={category} onChange={(event) => setCategory(event.target.value as IntegrationCategory | '')}>
            <option value="">All categories</option>
            {(catalog.data?.categories ?? []).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={catalog.error ?? installs.error} />
      {catalog.data === undefined && catalog.loading ? <p className="muted">Loading…</p> : null}
      {catalog.data !== undefined && items.length === 0 ? <p className="empty">No integration matches.</p> : null}
      <ul className="integration-grid" aria-label="Integrations">
        {items.map((entry) => (
          <li key={entry.id} className="integration-card">
            <img src={entry.icon} alt="" width={40} height={40} />
            <div className="integration-card-body">
              <h2>
                <a href={`/marketplace/${entry.id}`} onClick={onLinkClick}>
                  {entry.name}
                </a>
              </h2>
              <p className="integration-meta">
                <span className="badge">{entry.category}</span> <span className="muted">by {entry.publisher.name}</span>
                {installed.has(entry.id) ? <span className="badge badge-ok">Installed</span> : null}
              </p>
              <p className="integration-description">{entry.description}</p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function MarketplaceView({ workspace, pathname }: { workspace: Workspace; pathname: string }) {
  const rest = pathname.replace(/^\/marketplace\/?/, '').replace(/\/$/, '');
  if (rest === '') return <Catalog workspace={workspace} />;
  if (rest === 'installed') {
    return (
      <section aria-label="Installed integrations" className="view">
        <header className="view-header">
          <h1>Installed integrations</h1>
          <MarketplaceTabs current="installed" installedCount={null} />
        </header>
        <MarketplaceInstalled workspace={workspace} />
      </section>
    );
  }
  return <MarketplaceDetail workspace={workspace} integrationId={decodeURIComponent(rest)} />;
}
