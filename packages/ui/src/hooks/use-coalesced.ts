/**
 * @module hooks/use-coalesced
 * Turns a burst of calls (one per uploaded file, one per live event) into a
 * single call shortly after the burst, so a folder of 500 files reloads the
 * listing a handful of times instead of 500.
 */
import { useCallback, useEffect, useRef } from 'react';

export function useCoalesced(action: () => void, delayMs = 200): () => void {
  const actionRef = useRef(action);
  actionRef.current = action;
  const timer = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  return useCallback(() => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      actionRef.current();
    }, delayMs);
  }, [delayMs]);
}
