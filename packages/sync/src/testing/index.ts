/**
 * @module @ferry/sync/testing
 * The multi-client sync harness and the randomized model runner, for tests
 * and benchmarks of any pair of driver kinds.
 */
export { ferryReplica, type FerryReplicaTarget } from './ferry-replica.js';
export { closeAllPairs, syncPair, type PairSyncOptions, type SyncPairHarness, type SyncPairOptions } from './harness.js';
export { localReplica, registerReplicaKind, replicaFactory, type ReplicaFactory, type ReplicaFixture, type ReplicaOptions } from './replicas.js';
export { runModelSeed, runModelSeeds, seededRandom, type ModelOptions } from './model.js';
