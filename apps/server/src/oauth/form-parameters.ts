/**
 * @module oauth/form-parameters
 * Reading OAuth parameters: request bodies are application/x-www-form-urlencoded
 * (RFC 6749 §3.2), and no parameter may be sent twice (§3.1, §3.2).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';

const formType = 'application/x-www-form-urlencoded';

/** Registers the form parser in the (encapsulated) OAuth plugin only. */
export function installFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(formType, { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')));
  });
}

/** A parameter set with strict access: a repeated parameter is an error. */
export class OAuthParameters {
  readonly #params: URLSearchParams;
  readonly #onRepeat: (name: string) => Error;

  constructor(params: URLSearchParams, onRepeat: (name: string) => Error) {
    this.#params = params;
    this.#onRepeat = onRepeat;
  }

  /** The value, or undefined when absent or empty (RFC 6749 §3.1: empty = omitted). */
  optional(name: string): string | undefined {
    const values = this.#params.getAll(name);
    if (values.length > 1) throw this.#onRepeat(name);
    const value = values[0];
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string, onMissing: () => Error): string {
    const value = this.optional(name);
    if (value === undefined) throw onMissing();
    return value;
  }
}

/** The form body of a token/revoke/introspect request, or invalid_request. */
export function formBodyOf(request: FastifyRequest): OAuthParameters {
  if (!(request.body instanceof URLSearchParams)) {
    throw new OAuthError('invalid_request', `Send the parameters as ${formType}.`);
  }
  return new OAuthParameters(request.body, (name) => new OAuthError('invalid_request', `The "${name}" parameter was sent more than once.`));
}

export function requiredParameter(params: OAuthParameters, name: string): string {
  return params.required(name, () => new OAuthError('invalid_request', `The "${name}" parameter is missing.`));
}
