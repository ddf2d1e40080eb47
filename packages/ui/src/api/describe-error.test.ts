/**
 * @module api/describe-error.test
 * The integration a gate refusal is about is read from the error the API
 * client throws (code + details), so the console can link to its marketplace
 * page; other errors, and details that are not an integration id, give none.
 */
import { FerryError } from '@ferry/core';
import { describe, expect, it } from 'vitest';
import { describeError, integrationOfError } from './describe-error.js';

describe('the integration of an API error', () => {
  it('names the integration of integration_not_enabled and integration_disabled', () => {
    const missing = new FerryError('integration_not_enabled', 'The Google Drive integration is not installed in this workspace.', { integrationId: 'google-drive', name: 'Google Drive', state: 'not_installed' });
    expect(integrationOfError(missing)).toEqual({ id: 'google-drive', name: 'Google Drive', code: 'integration_not_enabled' });
    expect(describeError(missing)).toBe('The Google Drive integration is not installed in this workspace. (integration_not_enabled)');
    const disabled = new FerryError('integration_disabled', 'The Slack integration is disabled.', { integrationId: 'slack', state: 'disabled' });
    expect(integrationOfError(disabled)).toEqual({ id: 'slack', name: null, code: 'integration_disabled' });
  });

  it('gives none for other codes or for details without a usable id', () => {
    expect(integrationOfError(new FerryError('forbidden', 'No.', { integrationId: 'slack' }))).toBeNull();
    expect(integrationOfError(new FerryError('integration_disabled', 'Disabled.'))).toBeNull();
    expect(integrationOfError(new FerryError('integration_disabled', 'Disabled.', { integrationId: '../admin' }))).toBeNull();
    expect(integrationOfError(new Error('plain'))).toBeNull();
    expect(integrationOfError(null)).toBeNull();
  });
});
