/**
 * @module scan-thread
 * The lightest entry, `@ferry/sync/scan-thread`: starting the folder scan
 * thread ahead of need (see `drivers/local-scan-thread.ts`), for a caller
 * that knows a local folder is about to be scanned before it has loaded the
 * engine.
 */
export { discardSpareScanThread, prestartScanThread } from './drivers/local-scan-thread.js';
