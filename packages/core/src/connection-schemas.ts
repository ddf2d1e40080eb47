/**
 * @module connection-schemas
 * Connections to other services (Google Drive, Dropbox, Slack, Microsoft 365)
 * as they cross the wire. Tokens never do: a connection shows its account,
 * scopes and status (active | needs_reauth | revoked), and what to do next.
 */
import { z } from 'zod';
import { idSchema, timestampSchema } from './schemas.js';

export const providerIds = ['google-drive', 'dropbox', 'slack', 'microsoft'] as const;
export const providerIdSchema = z.enum(providerIds);
export type ProviderId = z.infer<typeof providerIdSchema>;

export const connectionStatusSchema = z.enum(['active', 'needs_reauth', 'revoked']);
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const connectionProviderSchema = z.object({
  id: providerIdSchema,
  name: z.string(),
  configured: z.boolean().describe('false until the server has a client id and secret for the provider'),
  scopes: z.array(z.string()).describe('what a new connection asks the user to allow'),
});
export type ConnectionProvider = z.infer<typeof connectionProviderSchema>;

export const connectionSchema = z.object({
  id: idSchema,
  workspaceId: idSchema,
  provider: providerIdSchema,
  status: connectionStatusSchema,
  account: z.object({
    id: z.string().describe("the provider's id of the connected account"),
    email: z.string().nullable(),
    name: z.string().nullable(),
  }),
  scopes: z.array(z.string()).describe('the scopes the provider granted'),
  createdBy: idSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  accessTokenExpiresAt: timestampSchema.nullable(),
  lastError: z.string().nullable().describe('the last refresh problem, without any token'),
  action: z.string().nullable().describe('what the user should do, e.g. reconnect after the provider revoked access'),
});
export type Connection = z.infer<typeof connectionSchema>;

export const startConnectionSchema = z.object({
  returnTo: z
    .string()
    .max(500)
    .regex(/^\/(?!\/)/, 'a path on this server')
    .optional()
    .describe('console path to land on after the provider (default /connections)'),
});

export const startedConnectionSchema = z.object({
  authorizeUrl: z.string().describe("open this in the user's browser"),
  expiresAt: timestampSchema.describe('the sign-in must finish before this time'),
});

export const deletedConnectionSchema = z.object({
  ok: z.literal(true),
  revokedAtProvider: z.boolean().describe('false when the provider has no revocation endpoint or could not be reached'),
});
