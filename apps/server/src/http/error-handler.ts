/**
 * @module http/error-handler
 * Turns every thrown error into `{"error": {"code", "message"}}` with the
 * code's status. Unknown errors become `internal` with no stack or detail in
 * the answer (the log has them).
 */
import { FerryError, isErrorCode, type ErrorCode } from '@ferry/core';
import type { FastifyError, FastifyInstance } from 'fastify';

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

function toFerryError(error: unknown): FerryError | null {
  if (error instanceof FerryError) return error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, statusCode, message } = error as Partial<FastifyError>;
  if (typeof code === 'string' && fastifyCodes[code]) return new FerryError(fastifyCodes[code], message ?? code);
  if (error instanceof SyntaxError && statusCode === 400) return new FerryError('invalid_json', 'The body is not valid JSON.');
  if (statusCode === 429) return new FerryError('rate_limited', message ?? 'Too many requests; slow down.');
  if (typeof code === 'string' && isErrorCode(code)) return new FerryError(code, message ?? code);
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new FerryError(statusCode === 404 ? 'not_found' : statusCode === 413 ? 'payload_too_large' : 'bad_request', message ?? 'Bad request.');
  }
  return null;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toFerryError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, known.message);
      return reply.code(known.status).type('application/json').send(known.toBody());
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).type('application/json').send(new FerryError('internal', 'Something went wrong on the server.').toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const body = new FerryError('not_found', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`).toBody();
    return reply.code(404).type('application/json').send(body);
  });
}
