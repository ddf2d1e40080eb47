/**
 * @module views/console-shell
 * The signed-in console: header (workspace, navigation, sign out), the live
 * event feed of the chosen workspace, and the view the URL names.
 */
import type { Me, Workspace } from '@ferry/core';
import { useEffect, useState } from 'react';
import { ErrorMessage } from '../components/error-message.js';
import { folderPathFromHref } from '../format.js';
import { useApi } from '../hooks/use-api.js';
import { useLinkClick, useLocation } from '../hooks/use-location.js';
import { useWorkspaceEvents, WorkspaceEventsContext } from '../hooks/use-workspace-events.js';
import { ActivityView } from './activity.js';
import { AnalyticsView } from './analytics.js';
import { ConnectionsView } from './connections.js';
import { FileBrowser } from './file-browser.js';
import { MarketplaceView } from './marketplace.js';
import { SharesView } from './shares.js';
import { TrashView } from './trash.js';

const workspaceKey = 'ferry.console.workspace';
const sections = [
  { href: '/files', label: 'Files' },
  { href: '/shares', label: 'Share links' },
  { href: '/activity', label: 'Activity' },
  { href: '/trash', label: 'Trash' },
  { href: '/marketplace', label: 'Marketplace' },
  { href: '/analytics', label: 'Analytics' },
  { href: '/connections', label: 'Connections' },
] as const;

function CurrentView({ workspace }: { workspace: Workspace }) {
  const { pathname, navigate } = useLocation();
  const onLinkClick = useLinkClick();
  const isRoot = pathname === '/' || pathname === '';
  useEffect(() => {
    if (isRoot) navigate('/files', { replace: true });
  }, [isRoot, navigate]);

  if (isRoot) return null;
  if (pathname === '/files' || pathname.startsWith('/files/')) return <FileBrowser workspace={workspace} path={folderPathFromHref(pathname)} />;
  if (pathname === '/trash') return <TrashView workspace={workspace} />;
  if (pathname === '/activity') return <ActivityView />;
  if (pathname === '/shares') return <SharesView workspace={workspace} />;
  if (pathname === '/marketplace' || pathname.startsWith('/marketplace/')) return <MarketplaceView workspace={workspace} pathname={pathname} />;
  if (pathname === '/analytics') return <AnalyticsView workspace={workspace} />;
  if (pathname === '/connections') return <ConnectionsView workspace={workspace} />;
  return (
    <section className="view" aria-label="Not found">
      <h1>Page not found</h1>
      <p>
        There is nothing at {pathname}.{' '}
        <a href="/files" onClick={onLinkClick}>
          Go to your files
        </a>
        .
      </p>
    </section>
  );
}

function WorkspaceConsole({ workspace }: { workspace: Workspace }) {
  const feed = useWorkspaceEvents(workspace.id);
  return (
    <WorkspaceEventsContext.Provider value={feed}>
      <main className="console-main">
        <CurrentView key={workspace.id} workspace={workspace} />
      </main>
    </WorkspaceEventsContext.Provider>
  );
}

export function ConsoleShell({ me, onSignedOut }: { me: Me; onSignedOut(): void }) {
  const client = useApi();
  const { pathname } = useLocation();
  const onLinkClick = useLinkClick();
  const [workspaceId, setWorkspaceId] = useState(() => window.localStorage.getItem(workspaceKey) ?? '');
  const [error, setError] = useState<unknown>(null);
  const workspace = me.workspaces.find((candidate) => candidate.id === workspaceId) ?? me.workspaces[0];

  const chooseWorkspace = (id: string) => {
    window.localStorage.setItem(workspaceKey, id);
    setWorkspaceId(id);
  };

  const signOut = async () => {
    setError(null);
    try {
      await client.call('logout');
      onSignedOut();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div className="console">
      <header className="console-header">
        <span className="brand">Ferry</span>
        {me.workspaces.length > 1 ? (
          <label className="workspace-picker">
            <span className="visually-hidden">Workspace</span>
            <select value={workspace?.id ?? ''} onChange={(event) => chooseWorkspace(event.target.value)}>
              {me.workspaces.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="workspace-name">{workspace?.name}</span>
        )}
        <nav aria-label="Sections" className="console-nav">
          {sections.map((section) => (
            <a
              key={section.href}
              href={section.href}
              onClick={onLinkClick}
              aria-current={pathname === section.href || pathname.startsWith(`${section.href}/`) ? 'page' : undefined}
            >
              {section.label}
            </a>
          ))}
        </nav>
        <span className="user" title={me.user.email}>
          {me.user.name || me.user.email}
        </span>
        <button type="button" className="button-quiet" onClick={signOut}>
          Sign out
        </button>
      </header>
      <ErrorMessage error={error} />
      {workspace === undefined ? (
        <main className="console-main">
          <p className="empty">You are not a member of any workspace yet. Ask an admin to add you.</p>
        </main>
      ) : (
        <WorkspaceConsole key={workspace.id} workspace={workspace} />
      )}
    </div>
  );
}
