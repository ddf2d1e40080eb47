/**
 * @module connection
 * Turns `--server/--token/--workspace` (or FERRY_SERVER, FERRY_TOKEN,
 * FERRY_WORKSPACE) into a typed client and the workspace the command works in.
 */
import { hostname } from 'node:os';
import { createClient, pickWorkspace, type FerryClient, type Workspace } from '@ferry/core';
import type { Command } from 'commander';
import { UsageError } from './exit-codes.js';
import type { Output } from './output.js';
import { globalsOf, outputFor, type CliRuntime } from './runtime.js';

export interface Connection {
  client: FerryClient;
  output: Output;
  runtime: CliRuntime;
}

export interface WorkspaceConnection extends Connection {
  workspace: Workspace;
}

function serverUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a server URL; give e.g. --server http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`The server URL must start with http:// or https://, not ${url.protocol}`);
  return url.toString().replace(/\/+$/, '');
}

/** The client for a command, signed in with the token; no network call yet. */
export function connect(runtime: CliRuntime, command: Command): Connection {
  const options = globalsOf(command);
  const server = options.server ?? runtime.env.FERRY_SERVER;
  if (server === undefined || server === '') throw new UsageError('No server: pass --server URL or set FERRY_SERVER.');
  const token = options.token ?? runtime.env.FERRY_TOKEN;
  if (token === undefined || token === '') {
    throw new UsageError('No API token: pass --token T or set FERRY_TOKEN (an admin can make one with "ferry admin token").');
  }
  const client = createClient({ baseUrl: serverUrl(server), token, source: `cli@${hostname()}` });
  return { client, output: outputFor(runtime, command), runtime };
}

/** As `connect`, plus the workspace: --workspace (id or name), FERRY_WORKSPACE, else the caller's first. */
export async function connectToWorkspace(runtime: CliRuntime, command: Command): Promise<WorkspaceConnection> {
  const connection = connect(runtime, command);
  const wanted = globalsOf(command).workspace ?? runtime.env.FERRY_WORKSPACE;
  const workspace = await pickWorkspace(connection.client, wanted);
  return { ...connection, workspace };
}
