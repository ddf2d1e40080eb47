/**
 * @module marketplace/catalog-loader.test
 * Every manifest shipped in manifests/marketplace is valid (icons included),
 * and a bad one stops the load — and the server's start — with a message
 * naming the file and the field.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../testing/index.js';
import { loadCatalog } from './catalog.js';
import { defaultMarketplaceDir, loadManifests } from './catalog-loader.js';

const shipped = defaultMarketplaceDir();
const folders: string[] = [];

/** A copy of the shipped folder, changed by `edit`. */
function variant(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-marketplace-'));
  folders.push(dir);
  for (const name of readdirSync(shipped)) if (name.includes('.')) copyFileSync(join(shipped, name), join(dir, name));
  edit(dir);
  return dir;
}

function editJson(file: string, change: (manifest: Record<string, unknown>) => void): void {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(manifest);
  writeFileSync(file, JSON.stringify(manifest));
}

afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('marketplace manifests', () => {
  it('ships a valid manifest for each integration, with its icon inlined, runnable on this server', () => {
    const catalog = loadCatalog(shipped);
    const ids = catalog.search(undefined, undefined).map((loaded) => loaded.manifest.id);
    expect(ids.sort()).toEqual(['dropbox', 'google-drive', 'outlook', 'slack', 'webhooks', 'zapier']);
    for (const loaded of catalog.search(undefined, undefined)) {
      expect(loaded.icon).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(catalog.compatible(loaded), `${loaded.file} compatibility`).toBe(true);
      expect(loaded.manifest.scopes.length).toBeGreaterThan(0);
    }
    expect(catalog.versions('webhooks').map((loaded) => loaded.manifest.version)).toEqual(['1.1.0', '1.0.0']);
  });

  it('names the file and the field of a bad manifest', () => {
    const dir = variant((d) => editJson(join(d, 'slack.json'), (m) => (m.scopes = [{ id: 'files:everything', description: 'all' }])));
    expect(() => loadManifests(dir)).toThrow(/slack\.json:\n {2}scopes\.0\.id: "files:everything" is not a Ferry scope/);

    const typo = variant((d) => editJson(join(d, 'dropbox.json'), (m) => (m.setings = {})));
    expect(() => loadManifests(typo)).toThrow(/dropbox\.json:[\s\S]*setings/);

    const renamed = variant((d) => editJson(join(d, 'zapier.json'), (m) => (m.id = 'zapier-two')));
    expect(() => loadManifests(renamed)).toThrow(/zapier\.json:\n {2}id: "zapier-two" must match the file name/);

    const notJson = variant((d) => writeFileSync(join(d, 'outlook.json'), '{ "id": '));
    expect(() => loadManifests(notJson)).toThrow(/outlook\.json:\n {2}not valid JSON/);

    const scripted = variant((d) => writeFileSync(join(d, 'slack.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    expect(() => loadManifests(scripted)).toThrow(/slack\.json:\n {2}icon: the SVG contains a <script> element/);

    const yaml = variant((d) => writeFileSync(join(d, 'extra.yaml'), 'id: extra'));
    expect(() => loadManifests(yaml)).toThrow(/extra\.yaml:\n {2}YAML manifests are not read/);
  });

  it('checks archived versions: named <id>-<version>.json and older than the current one', () => {
    const dir = variant((d) => {
      mkdirSync(join(d, 'archive'));
      copyFileSync(join(shipped, 'slack.json'), join(d, 'archive', 'slack-1.0.0.json'));
    });
    expect(() => loadManifests(dir)).toThrow(/slack-1\.0\.0\.json:\n {2}version: an archived version must be older than the current 1\.0\.0/);
  });

  it('refuses to start a server on a bad manifest', async () => {
    const dir = variant((d) => editJson(join(d, 'webhooks.json'), (m) => (m.version = 'latest')));
    await expect(startTestServer({ marketplaceDir: dir })).rejects.toThrow(/webhooks\.json:\n {2}version: must be a semantic version/);
  });
});
