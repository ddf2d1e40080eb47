/**
 * @module marketplace
 * The integration marketplace and its analytics, as every app sees them:
 * the manifest schema, the settings JSON Schema subset and its validator,
 * semantic versions, and the API shapes of catalog, installs and usage.
 */
export * from './semver.js';
export * from './settings-schema.js';
export * from './manifest-schema.js';
export * from './marketplace-api.js';
export * from './analytics-api.js';
