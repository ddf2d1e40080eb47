/**
 * @module @ferry/cli/testing
 * Running the built `ferry` binary from tests (this package's and e2e's).
 */
export { buildCli, ferryBin, repoRoot } from './build-cli.js';
export { runFerry, spawnFerry, type FerryRun, type FerryRunOptions } from './run-ferry.js';
