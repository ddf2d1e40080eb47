/**
 * @module marketplace/catalog-loader
 * Reads the marketplace folder at start: every `<id>.json` is the current
 * manifest of an integration, and `archive/<id>-<version>.json` holds older
 * versions that can still be installed (and upgraded from). Each manifest is
 * validated with the core schema, its icon checked and inlined. Any problem
 * stops the start with a message naming the file and the field.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVersions, describeManifestIssues, integrationManifestSchema, type IntegrationManifest } from '@ferry/core';
import { iconProblem, svgDataUri, svgFromDataUri } from './manifest-icon.js';

export interface LoadedManifest {
  manifest: IntegrationManifest;
  /** The file it came from (for messages). */
  file: string;
  /** The icon as a data:image/svg+xml URI. */
  icon: string;
}

export class ManifestError extends Error {
  constructor(file: string, problems: readonly string[]) {
    super(`Invalid marketplace manifest ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'ManifestError';
  }
}

/** `manifests/marketplace` of the repository, from `src/marketplace` or `dist/marketplace` alike. */
export function defaultMarketplaceDir(): string {
  return fileURLToPath(new URL('../../../../manifests/marketplace/', import.meta.url));
}

function shown(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') ? file : fromCwd;
}

function readIcon(icon: string, folders: readonly string[], file: string): string {
  let svg: string | null;
  if (icon.startsWith('data:')) {
    svg = svgFromDataUri(icon);
    if (svg === null) throw new ManifestError(file, ['icon: not a readable data:image/svg+xml URI']);
  } else {
    const found = folders.map((folder) => join(folder, icon)).find((path) => existsSync(path));
    if (found === undefined) throw new ManifestError(file, [`icon: "${icon}" was not found beside the manifest`]);
    svg = readFileSync(found, 'utf8');
  }
  const problem = iconProblem(svg);
  if (problem !== null) throw new ManifestError(file, [`icon: the SVG ${problem}`]);
  return svgDataUri(svg);
}

/** Reads and validates one manifest file; `folders` are where its icon may be. */
export function loadManifestFile(path: string, folders: readonly string[]): LoadedManifest {
  const file = shown(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ManifestError(file, [`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  const parsed = integrationManifestSchema.safeParse(raw);
  if (!parsed.success) throw new ManifestError(file, describeManifestIssues(parsed.error));
  return { manifest: parsed.data, file, icon: readIcon(parsed.data.icon, folders, file) };
}

function jsonFiles(dir: string): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  const yaml = names.find((name) => /\.ya?ml$/i.test(name));
  if (yaml !== undefined) throw new ManifestError(shown(join(dir, yaml)), ['YAML manifests are not read; write the manifest as JSON (<id>.json)']);
  return names.filter((name) => name.endsWith('.json')).sort();
}

/** Every version of every integration in the folder, newest first per id. */
export function loadManifests(dir: string): Map<string, LoadedManifest[]> {
  if (!existsSync(dir)) throw new Error(`The marketplace folder ${dir} does not exist (set marketplaceDir or FERRY_MARKETPLACE_DIR).`);
  const byId = new Map<string, LoadedManifest[]>();
  const add = (loaded: LoadedManifest) => {
    const versions = byId.get(loaded.manifest.id) ?? [];
    const twin = versions.find((other) => other.manifest.version === loaded.manifest.version);
    if (twin !== undefined) throw new ManifestError(loaded.file, [`version: ${loaded.manifest.id} ${loaded.manifest.version} is also in ${twin.file}`]);
    byId.set(loaded.manifest.id, [...versions, loaded]);
  };
  for (const name of jsonFiles(dir)) {
    const loaded = loadManifestFile(join(dir, name), [dir]);
    if (name !== `${loaded.manifest.id}.json`) throw new ManifestError(loaded.file, [`id: "${loaded.manifest.id}" must match the file name (${loaded.manifest.id}.json)`]);
    add(loaded);
  }
  const archive = join(dir, 'archive');
  if (existsSync(archive)) {
    for (const name of jsonFiles(archive)) {
      const loaded = loadManifestFile(join(archive, name), [archive, dir]);
      const { id, version } = loaded.manifest;
      if (name !== `${id}-${version}.json`) throw new ManifestError(loaded.file, [`id/version: an archived manifest is named <id>-<version>.json (${id}-${version}.json)`]);
      const current = byId.get(id)?.[0];
      if (current === undefined) throw new ManifestError(loaded.file, [`id: there is no current manifest ${id}.json for this archived version`]);
      if (compareVersions(version, current.manifest.version) >= 0) {
        throw new ManifestError(loaded.file, [`version: an archived version must be older than the current ${current.manifest.version} (${current.file})`]);
      }
      add(loaded);
    }
  }
  for (const versions of byId.values()) versions.sort((a, b) => compareVersions(b.manifest.version, a.manifest.version));
  return byId;
}
