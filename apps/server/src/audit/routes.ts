/**
 * @module audit/routes
 * (to be written)
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function registerAuditRoutes(_app: FastifyInstance, _ctx: ServerContext): void {
  // routes land here
}
