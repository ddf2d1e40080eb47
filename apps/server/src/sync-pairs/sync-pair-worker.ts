/**
 * @module sync-pairs/sync-pair-worker
 * Runs the sync pairs of one process: a JobWorker with the pair-run handler,
 * woken when a pair is scheduled (`$sync-pairs` on the hub) and by changes in
 * workspaces that have pairs. A change starts a run of the pairs whose folder
 * it touched, after `debounceMs` of quiet (a burst of uploads is one run).
 * Runs on the interval come from the jobs table (each run schedules the next).
 */
import type { ServerContext } from '../context.js';
import { isSelfOrDescendant } from '../files/node-paths.js';
import { JobWorker } from '../jobs/job-worker.js';
import { defaultRunPolicy, pairRunHandler, type PairRunPolicy } from './pair-runner.js';
import { schedulePairRun, syncPairJobKind, syncPairWakeKey } from './pair-store.js';

export interface SyncPairWorkerOptions {
  /** The address this server answers on (the workspace side of a pair goes through the REST API). */
  selfUrl?: string;
  pollMs?: number;
  debounceMs?: number;
  policy?: Partial<PairRunPolicy>;
}

export class SyncPairWorker {
  readonly jobs: JobWorker;
  readonly #ctx: ServerContext;
  readonly #debounceMs: number;
  readonly #subscriptions = new Map<string, () => void>();
  readonly #debounces = new Map<string, NodeJS.Timeout>();
  #running = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(ctx: ServerContext, options: SyncPairWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#debounceMs = options.debounceMs ?? 2000;
    const selfUrl = () => options.selfUrl ?? ctx.config.publicUrl ?? `http://127.0.0.1:${ctx.config.port}`;
    this.jobs = new JobWorker({
      db: ctx.db,
      clock: ctx.clock,
      handlers: { [syncPairJobKind]: pairRunHandler(ctx, selfUrl, { ...defaultRunPolicy, ...options.policy }, new Set()) },
      concurrency: 4,
      batchSize: 4,
      pollMs: options.pollMs ?? 1000,
      // A big first sync can take long; a crashed worker's pair waits this long before another takes it.
      leaseMs: 30 * 60_000,
      log: ctx.log,
    });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#subscriptions.set(syncPairWakeKey, this.#ctx.hub.subscribe(syncPairWakeKey, () => this.#refresh()));
    this.jobs.start();
    this.#refresh();
    this.#timer = setInterval(() => this.#refresh(), 30_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) clearInterval(this.#timer);
    for (const timer of this.#debounces.values()) clearTimeout(timer);
    this.#debounces.clear();
    for (const unsubscribe of this.#subscriptions.values()) unsubscribe();
    this.#subscriptions.clear();
    await this.jobs.stop();
  }

  /** Runs every pair job due at the clock's current time (tests walking a simulated clock). */
  async runDue(): Promise<number> {
    return this.jobs.runDue();
  }

  /**
   * Schedules a run now for each pair of the workspace whose folder saw a
   * change since its last run (the event feed after `last_event_seq`); answers their ids.
   * A run's own writes land in the feed too, so a run that changed the
   * workspace is followed by one cheap no-change run.
   */
  async runChangedPairs(workspaceId: string): Promise<string[]> {
    const { db, clock } = this.#ctx;
    const pairs = await db.selectFrom('sync_pairs').selectAll().where('workspace_id', '=', workspaceId).where('paused', '=', 0).where('status', '!=', 'running').execute();
    const scheduled: string[] = [];
    for (const pair of pairs) {
      // Own writes of the pair's runs also land in the feed; a no-change run after them is cheap and settles the feed position.
      if (pair.circuit === 'open') continue;
      const events = await db.selectFrom('events').select('payload').where('workspace_id', '=', workspaceId).where('seq', '>', pair.last_event_seq).orderBy('seq').limit(200).execute();
      let touched = false;
      for (const event of events) {
        const nodeId = nodeIdOf(event.payload);
        if (nodeId !== null && (await isSelfOrDescendant(db, nodeId, pair.folder_id))) {
          touched = true;
          break;
        }
      }
      if (!touched) continue;
      const now = clock.now();
      await schedulePairRun(db, pair.id, now, now);
      scheduled.push(pair.id);
    }
    if (scheduled.length > 0) this.jobs.wake();
    return scheduled;
  }

  #refresh(): void {
    if (!this.#running) return;
    this.jobs.wake();
    void this.#refreshSubscriptions().catch((error: unknown) => this.#ctx.log.warn({ err: error }, 'sync pairs: refreshing subscriptions failed'));
  }

  #onWorkspaceChange(workspaceId: string): void {
    const pending = this.#debounces.get(workspaceId);
    if (pending !== undefined) clearTimeout(pending);
    const timer = setTimeout(() => {
      this.#debounces.delete(workspaceId);
      if (!this.#running) return;
      void this.runChangedPairs(workspaceId).catch((error: unknown) => this.#ctx.log.warn({ err: error }, 'sync pairs: change-driven scheduling failed'));
    }, this.#debounceMs);
    timer.unref();
    this.#debounces.set(workspaceId, timer);
  }

  async #refreshSubscriptions(): Promise<void> {
    const rows = await this.#ctx.db.selectFrom('sync_pairs').select('workspace_id').distinct().execute();
    if (!this.#running) return;
    const wanted = new Set(rows.map((row) => row.workspace_id));
    for (const [key, unsubscribe] of this.#subscriptions) {
      if (key !== syncPairWakeKey && !wanted.has(key)) {
        unsubscribe();
        this.#subscriptions.delete(key);
      }
    }
    for (const workspaceId of wanted) {
      if (!this.#subscriptions.has(workspaceId)) this.#subscriptions.set(workspaceId, this.#ctx.hub.subscribe(workspaceId, () => this.#onWorkspaceChange(workspaceId)));
    }
  }
}

/** The node id an event is about (`node.id` of its payload), when it names one. */
function nodeIdOf(payload: string): string | null {
  const parsed: unknown = JSON.parse(payload);
  if (typeof parsed !== 'object' || parsed === null || !('node' in parsed)) return null;
  const node = parsed.node;
  if (typeof node !== 'object' || node === null || !('id' in node) || typeof node.id !== 'string') return null;
  return node.id;
}
