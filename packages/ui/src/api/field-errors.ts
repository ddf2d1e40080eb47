/**
 * @module api/field-errors
 * The field-level issues of a `validation_failed` answer, keyed by field name,
 * so a form can show each message under its field.
 */
import { errorCode } from './describe-error.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (errorCode(error) !== 'validation_failed' || !isRecord(error) || !isRecord(error.details)) return {};
  const { issues } = error.details;
  const errors: Record<string, string> = {};
  if (!Array.isArray(issues)) return errors;
  for (const issue of issues) {
    if (!isRecord(issue) || !Array.isArray(issue.path) || typeof issue.message !== 'string') continue;
    const field = issue.path[0];
    if (typeof field === 'string' && errors[field] === undefined) errors[field] = issue.message;
  }
  return errors;
}
