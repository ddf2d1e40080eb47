/**
 * @module marketplace/manifest-schema
 * The manifest of a marketplace integration (`manifests/marketplace/<id>.json`):
 * who publishes it, what it is for, what it may do (scopes — Ferry's own API
 * scopes plus the provider-side ones, described in words), its settings as a
 * JSON Schema subset, the Ferry events it consumes and emits, and the Ferry
 * versions it runs on. Strict: an unknown field is an error, so a typo is
 * caught when the server starts instead of being ignored.
 */
import { z } from 'zod';
import type { ApiScope } from '../api/define.js';
import { isSemVer, isSemVerRange } from './semver.js';
import { settingsSchemaSchema } from './settings-schema.js';

/** Ferry's own scopes an integration can be granted (the OAuth scopes of the API). */
export const ferryScopeIds = ['files:read', 'files:write', 'shares:write', 'webhooks:manage'] as const satisfies readonly ApiScope[];

export const integrationIdSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'an integration id is kebab-case: lower-case letters and digits joined by single dashes');

export const semverSchema = z.string().max(64).refine(isSemVer, 'must be a semantic version such as 1.2.0');

export const integrationCategories = ['storage', 'communication', 'automation', 'developer', 'productivity', 'security'] as const;
export const integrationCategorySchema = z.enum(integrationCategories);
export type IntegrationCategory = z.infer<typeof integrationCategorySchema>;

export const manifestScopeSchema = z
  .strictObject({
    id: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'a scope id is letters, digits and . _ : / -, e.g. files:read or slack:chat.write'),
    /** `ferry`: one of Ferry's API scopes; `provider`: a permission at the other service, described in words. */
    kind: z.enum(['ferry', 'provider']).default('ferry'),
    description: z.string().min(1).max(300),
  })
  .superRefine((scope, context) => {
    if (scope.kind === 'ferry' && !(ferryScopeIds as readonly string[]).includes(scope.id)) {
      context.addIssue({ code: 'custom', path: ['id'], message: `"${scope.id}" is not a Ferry scope (${ferryScopeIds.join(', ')}); mark provider permissions with "kind": "provider"` });
    }
  });
export type ManifestScope = z.infer<typeof manifestScopeSchema>;

const eventTypeNameSchema = z.string().regex(/^[a-z]+(?:\.[a-z_]+)+$/, 'an event type such as file.created');

/** An icon: a small SVG file beside the manifest (`slack.svg`) or an inline `data:image/svg+xml` URI. */
export const manifestIconSchema = z
  .string()
  .min(1)
  .max(16_384)
  .refine((icon) => /^[a-z0-9][a-z0-9._-]*\.svg$/.test(icon) || icon.startsWith('data:image/svg+xml'), 'an icon is an .svg file name beside the manifest or a data:image/svg+xml URI');

export const integrationManifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: integrationIdSchema,
    name: z.string().min(1).max(60),
    version: semverSchema,
    publisher: z.strictObject({ name: z.string().min(1).max(100), url: z.url().optional() }),
    category: integrationCategorySchema,
    description: z.string().min(1).max(600),
    icon: manifestIconSchema,
    /** The connection provider whose connections belong to this integration (revoked when it is removed). */
    provider: z.string().regex(/^[a-z0-9-]+$/).optional(),
    scopes: z.array(manifestScopeSchema).max(50),
    settings: settingsSchemaSchema,
    events: z.strictObject({
      consumes: z.array(eventTypeNameSchema).max(100).default([]),
      emits: z.array(eventTypeNameSchema).max(100).default([]),
    }),
    compatibility: z.strictObject({
      ferry: z.string().max(100).refine(isSemVerRange, 'must be a version range such as ">=0.1.0 <2.0.0" or "^1.0.0"'),
      platforms: z.array(z.enum(['server', 'web', 'desktop', 'outlook', 'slack', 'zapier', 'cli'])).optional(),
    }),
  })
  .superRefine((manifest, context) => {
    const seen = new Set<string>();
    for (const [index, scope] of manifest.scopes.entries()) {
      if (seen.has(scope.id)) context.addIssue({ code: 'custom', path: ['scopes', index, 'id'], message: `the scope "${scope.id}" is listed twice` });
      seen.add(scope.id);
    }
  });
export type IntegrationManifest = z.infer<typeof integrationManifestSchema>;

/** Turns a zod failure into lines such as `scopes.0.id: "files:delete" is not a Ferry scope`. */
export function describeManifestIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length === 0 ? '(manifest)' : issue.path.map(String).join('.')}: ${issue.message}`);
}

/** The scope ids of `next` that `current` does not have (what an upgrade must ask consent for). */
export function addedScopes(current: readonly string[], next: readonly string[]): string[] {
  const had = new Set(current);
  return next.filter((scope) => !had.has(scope));
}
