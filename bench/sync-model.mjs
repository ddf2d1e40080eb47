// @module bench/sync-model
// The long run of the seeded randomized model test (`runModelSeeds` from
// `@ferry/sync/testing`): BENCH_MODEL_SEEDS seeds (10,000) from
// BENCH_MODEL_FIRST_SEED (1), in batches with progress; prints the failing
// seeds (rerun one with `runModelSeed(seed)`), and exits non-zero on failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runModelSeeds } from '@ferry/sync/testing';
import { fmt } from './lib/measure.mjs';

const seeds = Number(process.env.BENCH_MODEL_SEEDS ?? 10_000);
const firstSeed = Number(process.env.BENCH_MODEL_FIRST_SEED ?? 1);
const batch = 100;
const failures = [];
const started = Date.now();
for (let seed = firstSeed; seed < firstSeed + seeds; seed += batch) {
  const count = Math.min(batch, firstSeed + seeds - seed);
  failures.push(...(await runModelSeeds(count, seed)));
  const done = seed + count - firstSeed;
  console.log(`${done}/${seeds} seeds, ${failures.length} failing, ${fmt((Date.now() - started) / 1000)} s`);
}
const seconds = (Date.now() - started) / 1000;
console.log(`\n| model test | seeds | failing | s | seeds/s |\n|---|---|---|---|---|`);
console.log(`| local↔local | ${seeds} (from ${firstSeed}) | ${failures.length} | ${fmt(seconds)} | ${fmt(seeds / seconds)} |`);
for (const failure of failures.slice(0, 20)) console.log(`seed ${failure.seed}: ${failure.error.split('\n')[0]}`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/sync-model.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), seeds, firstSeed, seconds, failures }, null, 2));
if (failures.length > 0) process.exitCode = 1;
