/**
 * @module openapi/routes
 * Serves the OpenAPI 3.1 document at `/api/v1/openapi.json` (no sign-in).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { buildOpenApiDocument } from './document.js';

export const openApiPath = '/api/v1/openapi.json';

export function registerOpenApiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  let document: Record<string, unknown> | null = null;
  app.get(openApiPath, async () => {
    document ??= buildOpenApiDocument(ctx.config.publicUrl);
    return document;
  });
}
