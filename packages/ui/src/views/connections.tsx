/**
 * @module views/connections
 * Connections to other services: each provider with whether the server is set
 * up for it and a Connect button (start → the provider's sign-in page), then
 * every connection with its status — active, needs_reauth (Reconnect) or
 * revoked — and Check / Disconnect. `?connected=<id>` (where the provider's
 * callback lands) is confirmed at the top.
 */
import type { Connection, ConnectionProvider, ProviderId, Workspace } from '@ferry/core';
import { useState } from 'react';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { formatDateTime } from '../format.js';
import { useApi, useLoader } from '../hooks/use-api.js';

const statusLabels: Record<Connection['status'], string> = { active: 'Active', needs_reauth: 'Needs sign-in again', revoked: 'Disconnected' };

function connectedNotice(providers: readonly ConnectionProvider[], connections: readonly Connection[]): string | null {
  const connectedId = new URLSearchParams(window.location.search).get('connected');
  if (connectedId === null) return null;
  const connection = connections.find((candidate) => candidate.id === connectedId);
  if (connection === undefined) return null;
  const providerName = providers.find((provider) => provider.id === connection.provider)?.name ?? connection.provider;
  return `Connected ${providerName}${connection.account.email !== null ? ` as ${connection.account.email}` : ''}.`;
}

export function ConnectionsView({ workspace }: { workspace: Workspace }) {
  const client = useApi();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const loaded = useLoader(
    async (signal) => {
      const params = { workspaceId: workspace.id };
      const [providers, connections] = await Promise.all([
        client.call('listConnectionProviders', { params, signal }),
        client.call('listConnections', { params, signal }),
      ]);
      return { providers: providers.items, connections: connections.items };
    },
    [client, workspace.id],
  );

  const connect = async (provider: ProviderId) => {
    setError(null);
    setBusy(true);
    try {
      const started = await client.call('startConnection', { params: { workspaceId: workspace.id, provider }, body: { returnTo: '/connections' } });
      window.location.assign(started.authorizeUrl);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      loaded.reload();
    }
  };
  const check = (connection: Connection) =>
    act(() => client.call('checkConnection', { params: { workspaceId: workspace.id, connectionId: connection.id } }));
  const disconnect = (connection: Connection) =>
    act(() => client.call('deleteConnection', { params: { workspaceId: workspace.id, connectionId: connection.id } }));

  const providers = loaded.data?.providers ?? [];
  const connections = loaded.data?.connections ?? [];
  const providerName = (id: ProviderId) => providers.find((provider) => provider.id === id)?.name ?? id;
  return (
    <section aria-label="Connections" className="view">
      <header className="view-header">
        <h1>Connections</h1>
      </header>
      <StatusMessage text={connectedNotice(providers, connections)} />
      <ErrorMessage error={loaded.error ?? error} />
      {loaded.data === undefined && loaded.loading ? <p className="muted">Loading…</p> : null}
      {providers.length > 0 ? (
        <table className="table" aria-label="Services">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Set up on this server</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {providers.map((provider) => (
              <tr key={provider.id}>
                <td>{provider.name}</td>
                <td>{provider.configured ? 'Configured' : 'Not configured'}</td>
                <td>
                  <button type="button" disabled={!provider.configured || busy} onClick={() => void connect(provider.id)} aria-label={`Connect ${provider.name}`}>
                    Connect
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Your connections</h2>
      {loaded.data !== undefined && connections.length === 0 ? <p className="empty">No connections yet.</p> : null}
      {connections.length > 0 ? (
        <table className="table" aria-label="Connections list">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Account</th>
              <th scope="col">Status</th>
              <th scope="col">Connected</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {connections.map((connection) => (
              <tr key={connection.id} aria-label={`${providerName(connection.provider)} connection`}>
                <td>{providerName(connection.provider)}</td>
                <td>{connection.account.email ?? connection.account.name ?? connection.account.id}</td>
                <td>
                  <span data-status={connection.status}>{statusLabels[connection.status]}</span>
                  {connection.action !== null ? <span className="muted"> — {connection.action}</span> : null}
                </td>
                <td>{formatDateTime(connection.createdAt)}</td>
                <td className="row-actions">
                  {connection.status === 'active' ? (
                    <button type="button" disabled={busy} onClick={() => void check(connection)}>
                      Check
                    </button>
                  ) : null}
                  {connection.status === 'needs_reauth' ? (
                    <button type="button" disabled={busy} onClick={() => void connect(connection.provider)}>
                      Reconnect
                    </button>
                  ) : null}
                  {connection.status !== 'revoked' ? (
                    <button type="button" disabled={busy} onClick={() => void disconnect(connection)}>
                      Disconnect
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
