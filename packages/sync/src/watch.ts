/**
 * @module watch
 * `--watch`: sync once, then again whenever a side reports a change (its
 * `watch`, e.g. the local file-system watcher) or, for sides without one,
 * every `pollIntervalMs`. Changes are debounced; runs never overlap (a change
 * during a run schedules one more run). A failed run (a guard, an unreachable
 * side) is reported and retried on the next change or poll.
 */
import type { SyncDriver } from './driver.js';
import { runSync, type SyncOptions, type SyncSummary } from './engine.js';

export interface WatchOptions extends SyncOptions {
  /** Quiet time after the last change before a run starts (default 300 ms). */
  readonly debounceMs?: number;
  /** How often to run when a side cannot push changes (default 30 s). */
  readonly pollIntervalMs?: number;
  /** Stops watching. */
  readonly signal: AbortSignal;
  /** Called after each run with its summary or its error. */
  readonly onRun?: (result: { ok: true; summary: SyncSummary } | { ok: false; error: unknown }) => void;
}

/** Runs until `options.signal` aborts. */
export async function watchSync(options: WatchOptions): Promise<void> {
  const { signal } = options;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let idle: (() => void) | undefined;

  const runOnce = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      try {
        options.onRun?.({ ok: true, summary: await runSync(options) });
      } catch (error) {
        options.onRun?.({ ok: false, error });
      }
    } while (again && !signal.aborted);
    running = false;
    idle?.();
  };
  const schedule = (): void => {
    if (signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => void runOnce(), options.debounceMs ?? 300);
  };

  const stops: Array<() => Promise<void>> = [];
  const pushers = [options.a, options.b].filter((driver): driver is SyncDriver & Required<Pick<SyncDriver, 'watch'>> => driver.watch !== undefined);
  for (const driver of pushers) stops.push(await driver.watch(schedule));
  const poll = pushers.length < 2 ? setInterval(schedule, options.pollIntervalMs ?? 30_000) : undefined;

  await runOnce();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  clearInterval(poll);
  for (const stop of stops) await stop();
  if (running) await new Promise<void>((resolve) => (idle = resolve));
}
