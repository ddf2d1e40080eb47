/**
 * @module auth/login-limiter
 * Counts failed sign-ins per client address and email in a sliding minute,
 * so a password cannot be guessed faster than the configured rate. In memory,
 * per server process; bounded in size.
 */
import type { Clock } from '../context.js';

const windowMs = 60_000;
const maxKeys = 10_000;

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: number;
  readonly #clock: Clock;

  constructor(limitPerMinute: number, clock: Clock) {
    this.#limit = limitPerMinute;
    this.#clock = clock;
  }

  static key(ip: string, email: string): string {
    return `${ip}\n${email.trim().toLowerCase()}`;
  }

  /** Seconds the client must wait before trying again, or 0 if it may try now. */
  retryAfterSeconds(key: string): number {
    const recent = this.#recent(key);
    if (recent.length < this.#limit) return 0;
    const oldest = recent[recent.length - this.#limit] ?? this.#clock.now().getTime();
    return Math.max(1, Math.ceil((oldest + windowMs - this.#clock.now().getTime()) / 1000));
  }

  recordFailure(key: string): void {
    const recent = this.#recent(key);
    recent.push(this.#clock.now().getTime());
    this.#failures.delete(key);
    this.#failures.set(key, recent);
    if (this.#failures.size > maxKeys) {
      const oldestKey = this.#failures.keys().next().value;
      if (oldestKey !== undefined) this.#failures.delete(oldestKey);
    }
  }

  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string): number[] {
    const since = this.#clock.now().getTime() - windowMs;
    const recent = (this.#failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(key);
    return recent;
  }
}
