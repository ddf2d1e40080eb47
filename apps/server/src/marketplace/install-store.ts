/**
 * @module marketplace/install-store
 * Installed integrations as rows and as API answers: find one (404
 * integration_not_installed), list a workspace's, and describe one with the
 * upgrade the catalog offers (the newest compatible version, and the scopes it
 * adds or drops).
 */
import { addedScopes, compareVersions, FerryError, type IntegrationInstall } from '@ferry/core';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import type { MarketplaceInstallsTable } from '../db/schema.js';
import type { Catalog } from './catalog.js';

export type InstallRow = Selectable<MarketplaceInstallsTable>;

const scopesSchema = z.array(z.string());
const settingsSchema = z.record(z.string(), z.unknown());

export function installScopes(row: Pick<InstallRow, 'scopes'>): string[] {
  return scopesSchema.parse(JSON.parse(row.scopes));
}

export function installSettings(row: Pick<InstallRow, 'settings'>): Record<string, unknown> {
  return settingsSchema.parse(JSON.parse(row.settings));
}

export async function findInstall(ctx: ServerContext, workspaceId: string, integrationId: string): Promise<InstallRow | undefined> {
  return ctx.db.selectFrom('marketplace_installs').selectAll().where('workspace_id', '=', workspaceId).where('integration_id', '=', integrationId).executeTakeFirst();
}

export async function requireInstall(ctx: ServerContext, workspaceId: string, integrationId: string): Promise<InstallRow> {
  const row = await findInstall(ctx, workspaceId, integrationId);
  if (row === undefined) throw new FerryError('integration_not_installed', `${integrationId} is not installed in this workspace.`);
  return row;
}

export async function listInstallRows(ctx: ServerContext, workspaceId: string): Promise<InstallRow[]> {
  return ctx.db.selectFrom('marketplace_installs').selectAll().where('workspace_id', '=', workspaceId).orderBy('installed_at').orderBy('integration_id').execute();
}

/** Whether an integration is installed and enabled in a workspace (for integration code to check before it acts). */
export async function isIntegrationEnabled(ctx: ServerContext, workspaceId: string, integrationId: string): Promise<boolean> {
  const row = await findInstall(ctx, workspaceId, integrationId);
  return row !== undefined && row.enabled === 1;
}

export function describeInstall(catalog: Catalog, row: InstallRow): IntegrationInstall {
  const scopes = installScopes(row);
  const newest = catalog.newestCompatible(row.integration_id);
  const upgrade =
    newest !== undefined && compareVersions(newest.manifest.version, row.version) > 0
      ? {
          version: newest.manifest.version,
          addedScopes: newest.manifest.scopes.filter((scope) => addedScopes(scopes, [scope.id]).length > 0),
          removedScopes: scopes.filter((scope) => !newest.manifest.scopes.some((candidate) => candidate.id === scope)),
        }
      : null;
  return {
    workspaceId: row.workspace_id,
    integrationId: row.integration_id,
    name: catalog.versions(row.integration_id)[0]?.manifest.name ?? row.integration_id,
    version: row.version,
    enabled: row.enabled === 1,
    scopes,
    settings: installSettings(row),
    installedAt: row.installed_at,
    installedBy: row.installed_by,
    updatedAt: row.updated_at,
    upgrade,
  };
}
