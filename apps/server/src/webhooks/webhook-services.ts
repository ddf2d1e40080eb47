/**
 * @module webhooks/webhook-services
 * What webhook routes and the delivery worker share per server: the SSRF
 * guard (with the configured allow-list), the outbound HTTP client (kept-alive
 * connections), and the secret box. One set per ServerContext.
 */
import type { ServerContext } from '../context.js';
import { measureOutboundCall } from '../analytics/recorder.js';
import { OutboundHttp } from '../outbound/outbound-http.js';
import { secretBoxFor, type SecretBox } from '../outbound/secret-box.js';
import { SsrfGuard, type Resolver } from '../outbound/ssrf-guard.js';

export interface WebhookServices {
  guard: SsrfGuard;
  http: OutboundHttp;
  box: SecretBox;
}

/** The hub key the worker listens on for "look again now" (endpoint changes, replays). Workspace ids never start with `$`. */
export const webhookWakeKey = '$webhooks';

const services = new WeakMap<ServerContext, WebhookServices>();
const resolvers = new WeakMap<ServerContext, Resolver>();

/** For tests: resolve host names through `resolver` instead of the system's DNS (call before first use). */
export function useResolver(ctx: ServerContext, resolver: Resolver): void {
  resolvers.set(ctx, resolver);
  void services.get(ctx)?.http.close();
  services.delete(ctx);
}

export function webhookServices(ctx: ServerContext): WebhookServices {
  let found = services.get(ctx);
  if (found === undefined) {
    const resolver = resolvers.get(ctx);
    const guard = new SsrfGuard({ allowList: ctx.config.outboundAllowList, ...(resolver ? { resolver } : {}) });
    found = { guard, http: new OutboundHttp({ guard, timeoutMs: ctx.config.outboundTimeoutMs, onCall: measureOutboundCall(ctx) }), box: secretBoxFor(ctx.config.dataDir) };
    services.set(ctx, found);
  }
  return found;
}

/** Closes the outbound connections of a server (on shutdown). */
export async function closeWebhookServices(ctx: ServerContext): Promise<void> {
  const found = services.get(ctx);
  services.delete(ctx);
  await found?.http.close();
}
