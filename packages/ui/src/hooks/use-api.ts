/**
 * @module hooks/use-api
 * The API client for the views (a React context), and `useLoader`, which runs
 * an async read, keeps its result or error, and can run it again.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { FerryClient } from '@ferry/core';

export const ApiContext = createContext<FerryClient | null>(null);

export function useApi(): FerryClient {
  const client = useContext(ApiContext);
  if (client === null) throw new Error('useApi() needs an <ApiContext.Provider> above it.');
  return client;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change (and on `reload()`); a stale answer never
 * overwrites a newer one. The caller's `deps` alone decide when to load again.
 */
export function useLoader<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ data: previous.data, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}
