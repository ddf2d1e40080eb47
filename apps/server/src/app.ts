/**
 * @module app
 * Builds the Fastify application: plugins, the caller resolution, the error
 * shape, and every route module. No listening here (see index.ts).
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { FerryError } from '@ferry/core';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAnalytics } from './analytics/routes.js';
import { registerAuditRoutes } from './audit/routes.js';
import { installActorResolution } from './auth/actor.js';
import { registerAuthRoutes } from './auth/routes.js';
import { registerConnectionRoutes } from './connections/routes.js';
import type { ServerContext } from './context.js';
import { registerEventRoutes } from './events/routes.js';
import { registerFileRoutes } from './files/routes.js';
import { registerUploadRoutes } from './files/upload-routes.js';
import { installErrorHandler } from './http/error-handler.js';
import { registerMarketplaceRoutes } from './marketplace/routes.js';
import { registerObservabilityRoutes } from './observability/routes.js';
import { registerOAuthRoutes } from './oauth/index.js';
import { registerOpenApiRoutes } from './openapi/routes.js';
import { registerShareRoutes } from './shares/routes.js';
import { registerWebRoutes } from './web/routes.js';
import { registerSyncPairRoutes } from './sync-pairs/routes.js';
import { registerWebhookRoutes } from './webhooks/routes.js';
import { registerWorkspaceRoutes } from './workspaces/routes.js';

/** Headers whose values are secrets: never logged. */
export const redactedHeaders = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-share-password"]',
  'res.headers["set-cookie"]',
];

export function createFastify(logLevel: string): FastifyInstance {
  return Fastify({
    logger: { level: logLevel, redact: { paths: redactedHeaders, censor: '[redacted]' } },
    bodyLimit: 1024 * 1024,
    requestTimeout: 0,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 1024 },
    // A URL that cannot be decoded (e.g. a file name of invalid UTF-8) still answers in the error shape.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const code = error.code === 'FST_ERR_BAD_URL' ? 'invalid_name' : 'bad_request';
      void reply.code(400).type('application/json').send(new FerryError(code, 'The URL holds a name that is not valid UTF-8.').toBody());
    },
  });
}

export async function buildApp(app: FastifyInstance, ctx: ServerContext): Promise<FastifyInstance> {
  installErrorHandler(app);
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  await app.register(rateLimit, {
    global: true,
    max: ctx.config.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => {
      const error = new FerryError('rate_limited', `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s.`);
      return Object.assign(error, { statusCode: 429 });
    },
  });
  // Binary bodies (uploads) reach their handlers as the raw request stream, unread.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  installActorResolution(app, ctx);

  registerObservabilityRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerWorkspaceRoutes(app, ctx);
  registerFileRoutes(app, ctx);
  registerUploadRoutes(app, ctx);
  registerShareRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerSyncPairRoutes(app, ctx);
  registerOAuthRoutes(app, ctx);
  registerMarketplaceRoutes(app, ctx);
  registerAnalytics(app, ctx);
  registerConnectionRoutes(app, ctx);
  registerOpenApiRoutes(app, ctx);
  registerWebRoutes(app, ctx);
  return app;
}
