/**
 * @module files/upload-routes
 * (to be written)
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function registerUploadRoutes(_app: FastifyInstance, _ctx: ServerContext): void {
  // routes land here
}
