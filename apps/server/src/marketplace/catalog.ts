/**
 * @module marketplace/catalog
 * The loaded catalog of a server: search and category filter over the newest
 * version of each integration, lookup by id and version, and the newest
 * version this server can run (for upgrades). One per ServerContext, loaded
 * when the routes are registered.
 */
import { FerryError, satisfiesRange, type CatalogEntry, type IntegrationCategory } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { defaultMarketplaceDir, loadManifests, type LoadedManifest } from './catalog-loader.js';
import { ferryVersion } from './ferry-version.js';

export class Catalog {
  readonly #byId: Map<string, LoadedManifest[]>;
  readonly ferryVersion: string;

  constructor(byId: Map<string, LoadedManifest[]>, version: string) {
    this.#byId = byId;
    this.ferryVersion = version;
  }

  get size(): number {
    return this.#byId.size;
  }

  compatible(loaded: LoadedManifest): boolean {
    return satisfiesRange(this.ferryVersion, loaded.manifest.compatibility.ferry);
  }

  versions(id: string): readonly LoadedManifest[] {
    return this.#byId.get(id) ?? [];
  }

  /** One version (the newest when `version` is left out); 404 integration_not_found otherwise. */
  get(id: string, version?: string): LoadedManifest {
    const versions = this.versions(id);
    const found = version === undefined ? versions[0] : versions.find((candidate) => candidate.manifest.version === version);
    if (found === undefined) {
      throw new FerryError('integration_not_found', version === undefined || versions.length === 0 ? `No integration "${id}" in the marketplace.` : `The marketplace has no version ${version} of ${id}.`);
    }
    return found;
  }

  /** The newest version this server can run, if any. */
  newestCompatible(id: string): LoadedManifest | undefined {
    return this.versions(id).find((candidate) => this.compatible(candidate));
  }

  categories(): IntegrationCategory[] {
    return [...new Set([...this.#byId.values()].flatMap((versions) => (versions[0] ? [versions[0].manifest.category] : [])))].sort();
  }

  /** The newest version of each integration whose text matches `q` (every word), in `category`, by name. */
  search(q: string | undefined, category: IntegrationCategory | undefined): LoadedManifest[] {
    const words = (q ?? '').toLowerCase().split(/\s+/).filter((word) => word !== '');
    return [...this.#byId.values()]
      .flatMap((versions) => (versions[0] ? [versions[0]] : []))
      .filter(({ manifest }) => category === undefined || manifest.category === category)
      .filter(({ manifest }) => {
        const text = [manifest.id, manifest.name, manifest.description, manifest.publisher.name, manifest.category, ...manifest.scopes.flatMap((scope) => [scope.id, scope.description])]
          .join(' ')
          .toLowerCase();
        return words.every((word) => text.includes(word));
      })
      .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  }

  entry(loaded: LoadedManifest): CatalogEntry {
    const { manifest } = loaded;
    return {
      id: manifest.id,
      name: manifest.name,
      version: manifest.version,
      versions: this.versions(manifest.id).map((candidate) => candidate.manifest.version),
      publisher: manifest.publisher,
      category: manifest.category,
      description: manifest.description,
      icon: loaded.icon,
      ...(manifest.provider === undefined ? {} : { provider: manifest.provider }),
      scopes: manifest.scopes,
      settings: manifest.settings,
      events: manifest.events,
      compatibility: manifest.compatibility,
      compatible: this.compatible(loaded),
    };
  }
}

export function loadCatalog(dir: string, version = ferryVersion()): Catalog {
  return new Catalog(loadManifests(dir), version);
}

const catalogs = new WeakMap<ServerContext, Catalog>();

/** Loads the catalog of a server from its configured folder (throws a ManifestError on a bad manifest). */
export function openCatalog(ctx: ServerContext): Catalog {
  const catalog = loadCatalog(ctx.config.marketplaceDir ?? defaultMarketplaceDir());
  catalogs.set(ctx, catalog);
  return catalog;
}

export function catalogOf(ctx: ServerContext): Catalog {
  return catalogs.get(ctx) ?? openCatalog(ctx);
}
