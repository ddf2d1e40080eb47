/**
 * @module marketplace/integration-gate
 * The one rule of the marketplace, as users know it from app directories
 * (Slack, Zapier): an integration is usable in a workspace only while it is
 * installed there and enabled. Never installed, removed, or disabled — it
 * does nothing in that workspace: no provider account is connected, no
 * provider token is used or refreshed, no sync pair is created or run, no
 * webhook endpoint / REST hook is made or delivered to, and no token of its
 * OAuth clients is issued, refreshed or accepted.
 *
 * Each refusal names the integration and what to do:
 * - not installed: 403 `integration_not_enabled` — "install X from the marketplace first";
 * - disabled: 403 `integration_disabled` — "an admin can enable it in the marketplace".
 * Features that belong to no manifest (no integration names the provider) are not gated.
 * A deployment from before this rule gets, at its upgrade, every integration each workspace
 * already used installed and enabled (migration 0009, db/migration-0009-installs-in-use.ts).
 */
import { FerryError } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { catalogOf } from './catalog.js';
import { findInstall } from './install-store.js';

export type IntegrationUse = 'enabled' | 'disabled' | 'not_installed';

/** The marketplace integration that connects through a provider (`google-drive`, `dropbox`, `slack`, `microsoft` → `outlook`). */
export function integrationOfProvider(ctx: ServerContext, provider: string): string | null {
  return catalogOf(ctx).search(undefined, undefined).find((loaded) => loaded.manifest.provider === provider)?.manifest.id ?? null;
}

/** The integration's display name (its newest manifest's), else its id. */
export function integrationName(ctx: ServerContext, integrationId: string): string {
  return catalogOf(ctx).versions(integrationId)[0]?.manifest.name ?? integrationId;
}

export async function integrationUse(ctx: ServerContext, workspaceId: string, integrationId: string): Promise<IntegrationUse> {
  const row = await findInstall(ctx, workspaceId, integrationId);
  if (row === undefined) return 'not_installed';
  return row.enabled === 1 ? 'enabled' : 'disabled';
}

/** What a caller is told when the integration is not usable (null when it is). */
export function integrationRefusal(ctx: ServerContext, integrationId: string, use: IntegrationUse): FerryError | null {
  if (use === 'enabled') return null;
  const name = integrationName(ctx, integrationId);
  // The console links the refusal to the integration's marketplace page by its id, and names it.
  const details = { integrationId, name, state: use };
  if (use === 'disabled') {
    return new FerryError('integration_disabled', `The ${name} integration is disabled in this workspace; an admin can enable it in the marketplace.`, details);
  }
  return new FerryError('integration_not_enabled', `The ${name} integration is not installed in this workspace; an admin must install ${name} from the marketplace first.`, details);
}

/** Refuses (403) unless the integration is installed and enabled in the workspace. */
export async function requireIntegrationUsable(ctx: ServerContext, workspaceId: string, integrationId: string): Promise<void> {
  const refusal = integrationRefusal(ctx, integrationId, await integrationUse(ctx, workspaceId, integrationId));
  if (refusal !== null) throw refusal;
}

/** The same for a provider's connections; providers of no manifest are not gated. */
export async function requireProviderUsable(ctx: ServerContext, workspaceId: string, provider: string): Promise<void> {
  const integrationId = integrationOfProvider(ctx, provider);
  if (integrationId !== null) await requireIntegrationUsable(ctx, workspaceId, integrationId);
}
