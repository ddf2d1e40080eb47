/**
 * @module @ferry/core
 * Isomorphic: runs in Node, the renderer, the Outlook pane and the browser.
 * No Node built-ins here (enforced by lint).
 */
export * from './errors.js';
export * from './error-body.js';
export * from './retry-after.js';
export * from './names.js';
export * from './schemas.js';
export * from './batch-upload-schemas.js';
export * from './webhook-schemas.js';
export * from './connection-schemas.js';
export * from './marketplace/index.js';
export * from './api/define.js';
export * from './api/routes.js';
export * from './api/client.js';
export * from './api/client-helpers.js';
