/**
 * @module views/activity
 * The workspace's event feed, newest first, updated live from the SSE
 * stream without a reload.
 */
import type { FerryEvent } from '@ferry/core';
import { ErrorMessage } from '../components/error-message.js';
import { formatDateTime } from '../format.js';
import { useWorkspaceEventsContext, type FeedStatus } from '../hooks/use-workspace-events.js';

const statusLabels: Record<FeedStatus, string> = {
  loading: 'Loading…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Known types read as sentences; a type added later shows as its name. */
const verbs: Partial<Record<FerryEvent['type'], string>> = {
  'file.created': 'File added',
  'file.updated': 'File updated',
  'file.moved': 'File moved',
  'file.deleted': 'File deleted',
  'file.restored': 'File restored',
  'folder.created': 'Folder created',
  'folder.moved': 'Folder moved',
  'folder.deleted': 'Folder deleted',
  'folder.restored': 'Folder restored',
  'share.created': 'Share link created',
  'share.revoked': 'Share link revoked',
  'member.added': 'Member added',
  'member.removed': 'Member removed',
};

/** A move within the same folder is a rename. */
function verbOf(event: FerryEvent): string {
  if (event.type.endsWith('.moved') && event.from !== undefined && event.node !== undefined && event.from.parentId === event.node.parentId) {
    return event.type.startsWith('file.') ? 'File renamed' : 'Folder renamed';
  }
  return verbs[event.type] ?? event.type;
}

function subjectOf(event: FerryEvent): string {
  const where = event.node?.path ?? event.node?.name ?? '';
  if (event.from !== undefined && (event.type.endsWith('.moved') || event.type === 'file.updated')) {
    const before = event.from.path ?? event.from.name;
    if (before !== where && where !== '') return `${before} → ${where}`;
  }
  return where;
}

export function ActivityView() {
  const feed = useWorkspaceEventsContext();
  const newestFirst = [...feed.events].reverse();
  return (
    <section aria-label="Activity" className="view">
      <header className="view-header">
        <h1>Activity</h1>
        <span className={`feed-status feed-${feed.status}`} role="status">
          {statusLabels[feed.status]}
        </span>
      </header>
      <ErrorMessage error={feed.error} />
      {newestFirst.length === 0 && feed.status !== 'loading' ? <p className="empty">Nothing has happened in this workspace yet.</p> : null}
      <ol className="activity-list" aria-label="Events">
        {newestFirst.map((event) => (
          <li key={event.seq} className="activity">
            <span className="activity-verb">{verbOf(event)}</span>
            <span className="activity-subject">{subjectOf(event)}</span>
            <span className="muted activity-meta">
              {formatDateTime(event.at)} · {event.source}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
