/**
 * @module http/faults
 * Fault injection shared by every emulator: a queue of rules, each matching a
 * method and path, that answers with an error status (with `Retry-After`),
 * delays the request, hangs it (a client time-out) or resets the connection
 * (before the request is carried out, or after it, instead of its answer).
 * Rules come from tests (`emulator.faults.push`) or over HTTP
 * (`POST /__emulator/faults`), so a separate process can set them too.
 */
import { z } from 'zod';

/** What the HTTP control endpoint accepts; `path` may end in `*` for a prefix. */
export const faultRuleSchema = z.object({
  match: z
    .object({
      method: z.string().optional(),
      path: z.string().optional(),
    })
    .optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfter: z.number().nonnegative().optional(),
  reason: z.string().optional(),
  delayMs: z.number().int().nonnegative().optional(),
  hang: z.boolean().optional(),
  reset: z.boolean().optional(),
  resetAfter: z.boolean().optional(),
  times: z.number().int().positive().optional(),
});

export interface FaultMatch {
  method?: string;
  /** Exact path, a prefix ending in `*`, or a RegExp tested on the path. */
  path?: string | RegExp;
}

export interface FaultRule {
  match?: FaultMatch;
  /** Answer with this status and the provider's own error body for it. */
  status?: number;
  /** Seconds for the `Retry-After` header (and Dropbox's `retry_after`). */
  retryAfter?: number;
  /** Provider reason, e.g. Drive `userRateLimitExceeded`, Dropbox `too_many_write_operations`. */
  reason?: string;
  /** Wait this long before answering (then answer normally unless `status` is set). */
  delayMs?: number;
  /** Never answer: the client's own time-out fires. */
  hang?: boolean;
  /** Destroy the connection without an answer. */
  reset?: boolean;
  /** Carry the request out, then destroy the connection instead of answering (the client cannot tell whether it landed). */
  resetAfter?: boolean;
  /** How many matching requests this rule serves; default 1. */
  times?: number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

function pathMatches(pattern: string | RegExp | undefined, pathname: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(pathname);
  if (pattern.endsWith('*')) return pathname.startsWith(pattern.slice(0, -1));
  return pathname === pattern;
}

/** The queue of pending faults of one emulator. */
export class FaultInjector {
  private readonly active: ActiveRule[] = [];

  /** Adds a rule; rules are tried in the order they were pushed. */
  push(rule: FaultRule): void {
    this.active.push({ rule, remaining: rule.times ?? 1 });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** Rules still waiting, with how many times each will still fire. */
  pending(): { rule: FaultRule; remaining: number }[] {
    return this.active.map(({ rule, remaining }) => ({ rule, remaining }));
  }

  /** Consumes and returns the first rule matching this request, if any. */
  take(method: string, pathname: string): FaultRule | undefined {
    const index = this.active.findIndex(({ rule }) => {
      const wanted = rule.match?.method?.toUpperCase();
      return (wanted === undefined || wanted === method) && pathMatches(rule.match?.path, pathname);
    });
    const found = this.active[index];
    if (!found) return undefined;
    found.remaining -= 1;
    if (found.remaining <= 0) this.active.splice(index, 1);
    return found.rule;
  }
}
