/**
 * @module error-body
 * The schema of the JSON body of every error answer, `{error: {code,
 * message, details?}}` (the `ErrorBody` of `errors.ts`).
 */
import { z } from 'zod';
import type { ErrorBody } from './errors.js';

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
}) satisfies z.ZodType<ErrorBody>;
