/**
 * @module errors
 * Stable error codes shared by the server, the typed client and every app.
 * The HTTP status of each code is fixed here, so a code means the same thing
 * wherever it is seen.
 *
 * No zod here: this module is also the light entry `@ferry/core/errors`,
 * which the sync engine and the CLI load at start without the schemas (the
 * error body's schema is in `error-body.ts`).
 */

export const errorStatus = {
  bad_request: 400,
  url_not_allowed: 400,
  invalid_name: 400,
  invalid_json: 400,
  validation_failed: 400,
  digest_mismatch: 400,
  size_mismatch: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  share_password_required: 401,
  forbidden: 403,
  csrf_failed: 403,
  insufficient_scope: 403,
  integration_disabled: 403,
  /** The integration is not installed in the workspace (see integration_disabled for an installed one switched off). */
  integration_not_enabled: 403,
  not_found: 404,
  workspace_not_found: 404,
  node_not_found: 404,
  file_not_found: 404,
  folder_not_found: 404,
  version_not_found: 404,
  share_not_found: 404,
  upload_not_found: 404,
  token_not_found: 404,
  user_not_found: 404,
  integration_not_found: 404,
  integration_not_installed: 404,
  oauth_client_not_found: 404,
  oauth_grant_not_found: 404,
  webhook_not_found: 404,
  delivery_not_found: 404,
  connection_not_found: 404,
  sync_pair_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  name_conflict: 409,
  offset_mismatch: 409,
  already_set_up: 409,
  email_taken: 409,
  consent_required: 409,
  already_installed: 409,
  integration_incompatible: 409,
  not_a_folder: 409,
  not_a_file: 409,
  cycle: 409,
  last_owner: 409,
  provider_not_configured: 409,
  connection_needs_reauth: 409,
  gone: 410,
  share_expired: 410,
  share_exhausted: 410,
  upload_expired: 410,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  rate_limited: 429,
  internal: 500,
  provider_error: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

/** The JSON body of every error answer (`errorBodySchema` parses it). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The one error type of Ferry: a stable code, a human message, optional details. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'FerryError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export function isFerryError(value: unknown): value is FerryError {
  return value instanceof FerryError;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorStatus, value);
}

/** A result that callers must inspect (STYLE.md 4). */
export type Result<T, E = FerryError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });
