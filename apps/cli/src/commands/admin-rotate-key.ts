/**
 * @module commands/admin-rotate-key
 * `ferry admin rotate-key --data DIR`: a new secret key for the data folder;
 * every sealed secret (connection tokens, webhook signing secrets) is
 * re-sealed with it in one transaction, then the old key is retired.
 * Running servers follow without a restart.
 */
import { Option, type Command } from 'commander';
import { outputFor, type CliRuntime } from '../runtime.js';

export function registerRotateKey(admin: Command, runtime: CliRuntime): void {
  admin
    .command('rotate-key')
    .description('Replace the secret key of a data folder and re-encrypt every stored secret with it.')
    .addOption(new Option('--data <dir>', 'the data folder of the server').env('FERRY_DATA').makeOptionMandatory())
    .action(async (options: { data: string }, command: Command) => {
      const output = outputFor(runtime, command);
      const { rotateSecretKey, withDataDir } = await import('@ferry/server');
      const result = await withDataDir(options.data, (ctx) => rotateSecretKey(ctx));
      const { connectionTokens, webhookSecrets, pendingVerifiers } = result.resealed;
      output.result(
        result,
        () =>
          `New secret key ${result.newKeyId} (was ${result.oldKeyId}); re-encrypted ${connectionTokens} connection token(s), ` +
          `${webhookSecrets} webhook secret(s) and ${pendingVerifiers} pending sign-in(s); retired key(s): ${result.retiredKeyIds.join(', ') || 'none'}.`,
      );
    });
}
