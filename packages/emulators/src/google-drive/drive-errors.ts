/**
 * @module google-drive/drive-errors
 * Google's JSON error format as the Drive API v3 answers it:
 * `{"error": {"code", "message", "errors": [{"domain", "reason", "message",
 * "location"?, "locationType"?}], "status"}}`, plus the injected-fault renderer
 * (403 userRateLimitExceeded, 429 rateLimitExceeded, 5xx backendError, ...).
 */
import type { ServerResponse } from 'node:http';
import type { FaultRenderer } from '../http/emulator-server.js';
import { sendJson } from '../http/http-kit.js';

const statusNames: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  416: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export interface DriveErrorDetail {
  domain?: string;
  location?: string;
  locationType?: 'parameter' | 'header';
  headers?: Record<string, string>;
}

/** A Drive error that route code throws; the emulator renders it. */
export class DriveApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly detail: DriveErrorDetail = {},
  ) {
    super(message);
    this.name = 'DriveApiError';
  }
}

export function sendDriveError(response: ServerResponse, error: DriveApiError): void {
  const { domain = 'global', location, locationType, headers = {} } = error.detail;
  const item = {
    message: error.message,
    domain,
    reason: error.reason,
    ...(location !== undefined ? { location, locationType: locationType ?? 'parameter' } : {}),
  };
  const body = {
    error: {
      code: error.status,
      message: error.message,
      errors: [item],
      status: statusNames[error.status] ?? 'UNKNOWN',
    },
  };
  sendJson(response, error.status, body, { vary: 'Origin, X-Origin, Referer', ...headers });
}

export const driveErrors = {
  fileNotFound: (fileId: string) =>
    new DriveApiError(404, 'notFound', `File not found: ${fileId}.`, { location: 'fileId', locationType: 'parameter' }),
  invalidValue: (location: string, message = 'Invalid Value') =>
    new DriveApiError(400, 'invalid', message, { location, locationType: 'parameter' }),
  badRequest: (message: string) => new DriveApiError(400, 'badRequest', message),
  required: (location: string, message: string) => new DriveApiError(400, 'required', message, { location, locationType: 'parameter' }),
  invalidCredentials: () =>
    new DriveApiError(401, 'authError', 'Invalid Credentials', {
      location: 'Authorization',
      locationType: 'header',
      headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    }),
  loginRequired: () =>
    new DriveApiError(401, 'required', 'Login Required.', {
      location: 'Authorization',
      locationType: 'header',
      headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
    }),
  forbidden: (reason: string, message: string) => new DriveApiError(403, reason, message),
  /** A create with an id some file already has (a retried create that landed). */
  fileIdInUse: () => new DriveApiError(409, 'fileIdInUse', 'A file already exists with the provided ID.'),
  /** A create with an id that files.generateIds did not hand out. */
  fileIdNotUsable: () => new DriveApiError(400, 'fileIdNotUsable', 'The provided file ID is not usable.', { location: 'file.id', locationType: 'parameter' }),
} as const;

const faultDefaults: Readonly<Record<number, { reason: string; message: string; domain: string }>> = {
  400: { reason: 'badRequest', message: 'Bad Request', domain: 'global' },
  401: { reason: 'authError', message: 'Invalid Credentials', domain: 'global' },
  403: { reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded', domain: 'usageLimits' },
  404: { reason: 'notFound', message: 'Not Found', domain: 'global' },
  429: { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded', domain: 'usageLimits' },
  500: { reason: 'backendError', message: 'Backend Error', domain: 'global' },
  502: { reason: 'backendError', message: 'Bad Gateway', domain: 'global' },
  503: { reason: 'backendError', message: 'Service Unavailable', domain: 'global' },
};

const rateLimitReasons = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'dailyLimitExceeded', 'sharingRateLimitExceeded']);

export const renderDriveFault: FaultRenderer = (response, status, rule) => {
  const fallback = faultDefaults[status] ?? { reason: 'backendError', message: 'Backend Error', domain: 'global' };
  const reason = rule.reason ?? fallback.reason;
  const domain = rateLimitReasons.has(reason) ? 'usageLimits' : fallback.domain;
  const headers: Record<string, string> = rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {};
  const message = reason === fallback.reason ? fallback.message : reason;
  sendDriveError(response, new DriveApiError(status, reason, message, { domain, headers }));
};
