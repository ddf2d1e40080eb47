/**
 * @module commands/sync
 * `ferry sync A B`: two-way sync of two replicas (local folders, Ferry
 * workspace folders, Google Drive, Dropbox) in one run, or `--watch` to keep
 * syncing as either side changes. The pair's state lives in a small SQLite
 * file. Prints one line per action (JSON lines with --json, ending with a
 * summary) and, on a terminal, a progress bar.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError } from '@ferry/core/errors';
import type { ActionRecord, ConflictPolicy, SyncOptions, SyncProgress, SyncSummary } from '@ferry/sync/local';
import { type Command, Option } from 'commander';
import { CommandExit } from '../command-exit.js';
import { exitCodeFor, messageFor, UsageError } from '../exit-codes.js';
import { formatBytes, type Output } from '../output.js';
import { TransferProgress } from '../progress.js';
import { addressHelp, parseReplicaAddress, stateFileFor } from '../replica-address.js';
import { globalsOf, outputFor, type CliRuntime } from '../runtime.js';

/** The engine and the local driver load on first use, so that other commands start without them (other drivers load when an address needs them). */
const loadEngine = async () => ({ ...(await import('@ferry/sync/local')), ...(await import('../sync-replicas.js')) });
type Engine = Awaited<ReturnType<typeof loadEngine>>;

/** Exit code of a run that finished but left per-file issues, failures or conflicts to look at. */
export const syncIssuesExitCode = 7;

interface SyncCommandOptions {
  watch?: boolean;
  dryRun?: boolean;
  conflict: string;
  deleteGuard: string;
  transfers: string;
  labels?: string;
  state?: string;
  gdriveUrl?: string;
  gdriveToken?: string;
  dropboxUrl?: string;
  dropboxToken?: string;
}

const helpText = `
${addressHelp}

Google Drive and Dropbox connection names will resolve through the server's
connections; until then the CLI talks to the provider API given by
--gdrive-url/--gdrive-token (FERRY_GDRIVE_API_URL, FERRY_GDRIVE_TOKEN) or
--dropbox-url/--dropbox-token (FERRY_DROPBOX_API_URL, FERRY_DROPBOX_TOKEN),
e.g. the URLs and tokens printed by "ferry emulators". A Ferry side uses
--token / FERRY_TOKEN.

A .ferryignore file (gitignore syntax) at the root of either side keeps
matching paths out of the sync.

A local folder that does not exist is made on the pair's first run. Once the
pair has synced, a missing folder stops the run with exit code 3 instead (it
may have been moved, or be on a drive that is not mounted).

State: <dir>/<sha256 of the pair>.db, <dir> being --state or
$XDG_STATE_HOME/ferry/sync (~/.local/state/ferry/sync).

Exit codes of sync: 0 all synced; ${syncIssuesExitCode} the run finished but some files
failed, could not be synced as named, or conflicted (see the report); 5 the
delete guard stopped the run or another run of the pair is going on; others
as for every command.

Examples:
  ferry sync ~/Team ferry://files.example.com:8080/design/specs
  ferry sync --watch ./notes ferrys://files.example.com/team/notes
  ferry sync --dry-run --conflict newer ./a ./b`;

function parseDeleteGuard(raw: string): SyncOptions['deleteGuard'] {
  if (raw === 'off') return false;
  const percent = Number(raw.replace(/%$/, ''));
  if (!Number.isFinite(percent) || percent <= 0 || percent > 100) throw new UsageError('--delete-guard takes a percentage from 1 to 100, or "off".');
  return { maxShare: percent / 100 };
}

function parseTransfers(raw: string): number {
  const transfers = Number(raw);
  if (!Number.isInteger(transfers) || transfers < 1 || transfers > 64) throw new UsageError(`--transfers takes a whole number from 1 to 64, not "${raw}".`);
  return transfers;
}

function parseConflict(raw: string, conflictPolicies: readonly ConflictPolicy[]): ConflictPolicy {
  const policy = conflictPolicies.find((name) => name === raw);
  if (policy === undefined) throw new UsageError(`--conflict must be one of ${conflictPolicies.join(', ')}, not "${raw}".`);
  return policy;
}

function parseLabels(raw: string | undefined, defaults: [string, string]): { a: string; b: string } {
  if (raw === undefined) {
    const [a, b] = defaults;
    return a === b ? { a: `${a} a`, b: `${b} b` } : { a, b };
  }
  const parts = raw.split(',').map((part) => part.trim());
  const [a, b] = parts;
  if (parts.length !== 2 || !a || !b || a === b) throw new UsageError('--labels takes two different names separated by a comma, e.g. --labels laptop,server.');
  if (/[/\\]/.test(a + b)) throw new UsageError('--labels may not contain "/" or "\\" (they become part of file names).');
  return { a, b };
}

function describeRecord(record: ActionRecord, labels: { a: string; b: string }): string {
  const where = record.side === null ? '' : ` (${labels[record.side]})`;
  const target = record.to !== undefined ? ` -> ${record.to}` : '';
  const status = record.status === 'failed' ? `  FAILED: ${record.error?.message ?? 'unknown error'}` : '';
  return `${record.status === 'planned' ? 'would ' : ''}${record.action}${where} ${record.path}${target}${status}`;
}

/**
 * Makes the local folders that do not exist yet, on a pair's first run only. Once the pair has synced (its state
 * holds a base), a missing folder was more likely moved, renamed or left on a drive that is not mounted: an empty
 * folder made in its place would look as if every file had been deleted there, so Ferry says so and stops instead.
 */
async function makeMissingRoots(roots: ReadonlyArray<string | undefined>, state: string, stateStore: Engine['StateStore']): Promise<void> {
  const missing = roots.filter((root): root is string => root !== undefined);
  const [first] = missing;
  if (first === undefined) return;
  if (existsSync(state)) {
    const store = stateStore.open(state);
    let synced: number;
    try {
      synced = store.baseSize();
    } finally {
      store.close();
    }
    if (synced > 0) {
      throw new FerryError(
        'folder_not_found',
        `The folder ${first} is missing, and this pair has synced ${synced} entries before. If it was moved or renamed, or is on a drive that is not mounted, put it back and run again. To fill it again from the other side, create the empty folder and remove the pair's state file (${state}).`,
      );
    }
  }
  for (const root of missing) await mkdir(root, { recursive: true });
}

function summaryLine(summary: SyncSummary): string {
  const verbs = summary.dryRun ? ['to copy', 'to move', 'to delete'] : ['copied', 'moved', 'deleted'];
  const parts = [`${summary.copied} ${verbs[0]}`, `${summary.moved} ${verbs[1]}`, `${summary.deleted} ${verbs[2]}`, `${summary.conflicts} conflicts`, `${summary.failed} failed`, `${summary.issues.length} issues`];
  const skipped = summary.skipped.length + summary.skippedUnlisted;
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return `${summary.dryRun ? 'Plan' : 'Synced'}: ${parts.join(', ')}, ${formatBytes(summary.bytes)} in ${(summary.durationMs / 1000).toFixed(1)} s`;
}

function summaryRecord(summary: SyncSummary): Record<string, unknown> {
  const { records, ...rest } = summary;
  return { type: 'summary', actions: records.length, ...rest };
}

function needsAttention(summary: SyncSummary): boolean {
  return summary.failed > 0 || summary.conflicts > 0 || summary.issues.length > 0;
}

/** Feeds the engine's progress into a terminal bar, created once the plan's totals are known. */
function progressReporter(output: Output, runtime: CliRuntime): { onProgress: (progress: SyncProgress) => void; line: (text: string) => void; finish: () => void } {
  let bar: TransferProgress | null = null;
  const stdoutIsTerminal = 'isTTY' in runtime.stdout && runtime.stdout.isTTY === true;
  let files = 0;
  let bytes = 0;
  return {
    onProgress: (progress) => {
      if (output.json || !output.interactive || progress.phase !== 'applying' || progress.filesTotal === 0) return;
      bar ??= new TransferProgress(runtime.stderr, { files: progress.filesTotal, bytes: progress.bytesTotal }, 'Synced');
      if (progress.bytesDone > bytes) bar.addBytes(progress.bytesDone - bytes);
      for (; files < progress.filesDone; files++) bar.fileDone();
      bytes = progress.bytesDone;
    },
    // On one terminal, a line goes above the bar instead of through it.
    line: (text) => {
      if (bar !== null && stdoutIsTerminal) bar.note(text);
      else runtime.stdout.write(`${text}\n`);
    },
    finish: () => {
      bar?.finish();
      bar = null;
      files = 0;
      bytes = 0;
    },
  };
}

function reportSummary(output: Output, summary: SyncSummary, labels: { a: string; b: string }): void {
  if (!output.json) {
    for (const skipped of summary.skipped) output.info(`skipped (${labels[skipped.side]}) ${skipped.path}: ${skipped.reason}`);
    if (summary.skippedUnlisted > 0) output.info(`skipped: ${summary.skippedUnlisted} more entries that are not files or folders`);
    for (const issue of summary.issues) output.info(`issue (${labels[issue.side]}) ${issue.path}: ${issue.problem}`);
  }
  if (output.json) output.item(summaryRecord(summary), () => '');
  else output.info(summaryLine(summary));
}

async function runWatching(watchSync: Engine['watchSync'], options: SyncOptions, output: Output, runtime: CliRuntime, labels: { a: string; b: string }, finish: () => void): Promise<void> {
  const controller = new AbortController();
  let stop = runtime.onInterrupt(() => {
    stop();
    if (!output.json) output.info('Stopping after the current run... (Ctrl-C again stops at once)');
    // A second signal while the last run finishes exits at once; the state store resumes next time.
    stop = runtime.onInterrupt(() => process.exit(130));
    controller.abort();
  });
  // Skipped entries are told when they change (the first run included), not after every empty run.
  let skippedTold = '[]0';
  try {
    await watchSync({
      ...options,
      signal: controller.signal,
      onRun: (result) => {
        finish();
        if (result.ok) {
          const skipped = `${JSON.stringify(result.summary.skipped)}${result.summary.skippedUnlisted}`;
          if (result.summary.records.length > 0 || result.summary.issues.length > 0 || skipped !== skippedTold) reportSummary(output, result.summary, labels);
          skippedTold = skipped;
        } else if (output.json) {
          const code = result.error instanceof Error && 'code' in result.error && typeof result.error.code === 'string' ? result.error.code : 'error';
          output.item({ type: 'error', code, message: messageFor(result.error), exitCode: exitCodeFor(result.error) }, () => '');
        } else output.info(`ferry: sync run failed: ${messageFor(result.error)}; trying again on the next change.`);
      },
    });
  } finally {
    stop();
  }
}

export function registerSync(program: Command, runtime: CliRuntime): void {
  program
    .command('sync')
    .description('Two-way sync of two replicas (local folders, Ferry, Google Drive, Dropbox); once, or --watch.')
    .argument('<a>', 'the first replica address')
    .argument('<b>', 'the second replica address')
    .option('--watch', 'keep running and sync whenever either side changes (stop with Ctrl-C)')
    .option('--dry-run', 'show the plan, change nothing')
    .addOption(new Option('--conflict <policy>', 'when both sides changed a file: keep-both (a conflicted copy), newer, a, b').default('keep-both'))
    .option('--delete-guard <percent>', 'stop when one run would delete more than this share of a side\'s files, or "off"', '50')
    .option('--transfers <n>', 'file copies in flight at once (1 to 64)', '4')
    .option('--labels <a,b>', 'names of the two sides in messages and conflicted copies')
    .option('--state <dir>', 'folder of the pair\'s state file (default $XDG_STATE_HOME/ferry/sync)')
    .option('--gdrive-url <url>', 'Google Drive API URL for gdrive: sides (FERRY_GDRIVE_API_URL)')
    .option('--gdrive-token <token>', 'Google Drive access token (FERRY_GDRIVE_TOKEN)')
    .option('--dropbox-url <url>', 'Dropbox API URL for dropbox: sides (FERRY_DROPBOX_API_URL)')
    .option('--dropbox-token <token>', 'Dropbox access token (FERRY_DROPBOX_TOKEN)')
    .addHelpText('after', helpText)
    .action(async (rawA: string, rawB: string, options: SyncCommandOptions, command: Command) => {
      const output = outputFor(runtime, command);
      const env = runtime.env;
      const engine = await loadEngine();
      const conflictPolicy = parseConflict(options.conflict, engine.conflictPolicies);
      const deleteGuard = parseDeleteGuard(options.deleteGuard);
      const transfers = parseTransfers(options.transfers);
      if (options.watch && options.dryRun) throw new UsageError('--watch and --dry-run do not go together.');
      const addressA = parseReplicaAddress(rawA, process.cwd());
      const addressB = parseReplicaAddress(rawB, process.cwd());
      const settings = {
        ferryToken: globalsOf(command).token ?? env.FERRY_TOKEN,
        gdriveUrl: options.gdriveUrl ?? env.FERRY_GDRIVE_API_URL,
        gdriveToken: options.gdriveToken ?? env.FERRY_GDRIVE_TOKEN,
        dropboxUrl: options.dropboxUrl ?? env.FERRY_DROPBOX_API_URL,
        dropboxToken: options.dropboxToken ?? env.FERRY_DROPBOX_TOKEN,
      };
      const context = { runtime, output, createRoot: options.dryRun !== true };
      const a = await engine.openReplica(addressA, settings, context);
      const b = await engine.openReplica(addressB, settings, context).catch(async (error: unknown) => {
        await a.close?.();
        throw error;
      });
      if (a.canonical === b.canonical) throw new UsageError('Both addresses name the same replica.');
      const labels = parseLabels(options.labels, [a.label, b.label]);
      const state = stateFileFor(a.canonical, b.canonical, env, options.state);
      await mkdir(dirname(state), { recursive: true });
      await makeMissingRoots([a.missingRoot, b.missingRoot], state, engine.StateStore);

      const progress = progressReporter(output, runtime);
      const syncOptions: SyncOptions = {
        a: a.driver,
        b: b.driver,
        state,
        labels,
        conflictPolicy,
        deleteGuard,
        transfers,
        dryRun: options.dryRun === true,
        onProgress: progress.onProgress,
        onAction: (record) => {
          if (output.json) output.item({ type: 'action', ...record }, () => '');
          else progress.line(describeRecord(record, labels));
        },
      };
      try {
        if (options.watch) {
          await runWatching(engine.watchSync, syncOptions, output, runtime, labels, progress.finish);
          return;
        }
        const summary = await engine.runSync(syncOptions).finally(progress.finish);
        reportSummary(output, summary, labels);
        if (needsAttention(summary)) throw new CommandExit(syncIssuesExitCode);
      } finally {
        await Promise.all([a.close?.(), b.close?.()]);
      }
    });
}
