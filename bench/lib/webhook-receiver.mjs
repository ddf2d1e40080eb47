// @module bench/lib/webhook-receiver
// The receiving end of the webhook benchmark, in its own process: a keep-alive
// node:http server that answers 204 and records, per `webhook-id`, the first
// arrival (epoch ms) and the body, whose event timestamp is read only when a
// report is asked for. Ferry's deliveries and the plain undici ceiling's POSTs
// (which carry the same headers, see webhooks.mjs) cost it the same work;
// requests without the header are only counted. It keeps the headers and body
// of the last Ferry delivery (path /hook) as a sample for the ceiling to copy.
// Prints {url}; over IPC, `reset` clears the records, `report` answers them,
// `sample` answers the sample request.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
let firstArrival = new Map();
let firstBodies = new Map();
let requests = 0;
let plain = 0;
let sample = null;

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const arrived = now();
    requests += 1;
    const id = request.headers['webhook-id'];
    if (request.url === '/hook') sample = { headers: request.headers, chunks };
    if (typeof id !== 'string') plain += 1;
    else if (!firstArrival.has(id)) {
      firstArrival.set(id, arrived);
      firstBodies.set(id, chunks);
    }
    response.writeHead(204);
    response.end();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});

process.on('message', (message) => {
  if (message === 'reset') {
    firstArrival = new Map();
    firstBodies = new Map();
    requests = 0;
    plain = 0;
    process.send({ ok: true });
  } else if (message === 'sample') {
    process.send(sample === null ? { error: 'no delivery arrived yet' } : { headers: sample.headers, body: Buffer.concat(sample.chunks).toString('utf8') });
  } else if (message === 'count') {
    process.send({ unique: firstArrival.size, requests, plain });
  } else if (message === 'report') {
    const arrivals = [...firstArrival.values()];
    const eventTime = (id) => Date.parse(JSON.parse(Buffer.concat(firstBodies.get(id)).toString('utf8')).timestamp);
    const latencies = [...firstArrival.entries()].map(([id, arrived]) => arrived - eventTime(id));
    process.send({ unique: firstArrival.size, requests, plain, lastArrival: arrivals.length ? arrivals.reduce((a, b) => (a > b ? a : b)) : null, latencies });
  }
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
