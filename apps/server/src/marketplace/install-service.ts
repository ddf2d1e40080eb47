/**
 * @module marketplace/install-service
 * What an admin does with an integration in a workspace: install (consenting
 * to exactly its scopes), configure (settings checked against its schema),
 * enable/disable, upgrade (asked again when the new version adds scopes) and
 * remove (what belongs to it is revoked first — see removal.ts). Every change
 * is written with its audit row in one transaction.
 */
import { compareVersions, defaultSettings, FerryError, validateSettings, type IntegrationManifest } from '@ferry/core';
import type { Actor } from '../auth/actor.js';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import { newId } from '../ids.js';
import type { Catalog } from './catalog.js';
import type { LoadedManifest } from './catalog-loader.js';
import { findInstall, installScopes, installSettings, requireInstall, type InstallRow } from './install-store.js';
import { pauseIntegration, resumeIntegration } from './integration-state.js';
import { revokeIntegrationResources, type RevokedResources } from './removal.js';

export interface ChangeContext {
  ctx: ServerContext;
  catalog: Catalog;
  actor: Actor;
  ip: string | null;
}

/** Consent must name exactly the scopes of the version: nothing missing, nothing extra. */
function requireConsent(manifest: IntegrationManifest, consented: readonly string[], added: readonly string[] | null = null): void {
  const wanted = manifest.scopes.map((scope) => scope.id);
  const missing = wanted.filter((scope) => !consented.includes(scope));
  const extra = consented.filter((scope) => !wanted.includes(scope));
  if (missing.length === 0 && extra.length === 0) return;
  const addedScopes = added ?? missing;
  throw new FerryError(
    'consent_required',
    added !== null
      ? `${manifest.name} ${manifest.version} asks for more than the installed version: consent to ${addedScopes.join(', ')} to upgrade.`
      : `Installing ${manifest.name} needs consent to exactly its scopes${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${extra.length > 0 ? `; not asked for: ${extra.join(', ')}` : ''}.`,
    { scopes: wanted, addedScopes, missing, extra },
  );
}

function requireCompatible(catalog: Catalog, loaded: LoadedManifest): void {
  if (!catalog.compatible(loaded)) {
    const { name, version, compatibility } = loaded.manifest;
    throw new FerryError('integration_incompatible', `${name} ${version} needs Ferry ${compatibility.ferry}; this server is ${catalog.ferryVersion}.`);
  }
}

function checkedSettings(manifest: IntegrationManifest, values: Record<string, unknown>): Record<string, unknown> {
  const result = validateSettings(manifest.settings, values);
  if (!result.ok) {
    throw new FerryError('validation_failed', `Check the settings: ${result.issues.map((issue) => issue.message).join('; ')}.`, { issues: result.issues });
  }
  return result.value;
}

export async function installIntegration(
  change: ChangeContext,
  workspaceId: string,
  body: { integrationId: string; version?: string | undefined; consentedScopes: string[]; settings?: Record<string, unknown> | undefined },
): Promise<InstallRow> {
  const { ctx, catalog, actor, ip } = change;
  const loaded = catalog.get(body.integrationId, body.version);
  requireCompatible(catalog, loaded);
  const { manifest } = loaded;
  requireConsent(manifest, body.consentedScopes);
  const settings = body.settings === undefined ? defaultSettings(manifest.settings) : checkedSettings(manifest, body.settings);
  if ((await findInstall(ctx, workspaceId, manifest.id)) !== undefined) throw new FerryError('already_installed', `${manifest.name} is already installed in this workspace.`);
  const now = ctx.clock.now().toISOString();
  const row: InstallRow = {
    id: newId('ins'),
    workspace_id: workspaceId,
    integration_id: manifest.id,
    version: manifest.version,
    enabled: 1,
    scopes: JSON.stringify(manifest.scopes.map((scope) => scope.id)),
    settings: JSON.stringify(settings),
    installed_by: actor.userId,
    installed_at: now,
    updated_at: now,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('marketplace_installs').values(row).execute();
    await appendAudit(trx, {
      at: now,
      workspaceId,
      actorId: actor.userId,
      action: 'integration.installed',
      target: manifest.id,
      ip,
      details: { version: manifest.version, scopes: manifest.scopes.map((scope) => scope.id) },
    });
  });
  // What waited for the install (a pair or endpoint left from before the install rule) starts now.
  await resumeIntegration(ctx, { workspaceId, integrationId: manifest.id, name: manifest.name, provider: manifest.provider ?? null });
  return row;
}

async function updateInstall(change: ChangeContext, row: InstallRow, values: Partial<InstallRow>, action: string, details: Record<string, unknown>): Promise<InstallRow> {
  const { ctx, actor, ip } = change;
  const now = ctx.clock.now().toISOString();
  const updated = { ...row, ...values, updated_at: now };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('marketplace_installs').set({ ...values, updated_at: now }).where('id', '=', row.id).execute();
    await appendAudit(trx, { at: now, workspaceId: row.workspace_id, actorId: actor.userId, action, target: row.integration_id, ip, details });
  });
  return updated;
}

export async function configureIntegration(change: ChangeContext, workspaceId: string, integrationId: string, values: Record<string, unknown>): Promise<InstallRow> {
  const row = await requireInstall(change.ctx, workspaceId, integrationId);
  const { manifest } = change.catalog.get(integrationId, row.version);
  const settings = checkedSettings(manifest, values);
  const before = installSettings(row);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(settings)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(settings[key])).sort();
  // The audit names the settings that changed, not their values (a value may be private).
  return updateInstall(change, row, { settings: JSON.stringify(settings) }, 'integration.configured', { version: row.version, changed });
}

export async function setIntegrationEnabled(change: ChangeContext, workspaceId: string, integrationId: string, enabled: boolean): Promise<InstallRow> {
  const row = await requireInstall(change.ctx, workspaceId, integrationId);
  if ((row.enabled === 1) === enabled) return row;
  const updated = await updateInstall(change, row, { enabled: enabled ? 1 : 0 }, enabled ? 'integration.enabled' : 'integration.disabled', { version: row.version });
  const manifest = change.catalog.versions(integrationId)[0]?.manifest;
  const target = { workspaceId, integrationId, name: manifest?.name ?? integrationId, provider: manifest?.provider ?? null };
  // The flag first, then its effects: a run or a call that starts in between already sees the flag.
  if (enabled) await resumeIntegration(change.ctx, target);
  else await pauseIntegration(change.ctx, target);
  return updated;
}

export async function upgradeIntegration(
  change: ChangeContext,
  workspaceId: string,
  integrationId: string,
  body: { version?: string | undefined; consentedScopes?: string[] | undefined },
): Promise<InstallRow> {
  const { catalog } = change;
  const row = await requireInstall(change.ctx, workspaceId, integrationId);
  const target = body.version === undefined ? catalog.newestCompatible(integrationId) : catalog.get(integrationId, body.version);
  if (target === undefined || compareVersions(target.manifest.version, row.version) <= 0) {
    throw new FerryError('conflict', `${integrationId} ${row.version} is already the newest version this server can run${body.version !== undefined ? ` (asked for ${body.version})` : ''}.`);
  }
  requireCompatible(catalog, target);
  const { manifest } = target;
  const current = installScopes(row);
  const scopes = manifest.scopes.map((scope) => scope.id);
  const added = scopes.filter((scope) => !current.includes(scope));
  if (added.length > 0) requireConsent(manifest, body.consentedScopes ?? [], added);
  // Settings carry over where the new version still has them; new ones take their defaults.
  const kept = Object.fromEntries(Object.entries(installSettings(row)).filter(([key]) => Object.hasOwn(manifest.settings.properties, key)));
  const settings = checkedSettings(manifest, kept);
  return updateInstall(
    change,
    row,
    { version: manifest.version, scopes: JSON.stringify(scopes), settings: JSON.stringify(settings) },
    'integration.upgraded',
    { from: row.version, to: manifest.version, addedScopes: added, removedScopes: current.filter((scope) => !scopes.includes(scope)) },
  );
}

export async function removeIntegration(change: ChangeContext, workspaceId: string, integrationId: string): Promise<RevokedResources> {
  const { ctx, catalog, actor, ip } = change;
  const row = await requireInstall(ctx, workspaceId, integrationId);
  const provider = catalog.versions(integrationId)[0]?.manifest.provider ?? null;
  // Revoke first: if that fails the install stays, and removing again finishes the job.
  const revoked = await revokeIntegrationResources(ctx, { workspaceId, integrationId, provider, actor, ip });
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('marketplace_installs').where('id', '=', row.id).execute();
    await appendAudit(trx, { at: now, workspaceId, actorId: actor.userId, action: 'integration.removed', target: integrationId, ip, details: { version: row.version, revoked } });
  });
  return revoked;
}
