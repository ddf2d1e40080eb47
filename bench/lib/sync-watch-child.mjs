// @module bench/lib/sync-watch-child
// `watchSync` of two local folders in its own process (as `ferry sync --watch`
// would run). Prints "ready" after the first run, then one JSON line per run;
// stops on SIGTERM.
import { LocalDriver, watchSync } from '@ferry/sync';

const [a, b, state] = process.argv.slice(2);
if (!a || !b || !state) throw new Error('usage: sync-watch-child.mjs A B STATE');
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
let first = true;
await watchSync({
  a: new LocalDriver({ root: a }),
  b: new LocalDriver({ root: b }),
  state,
  signal: controller.signal,
  onRun: (result) => {
    if (first) process.stdout.write('ready\n');
    first = false;
    if (!result.ok) process.stderr.write(`run failed: ${String(result.error)}\n`);
  },
});
