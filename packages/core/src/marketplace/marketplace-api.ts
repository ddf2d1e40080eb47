/**
 * @module marketplace/marketplace-api
 * Marketplace shapes as they cross the wire: catalog entries (a manifest with
 * its icon inlined and whether this server can run it), per-workspace installs
 * (version, consented scopes, settings, an upgrade waiting), and the bodies of
 * install, configure, enable/disable, upgrade and remove.
 */
import { z } from 'zod';
import { idSchema, timestampSchema } from '../schemas.js';
import { integrationCategorySchema, integrationIdSchema, semverSchema } from './manifest-schema.js';
import { settingsSchemaSchema } from './settings-schema.js';

export const catalogScopeSchema = z.object({
  id: z.string(),
  kind: z.enum(['ferry', 'provider']),
  description: z.string(),
});
export type CatalogScope = z.infer<typeof catalogScopeSchema>;

export const catalogEntrySchema = z.object({
  id: integrationIdSchema,
  name: z.string(),
  version: z.string().describe('the newest version in the catalog'),
  versions: z.array(z.string()).describe('every version the catalog holds, newest first'),
  publisher: z.object({ name: z.string(), url: z.string().optional() }),
  category: integrationCategorySchema,
  description: z.string(),
  icon: z.string().describe('a data:image/svg+xml URI'),
  provider: z.string().optional().describe('the connection provider the integration uses'),
  scopes: z.array(catalogScopeSchema),
  settings: settingsSchemaSchema,
  events: z.object({ consumes: z.array(z.string()), emits: z.array(z.string()) }),
  compatibility: z.object({ ferry: z.string(), platforms: z.array(z.string()).optional() }),
  compatible: z.boolean().describe('whether this server version is in the compatibility range'),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

export const catalogPageSchema = z.object({
  items: z.array(catalogEntrySchema),
  categories: z.array(integrationCategorySchema).describe('every category of the catalog (for the filter), not only the listed ones'),
});

export const installUpgradeSchema = z.object({
  version: z.string(),
  addedScopes: z.array(catalogScopeSchema).describe('scopes the new version asks for in addition: consent is needed for them'),
  removedScopes: z.array(z.string()),
});

export const integrationInstallSchema = z.object({
  workspaceId: idSchema,
  integrationId: integrationIdSchema,
  name: z.string(),
  version: z.string(),
  enabled: z.boolean(),
  scopes: z.array(z.string()).describe('the scopes an admin consented to'),
  settings: z.record(z.string(), z.unknown()),
  installedAt: timestampSchema,
  installedBy: idSchema.nullable(),
  updatedAt: timestampSchema,
  upgrade: installUpgradeSchema.nullable().describe('a newer catalog version, or null'),
});
export type IntegrationInstall = z.infer<typeof integrationInstallSchema>;

const settingsValuesSchema = z.record(z.string(), z.unknown());

export const installIntegrationBodySchema = z.object({
  integrationId: integrationIdSchema,
  version: semverSchema.optional().describe('a version the catalog holds; the newest when left out'),
  consentedScopes: z.array(z.string().max(100)).max(50).describe("must list exactly the version's scopes"),
  settings: settingsValuesSchema.optional(),
});

export const configureIntegrationBodySchema = z.object({ settings: settingsValuesSchema });
export const updateInstallBodySchema = z.object({ enabled: z.boolean() });
export const upgradeIntegrationBodySchema = z.object({
  version: semverSchema.optional().describe('the newest when left out'),
  consentedScopes: z.array(z.string().max(100)).max(50).optional().describe("the new version's full scope list; needed when it adds scopes"),
});

export const removedIntegrationSchema = z.object({
  ok: z.literal(true),
  revoked: z.object({
    webhookEndpoints: z.number().int().nonnegative(),
    connections: z.number().int().nonnegative(),
    jobs: z.number().int().nonnegative(),
    syncPairs: z.number().int().nonnegative().describe('sync pairs of the provider\'s connections, deleted'),
    oauthTokens: z.number().int().nonnegative().describe('Ferry-issued OAuth tokens of the integration\'s clients in this workspace, revoked'),
  }),
});
