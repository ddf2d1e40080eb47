// @module bench/lib/plain-upload-receiver
// The practical ceiling of an upload over HTTP in Node on this machine: a bare
// node:http server that does what any durable upload must (hash the body with
// sha256, write it to a file in 1 MiB batches, fsync) and nothing else — no
// framework, auth, database or content addressing. Prints {url} on stdout.
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: plain-upload-receiver.mjs DIR');
let counter = 0;
const server = http.createServer(async (request, response) => {
  const path = join(dir, `upload-${counter++}`);
  const file = await open(path, 'w');
  const hash = createHash('sha256');
  let batch = [];
  let bytes = 0;
  let writing = Promise.resolve();
  for await (const chunk of request) {
    hash.update(chunk);
    batch.push(chunk);
    bytes += chunk.length;
    if (bytes >= 1024 * 1024) {
      await writing;
      writing = file.writev(batch);
      batch = [];
      bytes = 0;
    }
  }
  await writing;
  if (batch.length > 0) await file.writev(batch);
  await file.sync();
  await file.close();
  await rm(path);
  response.end(JSON.stringify({ sha256: hash.digest('hex') }));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
