/**
 * @module marketplace/settings-schema.test
 * The settings JSON Schema subset: what a manifest may declare, and how values
 * are checked (field by field, with the setting's title in the message).
 */
import { describe, expect, it } from 'vitest';
import { settingsSchemaSchema, validateSettings, type SettingsSchema } from './settings-schema.js';

const schema: SettingsSchema = settingsSchemaSchema.parse({
  type: 'object',
  properties: {
    channel: { type: 'string', title: 'Channel', pattern: '^#[a-z0-9_-]+$' },
    mode: { type: 'string', enum: ['fast', 'safe'], default: 'safe' },
    homepage: { type: 'string', format: 'uri' },
    contact: { type: 'string', format: 'email' },
    enabled: { type: 'boolean', default: true },
    retries: { type: 'integer', title: 'Retries', minimum: 0, maximum: 10 },
    ratio: { type: 'number', minimum: 0, maximum: 1 },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, uniqueItems: true, maxItems: 2 },
  },
  required: ['channel'],
});

describe('settings schema', () => {
  it('accepts good values and fills in defaults', () => {
    const result = validateSettings(schema, { channel: '#files', retries: 3, ratio: 0.5, tags: ['a'], homepage: 'https://example.com/x', contact: 'ops@example.com' });
    expect(result).toEqual({ ok: true, value: { channel: '#files', mode: 'safe', enabled: true, retries: 3, ratio: 0.5, tags: ['a'], homepage: 'https://example.com/x', contact: 'ops@example.com' } });
  });

  it('names every bad field with a reason', () => {
    const result = validateSettings(schema, { mode: 'turbo', homepage: 'not a url', contact: 'nobody', enabled: 'yes', retries: 2.5, ratio: 3, tags: ['a', 'a'], extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byField = Object.fromEntries(result.issues.map((issue) => [issue.path[0], issue.message]));
    expect(byField).toEqual({
      extra: '"extra" is not a setting of this integration',
      channel: 'Channel is required',
      mode: 'mode must be one of: fast, safe',
      homepage: 'homepage must be a URL such as https://example.com/path',
      contact: 'contact must be an email address',
      enabled: 'enabled must be true or false',
      retries: 'Retries must be a whole number',
      ratio: 'ratio must be at most 1',
      tags: 'tags has the same entry twice',
    });
    expect(validateSettings(schema, { channel: 'files' })).toMatchObject({ ok: false, issues: [{ path: ['channel'], message: expect.stringContaining('expected form') }] });
    expect(validateSettings(schema, { channel: '#x', retries: 11 })).toMatchObject({ ok: false, issues: [{ path: ['retries'], message: 'Retries must be at most 10' }] });
  });

  it('refuses schemas outside the subset, required names that are not properties, and bad defaults', () => {
    const nested = settingsSchemaSchema.safeParse({ type: 'object', properties: { deep: { type: 'object', properties: {} } } });
    expect(nested.success).toBe(false);
    const unknownKeyword = settingsSchemaSchema.safeParse({ type: 'object', properties: { a: { type: 'string', oneOf: [] } } });
    expect(unknownKeyword.success).toBe(false);
    const required = settingsSchemaSchema.safeParse({ type: 'object', properties: {}, required: ['ghost'] });
    expect(required.error?.issues[0]?.message).toContain('"ghost" is required but is not one of the properties');
    const badDefault = settingsSchemaSchema.safeParse({ type: 'object', properties: { n: { type: 'integer', maximum: 5, default: 9 } } });
    expect(badDefault.error?.issues[0]).toMatchObject({ path: ['properties', 'n', 'default'], message: 'the default must be at most 5' });
  });
});
