/**
 * @module testing/install-integration
 * For tests: an admin installs an integration of the marketplace in a
 * workspace through the real API, consenting to exactly the scopes its
 * catalog entry asks for — what the console's install button does. Tests
 * that connect accounts, create sync pairs or webhook endpoints call it
 * first, because an integration is usable only while installed.
 */
import { catalogEntrySchema } from '@ferry/core';

/** A fetch as a workspace admin (a TestUser's `api`, a harness's cookie `api`). */
export type AdminFetch = (path: string, init?: RequestInit) => Promise<Response>;

export async function installForTest(api: AdminFetch, workspaceId: string, integrationId: string): Promise<void> {
  const entry = await api(`/api/v1/marketplace/integrations/${integrationId}`);
  if (entry.status !== 200) throw new Error(`the catalog has no ${integrationId} (${entry.status}): ${await entry.text()}`);
  const { scopes } = catalogEntrySchema.parse(await entry.json());
  const installed = await api(`/api/v1/workspaces/${workspaceId}/integrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ integrationId, consentedScopes: scopes.map((scope) => scope.id) }),
  });
  if (installed.status !== 201) throw new Error(`installing ${integrationId} answered ${installed.status}: ${await installed.text()}`);
}
