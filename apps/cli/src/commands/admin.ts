/**
 * @module commands/admin
 * `ferry admin create-user` and `ferry admin token`: work directly on a data
 * folder (no server needed, and none has to be stopped: SQLite in WAL mode).
 * The server's modules are loaded on use, so client commands start fast.
 */
import { FerryError } from '@ferry/core/errors';
import { Option, type Command } from 'commander';
import { UsageError } from '../exit-codes.js';
import { readSecretFromStdin } from '../read-secret.js';
import { registerRotateKey } from './admin-rotate-key.js';
import { outputFor, type CliRuntime } from '../runtime.js';

interface CreateUserOptions {
  data: string;
  email: string;
  password?: string;
  passwordStdin?: boolean;
  name?: string;
  role: string;
  workspaceName?: string;
}

interface TokenOptions {
  data: string;
  email: string;
  name: string;
  expiresInDays?: string;
}

const dataOption = () => new Option('--data <dir>', 'the data folder of the server').env('FERRY_DATA').makeOptionMandatory();

export function registerAdmin(program: Command, runtime: CliRuntime): void {
  const admin = program.command('admin').description('Manage users and tokens directly on a data folder.');
  registerRotateKey(admin, runtime);

  admin
    .command('create-user')
    .description('Create a user; they own a new workspace of their own.')
    .addOption(dataOption())
    .requiredOption('--email <email>', 'their email (the sign-in name)')
    .option('--password <password>', 'their password (prefer --password-stdin: the command line is visible to others)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--workspace-name <name>', "name of their workspace (default: \"<name>'s files\")")
    .addOption(new Option('--role <role>', 'their role in that workspace').choices(['owner']).default('owner'))
    .action(async (options: CreateUserOptions, command: Command) => {
      const output = outputFor(runtime, command);
      if (options.password !== undefined && options.passwordStdin === true) throw new UsageError('Give either --password or --password-stdin, not both.');
      const password = options.passwordStdin === true ? await readSecretFromStdin(runtime.stdin, 'password') : options.password;
      if (password === undefined) throw new UsageError('A password is needed: --password-stdin (recommended) or --password P.');
      const { createUser, withDataDir } = await import('@ferry/server');
      const created = await withDataDir(options.data, (ctx) =>
        createUser(ctx, {
          email: options.email,
          password,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.workspaceName !== undefined ? { workspaceName: options.workspaceName } : {}),
        }),
      );
      output.result(created, () => `Created ${created.user.email} (${created.user.id}), owner of the workspace "${created.workspace.name}" (${created.workspace.id}).`);
    });

  admin
    .command('token')
    .description('Make a new personal API token for a user and print it (shown once).')
    .addOption(dataOption())
    .requiredOption('--email <email>', 'whose token it is')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-in-days <days>', 'let the token expire after this many days')
    .action(async (options: TokenOptions, command: Command) => {
      const output = outputFor(runtime, command);
      let expiresInDays: number | undefined;
      if (options.expiresInDays !== undefined) {
        expiresInDays = Number(options.expiresInDays);
        if (!Number.isInteger(expiresInDays) || expiresInDays < 1) throw new UsageError('--expires-in-days must be a whole number of days, at least 1.');
      }
      const { createApiToken, findUserByEmail, withDataDir } = await import('@ferry/server');
      const token = await withDataDir(options.data, async (ctx) => {
        const user = await findUserByEmail(ctx, options.email);
        if (!user) throw new FerryError('user_not_found', `No user with the email ${options.email} in ${ctx.config.dataDir}.`);
        return createApiToken(ctx, { userId: user.id, name: options.name, ...(expiresInDays !== undefined ? { expiresInDays } : {}) });
      });
      output.result(token, () => token.token);
      if (!output.json) output.info('This token is shown only once; keep it somewhere safe (e.g. FERRY_TOKEN).');
    });
}
