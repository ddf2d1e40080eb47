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
