/**
 * @module config
 * Everything the server can be told, with the embedded defaults. Options
 * passed in code win over `FERRY_*` environment variables, which win over defaults.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeProviderOverrides, providerOverridesFromEnv, type ProviderOverridesById } from './connections/provider-catalog.js';

export interface ServerConfig {
  /** Folder holding ferry.db, blobs/ and uploads/. */
  dataDir: string;
  host: string;
  port: number;
  /** The address users reach the server at (for share links); defaults to http://host:port. */
  publicUrl: string | null;
  /** Largest single upload (bytes), through PUT or a resumable session. */
  maxUploadBytes: number;
  /** Largest chunk of a resumable upload. */
  maxChunkBytes: number;
  uploadSessionTtlMs: number;
  sessionTtlMs: number;
  /** Requests per minute per client for the API as a whole, and for sign-in attempts. */
  rateLimitPerMinute: number;
  loginRateLimitPerMinute: number;
  /** Log level for pino; 'silent' in tests. */
  logLevel: string;
  /** Folder of the built web console, or null to serve none. */
  webRoot: string | null;
  /** Addresses (IPs or CIDRs) outbound requests (webhooks) may reach even though they are not public, e.g. ['127.0.0.1']. */
  outboundAllowList: string[];
  /** Connect + total timeout of one outbound request (ms). */
  outboundTimeoutMs: number;
  /** Run the webhook delivery worker in this process (tests and split deployments turn it off). */
  webhookWorker: boolean;
  /** Send webhook attempts (signed by the pump) from a worker thread, beside the delivery pump's database work (env FERRY_WEBHOOK_SENDER_THREAD=0|1; on by default with 2+ cores). */
  webhookSenderThread: boolean;
  /** Run the server-side sync pairs in this process (env FERRY_SYNC_PAIR_WORKER=0 turns it off; tests drive a worker themselves). */
  syncPairWorker: boolean;
  /** Folder of the marketplace manifests; null = the repository's `manifests/marketplace` (env FERRY_MARKETPLACE_DIR). */
  marketplaceDir: string | null;
  /** Days integration usage is kept before the prune deletes it (env FERRY_ANALYTICS_RETENTION_DAYS). */
  analyticsRetentionDays: number;
  /** Client credentials and endpoint overrides per connection provider (env: FERRY_GOOGLE_CLIENT_ID, FERRY_PROVIDER_<ID>_<FIELD>). */
  providers: ProviderOverridesById;
}

export type ServerOptions = Partial<ServerConfig> & { dataDir: string };

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

/** A comma-separated list, e.g. FERRY_OUTBOUND_ALLOW_LIST=127.0.0.1,10.0.0.0/8. */
function envList(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * The console that `pnpm run build` writes to `apps/server/dist/console` (the same
 * folder whether this module runs from `src/` or `dist/`), when it exists.
 */
export function builtConsoleDir(): string | null {
  const dir = fileURLToPath(new URL('../dist/console/', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

export function resolveConfig(options: ServerOptions): ServerConfig {
  return {
    dataDir: resolve(options.dataDir),
    host: options.host ?? process.env.FERRY_HOST ?? '127.0.0.1',
    port: options.port ?? envNumber('FERRY_PORT') ?? 8080,
    publicUrl: options.publicUrl ?? process.env.FERRY_PUBLIC_URL ?? null,
    maxUploadBytes: options.maxUploadBytes ?? envNumber('FERRY_MAX_UPLOAD_BYTES') ?? 10 * 1024 ** 3,
    maxChunkBytes: options.maxChunkBytes ?? 64 * 1024 ** 2,
    uploadSessionTtlMs: options.uploadSessionTtlMs ?? 24 * 3600_000,
    sessionTtlMs: options.sessionTtlMs ?? 30 * 24 * 3600_000,
    rateLimitPerMinute: options.rateLimitPerMinute ?? envNumber('FERRY_RATE_LIMIT') ?? 100_000,
    loginRateLimitPerMinute: options.loginRateLimitPerMinute ?? 10,
    logLevel: options.logLevel ?? process.env.FERRY_LOG_LEVEL ?? 'info',
    webRoot: options.webRoot === undefined ? (process.env.FERRY_WEB_ROOT ?? builtConsoleDir()) : options.webRoot,
    outboundAllowList: options.outboundAllowList ?? envList('FERRY_OUTBOUND_ALLOW_LIST'),
    outboundTimeoutMs: options.outboundTimeoutMs ?? envNumber('FERRY_OUTBOUND_TIMEOUT_MS') ?? 10_000,
    webhookWorker: options.webhookWorker ?? process.env.FERRY_WEBHOOK_WORKER !== '0',
    webhookSenderThread: options.webhookSenderThread ?? (process.env.FERRY_WEBHOOK_SENDER_THREAD === undefined ? availableParallelism() > 1 : process.env.FERRY_WEBHOOK_SENDER_THREAD !== '0'),
    syncPairWorker: options.syncPairWorker ?? process.env.FERRY_SYNC_PAIR_WORKER !== '0',
    marketplaceDir: options.marketplaceDir ?? process.env.FERRY_MARKETPLACE_DIR ?? null,
    analyticsRetentionDays: options.analyticsRetentionDays ?? envNumber('FERRY_ANALYTICS_RETENTION_DAYS') ?? 90,
    providers: mergeProviderOverrides(providerOverridesFromEnv(process.env), options.providers),
  };
}
