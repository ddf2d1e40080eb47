/**
 * @module connections/connection-services
 * What the connection routes and token refreshes share per server: the
 * guarded provider HTTP client, the secret box, the refresher (with its
 * single-flight map) and this process's lease owner id. Every provider call
 * is measured for integration analytics (analytics/provider-calls.ts).
 */
import { randomBytes } from 'node:crypto';
import type { ProviderId } from '@ferry/core';
import { measureProviderCall } from '../analytics/provider-calls.js';
import type { ServerContext } from '../context.js';
import { secretBoxFor, type SecretBox } from '../outbound/secret-box.js';
import { configuredProvider } from './provider-catalog.js';
import type { ConfiguredProvider } from './oauth-client.js';
import { ProviderHttp } from './provider-http.js';

export interface ConnectionServices {
  http: ProviderHttp;
  box: SecretBox;
  /** Names this process in refresh leases. */
  leaseOwner: string;
  /** Refreshes running in this process, by connection id (single-flight). */
  inFlight: Map<string, Promise<string>>;
  provider(id: ProviderId): ConfiguredProvider;
}

const services = new WeakMap<ServerContext, ConnectionServices>();

export function connectionServices(ctx: ServerContext): ConnectionServices {
  let found = services.get(ctx);
  if (found === undefined) {
    found = {
      http: new ProviderHttp({
        allowList: ctx.config.outboundAllowList,
        timeoutMs: ctx.config.outboundTimeoutMs,
        // A file a sync pair copies may be as large as an upload may be; token and JSON answers keep the 4 MiB default.
        maxStreamedAnswerBytes: ctx.config.maxUploadBytes,
        onCall: measureProviderCall(ctx),
      }),
      box: secretBoxFor(ctx.config.dataDir),
      leaseOwner: `${process.pid}.${randomBytes(6).toString('hex')}`,
      inFlight: new Map(),
      provider: (id) => configuredProvider(id, ctx.config.providers),
    };
    services.set(ctx, found);
  }
  return found;
}

export async function closeConnectionServices(ctx: ServerContext): Promise<void> {
  const found = services.get(ctx);
  services.delete(ctx);
  await found?.http.close();
}
