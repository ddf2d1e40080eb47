/**
 * @module command-exit
 * A command that finished and has printed all it had to say, but ends with a
 * non-zero exit code of its own (e.g. `ferry sync` with per-file issues).
 */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CommandExit';
  }
}
