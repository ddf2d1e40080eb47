/**
 * @module api/describe-error
 * Turns anything thrown into a sentence for the user, keeping the API's code
 * visible so a message is never swallowed into "something went wrong".
 */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof message === 'string' && message !== '') {
      return typeof code === 'string' && code !== '' ? `${message} (${code})` : message;
    }
  }
  if (typeof error === 'string' && error !== '') return error;
  return 'Something went wrong, and the browser gave no reason.';
}

/** The stable code of an API error, if it has one. */
export function errorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return null;
}

/** The integration an API refusal is about: the gate's 403s (`integration_not_enabled`, `integration_disabled`) name it in their details. */
export interface IntegrationOfError {
  id: string;
  /** Its display name when the server gave one. */
  name: string | null;
  code: 'integration_not_enabled' | 'integration_disabled';
}

const integrationIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function integrationOfError(error: unknown): IntegrationOfError | null {
  const code = errorCode(error);
  if (code !== 'integration_not_enabled' && code !== 'integration_disabled') return null;
  const details = (error as { details?: unknown }).details;
  if (typeof details !== 'object' || details === null) return null;
  const { integrationId, name } = details as { integrationId?: unknown; name?: unknown };
  if (typeof integrationId !== 'string' || !integrationIdPattern.test(integrationId)) return null;
  return { id: integrationId, name: typeof name === 'string' && name !== '' ? name : null, code };
}
