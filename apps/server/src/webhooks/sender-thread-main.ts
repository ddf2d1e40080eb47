/**
 * @module webhooks/sender-thread-main
 * The entry of the webhook sender thread (see sender-thread): an
 * `OutboundHttp` with its own SSRF guard, built from the settings the main
 * thread passed as `workerData`, signing and sending the attempts that arrive
 * on the parent port. Exchanges that finish during one turn of the event
 * loop go back in one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OutboundHttp } from '../outbound/outbound-http.js';
import { SsrfGuard } from '../outbound/ssrf-guard.js';
import { exchangeAttempt } from './attempt-exchange.js';
import { decodeAttempts, encodeExchanges, senderSettingsSchema, type NumberedExchange, type SenderReady } from './sender-thread-protocol.js';

if (parentPort === null) throw new Error('sender-thread-main runs only as a worker thread');
const port = parentPort;

const settings = senderSettingsSchema.parse(workerData);
const http = new OutboundHttp({
  guard: new SsrfGuard({ allowList: settings.allowList }),
  timeoutMs: settings.timeoutMs,
  maxResponseBytes: settings.maxResponseBytes,
  connectionsPerOrigin: settings.connectionsPerOrigin,
});

port.postMessage({ ready: true } satisfies SenderReady);

let outbox: NumberedExchange[] = [];

function answer(item: NumberedExchange): void {
  if (outbox.push(item) > 1) return;
  setImmediate(() => {
    const exchanges = outbox;
    outbox = [];
    port.postMessage(encodeExchanges(exchanges));
  });
}

port.on('message', (message: unknown) => {
  const attempts = decodeAttempts(message);
  if (attempts === null) throw new Error('webhook sender thread: a message that is not a list of attempts');
  for (const { n, spec } of attempts) {
    exchangeAttempt(http, spec).then(
      (exchange) => answer({ n, exchange }),
      (error: unknown) => answer({ n, error: error instanceof Error ? error.message : String(error) }),
    );
  }
});
