/**
 * @module marketplace/manifest-schema.test
 * A manifest is accepted only when every field is right, and a rejection says
 * which field and why (the shipped manifests are checked by the server's
 * catalog-loader test, which can read the folder).
 */
import { describe, expect, it } from 'vitest';
import { addedScopes, describeManifestIssues, integrationManifestSchema } from './manifest-schema.js';

const good = {
  id: 'acme-files',
  name: 'Acme Files',
  version: '1.0.0',
  publisher: { name: 'Acme', url: 'https://acme.example' },
  category: 'storage',
  description: 'Sync with Acme.',
  icon: 'acme-files.svg',
  scopes: [
    { id: 'files:read', description: 'Read files.' },
    { id: 'acme:files', kind: 'provider', description: 'At Acme: read and write files.' },
  ],
  settings: { type: 'object', properties: { folder: { type: 'string', default: '/' } } },
  events: { consumes: ['file.created'] },
  compatibility: { ferry: '>=0.1.0 <1.0.0' },
};

function problems(manifest: unknown): string[] {
  const result = integrationManifestSchema.safeParse(manifest);
  return result.success ? [] : describeManifestIssues(result.error);
}

describe('integration manifest schema', () => {
  it('accepts a complete manifest and defaults scope kinds and event lists', () => {
    const parsed = integrationManifestSchema.parse(good);
    expect(parsed.scopes[0]?.kind).toBe('ferry');
    expect(parsed.events).toEqual({ consumes: ['file.created'], emits: [] });
  });

  it('rejects bad fields with the path and a reason', () => {
    expect(problems({ ...good, id: 'Acme_Files' })).toEqual([expect.stringMatching(/^id: an integration id is kebab-case/)]);
    expect(problems({ ...good, version: '1.0' })).toEqual(['version: must be a semantic version such as 1.2.0']);
    expect(problems({ ...good, scopes: [{ id: 'files:delete', description: 'x' }] })).toEqual([expect.stringMatching(/^scopes\.0\.id: "files:delete" is not a Ferry scope/)]);
    expect(problems({ ...good, scopes: [good.scopes[0], good.scopes[0]] })).toEqual(['scopes.1.id: the scope "files:read" is listed twice']);
    expect(problems({ ...good, compatibility: { ferry: 'soon' } })).toEqual([expect.stringMatching(/^compatibility\.ferry: must be a version range/)]);
    expect(problems({ ...good, icon: 'https://cdn.example/icon.png' })).toEqual([expect.stringMatching(/^icon: /)]);
    expect(problems({ ...good, category: 'games' })).toEqual([expect.stringMatching(/^category: /)]);
    expect(problems({ ...good, homepage: 'https://x' })).toEqual([expect.stringMatching(/homepage/)]);
    expect(problems({ ...good, settings: { type: 'object', properties: { n: { type: 'integer', minimum: 'one' } } } })).toEqual([expect.stringMatching(/^settings\.properties\.n\.minimum: /)]);
  });

  it('finds the scopes an upgrade adds', () => {
    expect(addedScopes(['files:read'], ['files:read', 'files:write', 'acme:files'])).toEqual(['files:write', 'acme:files']);
    expect(addedScopes(['files:read', 'files:write'], ['files:read'])).toEqual([]);
  });
});
