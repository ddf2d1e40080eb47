/**
 * @module components/error-message
 * Shows a failure to the user as an alert, with the API's own message and code.
 */
import { describeError } from '../api/describe-error.js';

export function ErrorMessage({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p role="alert" className="message message-error">
      {describeError(error)}
    </p>
  );
}

/** A polite status line (successes, progress notes). */
export function StatusMessage({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <p role="status" className="message message-status">
      {text}
    </p>
  );
}
