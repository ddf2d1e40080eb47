/**
 * @module console-app
 * The web console's root: the public share page at `/s/<token>`, otherwise
 * first-run set-up, sign-in, or the signed-in console, by what the server says.
 * Once signed in, a `?next=` naming this server's OAuth authorize page is
 * followed (see api/sign-in-next); any other `next` is ignored.
 */
import { createClient, type FerryClient, type Me } from '@ferry/core';
import { useEffect, useMemo, useState } from 'react';
import { errorCode } from './api/describe-error.js';
import { signInNextTarget } from './api/sign-in-next.js';
import { watchSession } from './api/session-watch.js';
import { ErrorMessage } from './components/error-message.js';
import { ApiContext, useApi, useLoader } from './hooks/use-api.js';
import { LocationContext, useBrowserLocation, useLocation } from './hooks/use-location.js';
import { ConsoleShell } from './views/console-shell.js';
import { FirstRunSetup } from './views/first-run-setup.js';
import { SharePage } from './views/share-page.js';
import { SignIn } from './views/sign-in.js';

type Session = { state: 'setup' } | { state: 'signed-out'; reason?: string } | { state: 'signed-in'; me: Me };

function SessionGate() {
  const client = useApi();
  const [override, setOverride] = useState<Session | null>(null);
  const session = useLoader<Session>(async (signal) => {
    const { needed } = await client.call('setupStatus', { signal });
    if (needed) return { state: 'setup' };
    try {
      return { state: 'signed-in', me: await client.call('me', { signal }) };
    } catch (error) {
      if (errorCode(error) === 'unauthenticated') return { state: 'signed-out' };
      throw error;
    }
  }, [client]);

  const current = override ?? session.data;
  const signedIn = (me: Me) => setOverride({ state: 'signed-in', me });
  const isSignedIn = current?.state === 'signed-in';
  const watchedClient = useMemo(
    () =>
      watchSession(client, () => {
        if (isSignedIn) setOverride({ state: 'signed-out', reason: 'Your session has ended. Sign in again to go on.' });
      }),
    [client, isSignedIn],
  );
  const continueTo = isSignedIn ? signInNextTarget(window.location.search, window.location.origin) : null;
  useEffect(() => {
    if (continueTo !== null) window.location.assign(continueTo);
  }, [continueTo]);
  if (current === undefined || continueTo !== null) {
    return (
      <main className="public-page">
        <div className="card">
          <p className="brand">Ferry</p>
          {session.loading || continueTo !== null ? <p className="muted">Connecting…</p> : null}
          <ErrorMessage error={session.error} />
          {session.error !== null ? (
            <button type="button" onClick={session.reload}>
              Try again
            </button>
          ) : null}
        </div>
      </main>
    );
  }
  if (current.state === 'setup') return <FirstRunSetup onSignedIn={signedIn} />;
  if (current.state === 'signed-out') return <SignIn onSignedIn={signedIn} notice={current.reason ?? null} />;
  return (
    <ApiContext.Provider value={watchedClient}>
      <ConsoleShell me={current.me} onSignedOut={() => setOverride({ state: 'signed-out' })} />
    </ApiContext.Provider>
  );
}

function Routes() {
  const { pathname } = useLocation();
  const shareToken = /^\/s\/([^/]+)\/?$/.exec(pathname)?.[1];
  if (shareToken !== undefined) return <SharePage token={decodeURIComponent(shareToken)} />;
  return <SessionGate />;
}

export interface ConsoleAppProps {
  /** The server's origin, e.g. window.location.origin. */
  baseUrl: string;
  /** A client to use instead of the built-in same-origin one (tests, other hosts). */
  client?: FerryClient;
}

export function ConsoleApp({ baseUrl, client }: ConsoleAppProps) {
  const api = useMemo(() => client ?? createClient({ baseUrl }), [baseUrl, client]);
  const location = useBrowserLocation();
  return (
    <ApiContext.Provider value={api}>
      <LocationContext.Provider value={location}>
        <Routes />
      </LocationContext.Provider>
    </ApiContext.Provider>
  );
}
