/**
 * @module views/shares
 * Every active share link of the workspace, to copy or revoke.
 */
import type { Workspace } from '@ferry/core';
import { ErrorMessage } from '../components/error-message.js';
import { ShareList } from '../components/share-list.js';
import { useApi, useLoader } from '../hooks/use-api.js';
import { useEventListener } from '../hooks/use-workspace-events.js';

export function SharesView({ workspace }: { workspace: Workspace }) {
  const client = useApi();
  const shares = useLoader(
    async (signal) => {
      const { items } = await client.call('listShares', { params: { workspaceId: workspace.id }, signal });
      const names = new Map<string, string>();
      const nodeIds = [...new Set(items.filter((share) => share.revokedAt === null).map((share) => share.nodeId))];
      await Promise.all(
        nodeIds.map(async (nodeId) => {
          const node = await client.call('getNode', { params: { nodeId }, signal }).catch(() => null);
          if (node !== null) names.set(nodeId, node.path ?? node.name);
        }),
      );
      return { items, names };
    },
    [client, workspace.id],
  );
  useEventListener((event) => {
    if (event.type.startsWith('share.')) shares.reload();
  });
  return (
    <section aria-label="Share links" className="view">
      <header className="view-header">
        <h1>Share links</h1>
      </header>
      <ErrorMessage error={shares.error} />
      {shares.data === undefined && shares.loading ? <p className="muted">Loading…</p> : null}
      {shares.data !== undefined ? <ShareList shares={shares.data.items} names={shares.data.names} onRevoked={shares.reload} /> : null}
    </section>
  );
}
