/**
 * @module views/marketplace-installed
 * The integrations installed in the workspace, each with its settings form
 * (generated from the settings schema, field errors inline), Disable/Enable,
 * Upgrade (asking consent again when the new version adds scopes) and Remove
 * (after a confirmation that says what is revoked). Members see the same,
 * read-only.
 */
import type { CatalogEntry, IntegrationInstall, Workspace } from '@ferry/core';
import { useState } from 'react';
import { fieldErrorsOf } from '../api/field-errors.js';
import { ConsentDialog } from '../components/consent-dialog.js';
import { Dialog } from '../components/dialog.js';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { SettingsForm } from '../components/settings-form.js';
import { formatDateTime } from '../format.js';
import { useApi, useLoader } from '../hooks/use-api.js';
import { useLinkClick } from '../hooks/use-location.js';

interface InstalledCardProps {
  workspace: Workspace;
  install: IntegrationInstall;
  entry: CatalogEntry | undefined;
  isAdmin: boolean;
  onChanged(message: string): void;
}

function InstalledCard({ workspace, install, entry, isAdmin, onChanged }: InstalledCardProps) {
  const client = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<'upgrade' | 'remove' | null>(null);
  const params = { workspaceId: workspace.id, integrationId: install.integrationId };

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      const message = await action();
      setDialog(null);
      onChanged(message);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const save = (settings: Record<string, unknown>) =>
    run(async () => {
      await client.call('configureIntegration', { params, body: { settings } });
      return `Settings of ${install.name} saved.`;
    });
  const toggle = () =>
    run(async () => {
      await client.call('updateInstall', { params, body: { enabled: !install.enabled } });
      return `${install.name} ${install.enabled ? 'disabled' : 'enabled'}.`;
    });
  const upgrade = () =>
    run(async () => {
      const next = install.upgrade;
      if (next === null) return 'Nothing to upgrade.';
      const scopes = [...install.scopes.filter((scope) => !next.removedScopes.includes(scope)), ...next.addedScopes.map((scope) => scope.id)];
      await client.call('upgradeIntegration', { params, body: { version: next.version, consentedScopes: scopes } });
      return `${install.name} upgraded to ${next.version}.`;
    });
  const remove = () =>
    run(async () => {
      const { revoked } = await client.call('removeIntegration', { params });
      return `${install.name} removed (${revoked.webhookEndpoints} webhook endpoints deleted, ${revoked.connections} connections revoked, ${revoked.syncPairs} sync pairs deleted, ${revoked.jobs} jobs stopped, ${revoked.oauthTokens} app tokens revoked).`;
    });

  const fieldErrors = fieldErrorsOf(error);
  const schema = entry !== undefined && entry.version === install.version ? entry.settings : null;
  return (
    <section aria-label={install.name} className="panel installed-integration">
      <header className="installed-header">
        {entry ? <img src={entry.icon} alt="" width={36} height={36} /> : null}
        <div>
          <h2>{install.name}</h2>
          <p className="muted">
            Version {install.version} · installed {formatDateTime(install.installedAt)} ·{' '}
            <span className={install.enabled ? 'badge badge-ok' : 'badge badge-off'}>{install.enabled ? 'Enabled' : 'Disabled'}</span>
          </p>
        </div>
        {isAdmin ? (
          <div className="row-actions">
            {install.upgrade ? (
              <button type="button" className="button-primary" disabled={busy} onClick={() => (install.upgrade?.addedScopes.length ? setDialog('upgrade') : void upgrade())}>
                Upgrade to {install.upgrade.version}
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={toggle}>
              {install.enabled ? 'Disable' : 'Enable'}
            </button>
            <button type="button" className="button-danger" disabled={busy} onClick={() => setDialog('remove')}>
              Remove
            </button>
          </div>
        ) : null}
      </header>
      {install.enabled ? null : (
        <p className="muted" role="note">
          Paused: its sync runs, jobs and webhook deliveries wait, and its app&apos;s access tokens are refused, until it is enabled again. Nothing is lost.
        </p>
      )}
      {Object.keys(fieldErrors).length > 0 ? null : <ErrorMessage error={dialog === null ? error : null} />}
      <h3>Settings</h3>
      {schema === null ? (
        <SettingsFromVersion install={install} isAdmin={isAdmin} busy={busy} errors={fieldErrors} onSave={save} />
      ) : (
        <SettingsForm schema={schema} values={install.settings} errors={fieldErrors} readOnly={!isAdmin} busy={busy} onSave={save} />
      )}
      {dialog === 'upgrade' && install.upgrade ? (
        <ConsentDialog
          title={`Upgrade ${install.name} to ${install.upgrade.version}`}
          intro={`Version ${install.upgrade.version} asks for more than the installed ${install.version}. It also needs:`}
          scopes={install.upgrade.addedScopes}
          confirmLabel="Upgrade"
          busy={busy}
          error={error}
          onConfirm={upgrade}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'remove' ? (
        <Dialog title={`Remove ${install.name}?`} onClose={() => setDialog(null)}>
          <p>
            {install.name} stops working in {workspace.name}: its tokens are revoked, its jobs stopped, and the webhooks it manages deleted. Its settings are
            forgotten.
          </p>
          <ErrorMessage error={error} />
          <div className="form-actions">
            <button type="button" className="button-quiet" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button type="button" className="button-danger" disabled={busy} onClick={remove}>
              Remove
            </button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}

/** The settings schema of an installed version older than the catalog's newest (fetched by version). */
function SettingsFromVersion({ install, isAdmin, busy, errors, onSave }: { install: IntegrationInstall; isAdmin: boolean; busy: boolean; errors: Record<string, string>; onSave(values: Record<string, unknown>): void }) {
  const client = useApi();
  const entry = useLoader(
    (signal) => client.call('getMarketplaceIntegration', { params: { integrationId: install.integrationId }, query: { version: install.version }, signal }),
    [client, install.integrationId, install.version],
  );
  if (entry.data === undefined) return entry.error ? <ErrorMessage error={entry.error} /> : <p className="muted">Loading…</p>;
  return <SettingsForm schema={entry.data.settings} values={install.settings} errors={errors} readOnly={!isAdmin} busy={busy} onSave={onSave} />;
}

export function MarketplaceInstalled({ workspace }: { workspace: Workspace }) {
  const client = useApi();
  const onLinkClick = useLinkClick();
  const [status, setStatus] = useState<string | null>(null);
  const installs = useLoader((signal) => client.call('listInstalls', { params: { workspaceId: workspace.id }, signal }), [client, workspace.id]);
  const catalog = useLoader((signal) => client.call('listMarketplace', { signal }), [client]);
  const isAdmin = workspace.role === 'admin' || workspace.role === 'owner';
  const entries = new Map((catalog.data?.items ?? []).map((entry) => [entry.id, entry]));
  const items = installs.data?.items ?? [];
  return (
    <>
      <StatusMessage text={status} />
      <ErrorMessage error={installs.error ?? catalog.error} />
      {installs.data === undefined && installs.loading ? <p className="muted">Loading…</p> : null}
      {installs.data !== undefined && items.length === 0 ? (
        <p className="empty">
          Nothing is installed yet.{' '}
          <a href="/marketplace" onClick={onLinkClick}>
            Browse the marketplace
          </a>
          .
        </p>
      ) : null}
      {items.map((install) => (
        <InstalledCard
          key={`${install.integrationId}@${install.version}:${install.updatedAt}`}
          workspace={workspace}
          install={install}
          entry={entries.get(install.integrationId)}
          isAdmin={isAdmin}
          onChanged={(message) => {
            setStatus(message);
            installs.reload();
          }}
        />
      ))}
    </>
  );
}
