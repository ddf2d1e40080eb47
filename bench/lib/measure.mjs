// @module bench/lib/measure
// Small helpers for the benchmarks: timing, process memory, formatting, and
// running a pool of async jobs with bounded concurrency.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export async function timed(work) {
  const started = process.hrtime.bigint();
  const value = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Resident and peak resident memory (bytes) of a process, from /proc. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (key) => Number(/(\d+) kB/.exec(status.split('\n').find((line) => line.startsWith(key)) ?? '')?.[1] ?? 0) * 1024;
  return { rss: read('VmRSS:'), peak: read('VmHWM:') };
}

export function run(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

export async function pool(count, concurrency, job) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      await job(index);
    }
  });
  await Promise.all(workers);
}

export const mib = (bytes) => bytes / 1024 / 1024;
export const fmt = (value, digits = 1) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
