/**
 * @module files/file-store
 * The blob store of a running server (one per context), created at start
 * after removing the temp files a crash may have left.
 */
import type { ServerContext } from '../context.js';
import { BlobStore, cleanTempFiles } from './blob-store.js';

const stores = new WeakMap<ServerContext, BlobStore>();

/** Opens the blob store of the context, cleaning leftovers of an earlier process on first use. */
export function blobStoreOf(ctx: ServerContext): BlobStore {
  let store = stores.get(ctx);
  if (!store) {
    const removed = cleanTempFiles(ctx.config.dataDir);
    if (removed > 0) ctx.log.warn({ removed }, 'removed temp files left by an earlier process');
    store = new BlobStore(ctx.config.dataDir);
    stores.set(ctx, store);
  }
  return store;
}
