/**
 * @module testing/crash-child
 * A sync run in a child process that kills itself with SIGKILL at a chosen
 * point: before or after a driver change, or in the middle of writing a
 * file. Used by the crash tests: kill -9 at any point, rerun, invariants hold.
 *
 * Usage (bundled by the crash test): node crash-child.mjs '{"a":"<root>","b":"<root>","state":"<file>","crashAt":7}'
 * Prints `completed <points>` when it reached the end without crashing.
 */
import { z } from 'zod';
import type { ByteStream, DriverEntry, EntryRef, SyncDriver, WriteOptions } from '../driver.js';
import { LocalDriver } from '../drivers/local.js';
import { runSync } from '../engine.js';

const argumentsSchema = z.object({ a: z.string(), b: z.string(), state: z.string(), crashAt: z.number().int() });

let points = 0;
let crashAt = Number.POSITIVE_INFINITY;

function point(): void {
  points++;
  if (points === crashAt) process.kill(process.pid, 'SIGKILL');
}

/** Wraps a driver so every change passes crash points before and after it. */
function crashing(driver: SyncDriver): SyncDriver {
  const wrapped: SyncDriver = Object.create(driver) as SyncDriver;
  const around = async <T>(work: () => Promise<T>): Promise<T> => {
    point();
    const result = await work();
    point();
    return result;
  };
  wrapped.write = (path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry> =>
    around(() =>
      driver.write(
        path,
        (async function* () {
          for await (const chunk of content) {
            yield chunk;
            point(); // after a chunk reached the temp file
          }
        })(),
        options,
      ),
    );
  wrapped.move = (from: EntryRef, to: string) => around(() => driver.move(from, to));
  wrapped.delete = (entry: EntryRef) => around(() => driver.delete(entry));
  wrapped.mkdir = (path: string) => around(() => driver.mkdir(path));
  return wrapped;
}

const parsed = argumentsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
crashAt = parsed.crashAt;
const summary = await runSync({
  a: crashing(new LocalDriver({ root: parsed.a, fsync: false })),
  b: crashing(new LocalDriver({ root: parsed.b, fsync: false })),
  state: parsed.state,
  deleteGuard: false,
});
process.stdout.write(`completed ${points} ${summary.failed}\n`);
