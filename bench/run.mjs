// @module bench/run
// `pnpm bench [suite...]`: builds Ferry, then runs the named suites (all by default).
import { execFileSync } from 'node:child_process';

const suites = {
  'server-api': './server-api.mjs',
  'sync-local': './sync-local.mjs',
  'sync-ferry': './sync-ferry.mjs',
  'sync-watch': './sync-watch.mjs',
  'sync-model': './sync-model.mjs',
  webhooks: './webhooks.mjs',
};
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(suites);
for (const name of chosen) {
  if (!suites[name]) throw new Error(`unknown suite "${name}"; suites: ${Object.keys(suites).join(', ')}`);
}
execFileSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
for (const name of chosen) {
  console.log(`\n## ${name}`);
  await import(suites[name]);
}
