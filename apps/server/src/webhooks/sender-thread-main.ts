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
import { sendSigned } from './attempt-exchange.js';
import { decodeRequests, encodeResults, senderSettingsSchema, type NumberedResult, type SenderReady } from './sender-thread-protocol.js';

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

let outbox: NumberedResult[] = [];

function answer(item: NumberedResult): void {
  if (outbox.push(item) > 1) return;
  setImmediate(() => {
    const results = outbox;
    outbox = [];
    port.postMessage(encodeResults(results));
  });
}

port.on('message', (message: unknown) => {
  const requests = decodeRequests(message);
  if (requests === null) throw new Error('webhook sender thread: a message that is not a list of requests');
  for (const { n, request } of requests) {
    sendSigned(http, request).then(
      (result) => answer({ n, result }),
      (error: unknown) => answer({ n, error: error instanceof Error ? error.message : String(error) }),
    );
  }
});
