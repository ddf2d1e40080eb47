/**
 * @module web/routes
 * Serves the built web console (`ctx.config.webRoot`): hashed files under
 * `/assets/` with a year-long immutable cache, and `index.html` (never cached)
 * for every other non-API GET, so client-side paths such as `/files/docs` and
 * `/s/<token>` load the console. Without a build, `/` says how to make one.
 */
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';

const hashedAssetCache = 'public, max-age=31536000, immutable';
const indexCache = 'no-cache';

/** Paths the console never owns: they answer the JSON 404, never index.html. */
function isReservedPath(url: string): boolean {
  return /^\/(api|assets)(\/|$)/.test(url);
}

function notFound(request: FastifyRequest): never {
  throw new FerryError('not_found', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`);
}

export function registerWebRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const webRoot = ctx.config.webRoot;
  const built = webRoot !== null && existsSync(join(webRoot, 'index.html'));

  if (!built) {
    app.get('/', async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', indexCache)
        .send('Ferry is running, but its web console is not built. Run `pnpm run build` and restart the server.\n'),
    );
    return;
  }

  const sendIndex = (reply: FastifyReply) => reply.header('cache-control', indexCache).sendFile('index.html', webRoot);

  void app.register(fastifyStatic, {
    root: webRoot,
    prefix: '/',
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const isHashedAsset = relative(webRoot, path).startsWith(`assets${sep}`);
      reply.header('cache-control', isHashedAsset ? hashedAssetCache : indexCache);
    },
  });

  app.get('/', async (_request, reply) => sendIndex(reply));
  app.get('/*', async (request, reply) => {
    if (isReservedPath(request.url)) notFound(request);
    return sendIndex(reply);
  });
}
