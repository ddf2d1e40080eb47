// @module bench/lib/webhook-receiver
// The receiving end of the webhook benchmark, in its own process: a keep-alive
// node:http server that answers 204 and records, per `webhook-id`, the first
// arrival (epoch ms) and the body, whose event timestamp is read only when a
// report is asked for (so a delivery costs the receiver no more than a plain
// POST while rates are measured); requests without the header (the plain
// undici ceiling) are only counted. Prints
// {url}; over IPC, `reset` clears the records and `report` answers them.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
let firstArrival = new Map();
let firstBodies = new Map();
let requests = 0;
let plain = 0;

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const arrived = now();
    requests += 1;
    const id = request.headers['webhook-id'];
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
