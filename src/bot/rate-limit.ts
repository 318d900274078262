// Rate limits on commands: per person and for everyone together, counted in one-minute
// windows. Pure but for the clock it is given. A refused command is answered once per
// window ("try again in N seconds"); the rest of a flood is dropped without a word, so
// that answering cannot itself become the flood.
export type RateLimits = { perUserPerMinute: number; globalPerMinute: number };

export type RateDecision = { kind: 'allow' } | { kind: 'refuse'; retryAfterMs: number; tell: boolean; scope: 'user' | 'global' };

const WINDOW_MS = 60_000;
/** Counters older than this are forgotten (they name people). */
const FORGET_AFTER_MS = 2 * WINDOW_MS;

type Window = { start: number; count: number; told: boolean };

export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #users = new Map<string, Window>();
  #global: Window = { start: 0, count: 0, told: false };
  readonly #toldGlobal = new Set<string>();
  #lastSweep = 0;

  constructor(limits: RateLimits) {
    this.#limits = limits;
  }

  take(sender: string, now: number): RateDecision {
    this.#forgetOld(now);
    const user = this.#current(this.#users.get(sender), now);
    this.#users.set(sender, user);
    if (user.count >= this.#limits.perUserPerMinute) {
      const tell = !user.told;
      user.told = true;
      return { kind: 'refuse', retryAfterMs: user.start + WINDOW_MS - now, tell, scope: 'user' };
    }
    const global = this.#current(this.#global, now);
    if (global !== this.#global) this.#toldGlobal.clear(); // a new window
    this.#global = global;
    if (this.#global.count >= this.#limits.globalPerMinute) {
      const tell = !this.#toldGlobal.has(sender);
      this.#toldGlobal.add(sender);
      return { kind: 'refuse', retryAfterMs: this.#global.start + WINDOW_MS - now, tell, scope: 'global' };
    }
    user.count++;
    this.#global.count++;
    return { kind: 'allow' };
  }

  /** How many people are being counted now (memory stays bounded by activity in the last minutes). */
  get tracked(): number {
    return this.#users.size;
  }

  #current(window: Window | undefined, now: number): Window {
    return window !== undefined && now - window.start < WINDOW_MS ? window : { start: now, count: 0, told: false };
  }

  #forgetOld(now: number): void {
    if (now - this.#lastSweep < WINDOW_MS) return;
    this.#lastSweep = now;
    for (const [sender, window] of this.#users) if (now - window.start >= FORGET_AFTER_MS) this.#users.delete(sender);
  }
}
