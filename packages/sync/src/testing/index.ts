/**
 * @module @ferry/sync/testing
 * The multi-client sync harness, the replica kinds (local, Ferry, Google
 * Drive and Dropbox on the emulators), the story suites of every concern
 * (run once per pair of kinds) and the randomized model runner, for tests
 * and benchmarks of any pair of driver kinds.
 */
export { ferryReplica, type FerryReplicaTarget } from './ferry-replica.js';
export { closeAllPairs, syncPair, type PairSyncOptions, type SyncPairHarness, type SyncPairOptions } from './harness.js';
export { dropboxReplica, googleDriveReplica, registerProviderReplicaKinds, type ProviderEmulators } from './provider-replicas.js';
export {
  localReplica,
  registerReplicaKind,
  replicaFactory,
  type ReplicaFactory,
  type ReplicaFaults,
  type ReplicaFixture,
  type ReplicaOptions,
  type UserWriteOptions,
} from './replicas.js';
export * from './stories/index.js';
export { runModelSeed, runModelSeeds, seededRandom, type ModelOptions } from './model.js';
