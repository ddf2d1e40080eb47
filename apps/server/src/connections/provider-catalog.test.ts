/**
 * @module connections/provider-catalog.test
 * Pointing Slack and Microsoft 365 at their emulators the way an operator
 * does it, through the environment: one ORIGIN moves every endpoint (paths
 * kept, so the emulators answer them), client ids come from the short
 * names, scopes and the revocation call can be changed.
 */
import { describe, expect, it } from 'vitest';
import { configuredProvider, mergeProviderOverrides, providerOverridesFromEnv, resolveProvider } from './provider-catalog.js';

describe('provider catalog overrides from the environment', () => {
  it('moves every Slack endpoint to the emulator and takes the client from FERRY_SLACK_*', () => {
    const overrides = providerOverridesFromEnv({
      FERRY_SLACK_CLIENT_ID: '1111.2222',
      FERRY_SLACK_CLIENT_SECRET: 'slack-secret',
      FERRY_PROVIDER_SLACK_ORIGIN: 'http://127.0.0.1:4101',
    });
    const slack = configuredProvider('slack', overrides);
    expect(slack).toMatchObject({
      authorizeUrl: 'http://127.0.0.1:4101/oauth/v2/authorize',
      tokenUrl: 'http://127.0.0.1:4101/api/oauth.v2.access',
      revokeUrl: 'http://127.0.0.1:4101/api/auth.revoke',
      accountUrl: 'http://127.0.0.1:4101/api/auth.test',
      scopeParameter: 'user_scope',
      dialect: 'slack',
      credentials: { clientId: '1111.2222', clientSecret: 'slack-secret' },
    });
  });

  it('moves the Microsoft identity platform and Graph endpoints, with scopes and revocation adjustable', () => {
    const overrides = providerOverridesFromEnv({
      FERRY_MICROSOFT_CLIENT_ID: 'app-id',
      FERRY_MICROSOFT_CLIENT_SECRET: 'app-secret',
      FERRY_PROVIDER_MICROSOFT_ORIGIN: 'http://127.0.0.1:4102',
      FERRY_PROVIDER_MICROSOFT_SCOPES: 'offline_access User.Read Files.ReadWrite User.RevokeSessions.All',
    });
    const microsoft = configuredProvider('microsoft', overrides);
    expect(microsoft).toMatchObject({
      authorizeUrl: 'http://127.0.0.1:4102/common/oauth2/v2.0/authorize',
      tokenUrl: 'http://127.0.0.1:4102/common/oauth2/v2.0/token',
      revokeUrl: 'http://127.0.0.1:4102/v1.0/me/revokeSignInSessions',
      accountUrl: 'http://127.0.0.1:4102/v1.0/me',
      apiBaseUrl: 'http://127.0.0.1:4102/v1.0',
      dialect: 'microsoft',
      scopes: ['offline_access', 'User.Read', 'Files.ReadWrite', 'User.RevokeSessions.All'],
    });
    const withoutRevocation = providerOverridesFromEnv({ FERRY_PROVIDER_MICROSOFT_REVOKE_URL: 'none' });
    expect(resolveProvider('microsoft', withoutRevocation).revokeUrl).toBeNull();
    // Options given in code win over the environment, field by field.
    const merged = mergeProviderOverrides(overrides, { microsoft: { tokenUrl: 'http://127.0.0.1:4103/tenant-id/oauth2/v2.0/token' } });
    expect(resolveProvider('microsoft', merged)).toMatchObject({ tokenUrl: 'http://127.0.0.1:4103/tenant-id/oauth2/v2.0/token', authorizeUrl: 'http://127.0.0.1:4102/common/oauth2/v2.0/authorize' });
  });

  it('leaves Slack and Microsoft not configured without client credentials', () => {
    expect(resolveProvider('slack', {}).credentials).toBeNull();
    expect(() => configuredProvider('microsoft', {})).toThrow(/FERRY_MICROSOFT_CLIENT_ID/);
  });
});
