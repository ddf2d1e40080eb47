/**
 * @module hooks/use-workspace-events
 * The live event feed of a workspace: the recent history from `listEvents`,
 * then every new event from the SSE stream (`EventSource`), which resumes
 * by itself after a dropped connection. Views read `events` or subscribe.
 */
import { eventSchema, eventTypeSchema, type FerryEvent } from '@ferry/core';
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { useApi } from './use-api.js';

export type FeedStatus = 'loading' | 'live' | 'reconnecting' | 'closed';

export interface WorkspaceEvents {
  /** Oldest first, at most `keep` of them. */
  events: FerryEvent[];
  status: FeedStatus;
  error: unknown;
  subscribe(listener: (event: FerryEvent) => void): () => void;
}

const keep = 200;
const historyPageSize = 1000;
const historyPageLimit = 20;

export const WorkspaceEventsContext = createContext<WorkspaceEvents | null>(null);

export function useWorkspaceEventsContext(): WorkspaceEvents {
  const feed = useContext(WorkspaceEventsContext);
  if (feed === null) throw new Error('useWorkspaceEventsContext() needs a <WorkspaceEventsContext.Provider> above it.');
  return feed;
}

/** Calls `listener` for every new event of the workspace while mounted. */
export function useEventListener(listener: (event: FerryEvent) => void): void {
  const { subscribe } = useWorkspaceEventsContext();
  const listenerRef = useRef(listener);
  listenerRef.current = listener;
  useEffect(() => subscribe((event) => listenerRef.current(event)), [subscribe]);
}

export function useWorkspaceEvents(workspaceId: string): WorkspaceEvents {
  const client = useApi();
  const [events, setEvents] = useState<FerryEvent[]>([]);
  const [status, setStatus] = useState<FeedStatus>('loading');
  const [error, setError] = useState<unknown>(null);
  const listeners = useRef(new Set<(event: FerryEvent) => void>());

  useEffect(() => {
    const controller = new AbortController();
    let source: EventSource | null = null;
    let lastSeq = 0;
    setEvents([]);
    setStatus('loading');
    setError(null);

    const accept = (incoming: FerryEvent[], live: boolean) => {
      const fresh = incoming.filter((event) => event.seq > lastSeq);
      if (fresh.length === 0) return;
      lastSeq = fresh[fresh.length - 1]?.seq ?? lastSeq;
      setEvents((previous) => [...previous, ...fresh].slice(-keep));
      if (live) for (const event of fresh) for (const listener of listeners.current) listener(event);
    };

    const onMessage = (message: MessageEvent<string>) => {
      try {
        const parsed = eventSchema.safeParse(JSON.parse(message.data));
        if (parsed.success) accept([parsed.data], true);
      } catch {
        // a keep-alive or a line that is not an event: nothing to show
      }
    };

    const start = async () => {
      let cursor: string | undefined;
      for (let page = 0; page < historyPageLimit; page += 1) {
        const answer = await client.call('listEvents', {
          params: { workspaceId },
          query: { cursor, limit: historyPageSize },
          signal: controller.signal,
        });
        accept(answer.events, false);
        cursor = answer.nextCursor;
        if (answer.events.length < historyPageSize) break;
      }
      if (controller.signal.aborted) return;
      source = new EventSource(client.url('streamEvents', { params: { workspaceId }, query: { cursor } }));
      for (const type of [...eventTypeSchema.options, 'message']) source.addEventListener(type, onMessage);
      source.onopen = () => {
        setStatus('live');
        setError(null);
      };
      source.onerror = () => setStatus(source?.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    };

    start().catch((failure: unknown) => {
      if (controller.signal.aborted) return;
      setError(failure);
      setStatus('closed');
    });
    return () => {
      controller.abort();
      source?.close();
    };
  }, [client, workspaceId]);

  const subscribe = useCallback((listener: (event: FerryEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  return { events, status, error, subscribe };
}
