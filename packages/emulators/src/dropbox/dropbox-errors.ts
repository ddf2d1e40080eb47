/**
 * @module dropbox/dropbox-errors
 * Dropbox v2 error answers: endpoint errors are 409 with
 * `{"error_summary": "path/not_found/...", "error": {".tag": "path", ...}}`,
 * bad input is 400 plain text, auth failures 401 (`invalid_access_token`,
 * `expired_access_token`), rate limits 429 with `Retry-After` and a
 * RateLimitError body.
 */
import type { ServerResponse } from 'node:http';
import type { FaultRenderer } from '../http/emulator-server.js';
import { sendJson, sendText } from '../http/http-kit.js';

export type DropboxUnion = { '.tag': string } & Record<string, unknown>;

/** The `.tag` chain of a union value, as error_summary spells it. */
function summaryTags(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const tag = record['.tag'];
  if (typeof tag !== 'string') {
    const reason = record['reason'];
    return reason ? summaryTags(reason) : [];
  }
  const nested = record[tag] ?? record['reason'];
  return [tag, ...summaryTags(nested)];
}

export function errorSummary(error: unknown): string {
  return `${summaryTags(error).join('/')}/...`;
}

/** An error route code throws; rendered as the provider would. */
export class DropboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: DropboxUnion | string,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : errorSummary(body));
    this.name = 'DropboxApiError';
  }
}

export function sendDropboxError(response: ServerResponse, error: DropboxApiError): void {
  if (typeof error.body === 'string') {
    sendText(response, error.status, error.body, error.headers);
    return;
  }
  sendJson(response, error.status, { error_summary: errorSummary(error.body), error: error.body }, error.headers);
}

/** 409 with an endpoint error union. */
export function endpointError(body: DropboxUnion): DropboxApiError {
  return new DropboxApiError(409, body);
}

/** 400 plain text, as Dropbox answers input it cannot decode or validate. */
export function badInput(route: string, detail: string): DropboxApiError {
  return new DropboxApiError(400, `Error in call to API function "${route}": ${detail}`);
}

export const lookupNotFound: DropboxUnion = { '.tag': 'not_found' };
export const conflictOf = (kind: 'file' | 'folder' | 'file_ancestor'): DropboxUnion => ({ '.tag': 'conflict', conflict: { '.tag': kind } });

export const renderDropboxFault: FaultRenderer = (response, status, rule) => {
  const headers: Record<string, string> = rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {};
  if (status === 429) {
    const reason = rule.reason ?? 'too_many_requests';
    const error = { reason: { '.tag': reason }, retry_after: rule.retryAfter ?? 1 };
    sendJson(response, 429, { error_summary: `${reason}/...`, error }, { 'retry-after': String(rule.retryAfter ?? 1), ...headers });
    return;
  }
  if (status === 401) {
    const tag = rule.reason ?? 'invalid_access_token';
    sendJson(response, 401, { error_summary: `${tag}/...`, error: { '.tag': tag } }, headers);
    return;
  }
  if (status === 409) {
    const body = { '.tag': rule.reason ?? 'other' };
    sendJson(response, 409, { error_summary: errorSummary(body), error: body }, headers);
    return;
  }
  sendText(response, status, status >= 500 ? 'Internal Server Error' : `Error ${status}`, headers);
};
