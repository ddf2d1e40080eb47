/**
 * @module webhooks/webhook-services
 * What webhook routes and the delivery worker share per server: the SSRF
 * guard (with the configured allow-list), the attempt sender (kept-alive
 * connections; in a worker thread when `webhookSenderThread` is on, unless a test
 * resolver is in use — a function cannot cross threads), and the secret box.
 * One set per ServerContext.
 */
import type { ServerContext } from '../context.js';
import { OutboundHttp } from '../outbound/outbound-http.js';
import { secretBoxFor, type SecretBox } from '../outbound/secret-box.js';
import { SsrfGuard, type Resolver } from '../outbound/ssrf-guard.js';
import { LocalAttemptSender, type AttemptSender } from './attempt-exchange.js';
import { SenderThread } from './sender-thread.js';

export interface WebhookServices {
  guard: SsrfGuard;
  sender: AttemptSender;
  box: SecretBox;
}

/** The hub key the worker listens on for "look again now" (endpoint changes, replays). Workspace ids never start with `$`. */
export const webhookWakeKey = '$webhooks';

/** The most of an answer read (the delivery log keeps less), and kept-alive connections per receiver. */
const maxResponseBytes = 64 * 1024;
const connectionsPerOrigin = 64;

const services = new WeakMap<ServerContext, WebhookServices>();
const resolvers = new WeakMap<ServerContext, Resolver>();

/** For tests: resolve host names through `resolver` instead of the system's DNS (call before first use). */
export function useResolver(ctx: ServerContext, resolver: Resolver): void {
  resolvers.set(ctx, resolver);
  void services.get(ctx)?.sender.close();
  services.delete(ctx);
}

export function webhookServices(ctx: ServerContext): WebhookServices {
  let found = services.get(ctx);
  if (found === undefined) {
    const resolver = resolvers.get(ctx);
    const { outboundAllowList: allowList, outboundTimeoutMs: timeoutMs } = ctx.config;
    const guard = new SsrfGuard({ allowList, ...(resolver ? { resolver } : {}) });
    const local = () => new LocalAttemptSender(new OutboundHttp({ guard, timeoutMs, maxResponseBytes, connectionsPerOrigin }));
    const onFallback = (reason: string) => ctx.log.warn({ reason }, 'webhooks: the sender thread could not start; sending from the main thread');
    const sender =
      ctx.config.webhookSenderThread && resolver === undefined ? new SenderThread({ allowList, timeoutMs, maxResponseBytes, connectionsPerOrigin }, { fallback: local, onFallback }) : local();
    found = { guard, sender, box: secretBoxFor(ctx.config.dataDir) };
    services.set(ctx, found);
  }
  return found;
}

/** Closes the outbound connections of a server (on shutdown). */
export async function closeWebhookServices(ctx: ServerContext): Promise<void> {
  const found = services.get(ctx);
  services.delete(ctx);
  await found?.sender.close();
}
