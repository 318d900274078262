// Synapse's message rate limit (rc_message) and its per-user overrides (the limit is applied
// and the override API answered in rate-limits.ts), as
// synapse/api/ratelimiting.py (RequestRatelimiter over Ratelimiter), handlers/message.py and
// handlers/room.py have them, measured on Synapse 1.160 by the real tier
// (test/real/homeserver-facts.test.ts, with the scenarios of test/support/homeserver-facts/):
// - a leaky bucket per user: 10 events at once, then one every 5 s (0.2 per second);
// - every event a user makes through the client API meets it, not only messages: state,
//   redactions, and joins, leaves and invites too (so a bot that has just answered a burst of
//   commands is refused its next join), and room creation, counted once and up front;
// - a login-as token counts against the person, but an override of 0 for the admin it was made
//   for lifts it (the inner limiter checks the "authenticated entity"); admins are limited like
//   anyone; the server's own tasks (the user-redaction task) are not limited; a repeated
//   transaction is answered from memory, unlimited;
// - a refusal is 429 M_LIMIT_EXCEEDED "Too Many Requests" with retry_after_ms, and a
//   Retry-After header in whole seconds (rounded up), sent after a pause of half a second;
// - the override (POST /_synapse/admin/v1/users/{u}/override_ratelimit) sets a user's own rate
//   and burst; messages_per_second 0 lifts every limit for them; DELETE restores the defaults.
// The test homeserver applies the limit only when started with `rateLimits: 'synapse-defaults'`
// (otherwise as on a server whose operator raised rc_message) and only on flavours that have it:
// Tuwunel has no per-user message limit, nor the override API. Room creation's own limit
// (rc_room_creation) and the join limits (rc_joins) are not modelled.
import { MatrixError } from './errors.ts';
import type { RateLimitOverride, TokenRecord } from './model.ts';

/** The test homeserver's option: off, or Synapse's defaults for every user without an override. */
export type RateLimits = 'off' | 'synapse-defaults';

export type RateSettings = { perSecond: number; burst: number };

/** Synapse's defaults for rc_message (synapse/config/ratelimiting.py). */
export const SYNAPSE_MESSAGE_RATE: RateSettings = { perSecond: 0.2, burst: 10 };

/**
 * One limit's buckets, as Synapse's Ratelimiter.can_do_action counts: the actions in a bucket
 * leak at `perSecond`; an action is allowed while fewer than `burst` remain.
 */
export class LeakyBuckets {
  readonly #actions = new Map<string, { count: number; start: number }>();

  /** Whether `key` may act at `nowS` (seconds); counted when allowed and `update`. When refused, how long until it may. */
  take(key: string, nowS: number, rate: RateSettings, update: boolean): { allowed: boolean; retryAfterMs: number } {
    let { count, start } = this.#actions.get(key) ?? { count: 0, start: nowS };
    const performed = count - (nowS - start) * rate.perSecond;
    if (performed < 0) [count, start] = [0, nowS];
    const allowed = !(Math.max(performed, 0) > rate.burst - 1);
    if (allowed) count += 1;
    if (allowed && update) this.#actions.set(key, { count, start });
    const allowedAt = Math.max(nowS, start + (count - rate.burst + 1) / rate.perSecond);
    return { allowed, retryAfterMs: Math.floor(1000 * (allowedAt - nowS)) };
  }
}

/** The message limit of one server: its default rate, the admins' per-user overrides (stored in the model), the buckets. */
export class MessageRateLimiter {
  readonly #buckets = new LeakyBuckets();
  readonly #defaults: RateSettings | null;
  readonly #overrides: Map<string, RateLimitOverride>;

  /** `defaults` null: no limit applies (the override API still answers where the flavour has it). */
  constructor(defaults: RateSettings | null, overrides: Map<string, RateLimitOverride>) {
    this.#defaults = defaults;
    this.#overrides = overrides;
  }

  /** Checks (and with `update`, counts) one event of the token's user; null when allowed, else the 429 to answer. */
  take(token: TokenRecord, nowMs: number, update: boolean): MatrixError | null {
    if (this.#defaults === null) return null;
    const own = this.#overrides.get(token.userId);
    if (own !== undefined && own.messagesPerSecond === 0) return null;
    // Ratelimiter.can_do_action looks the override up for the authenticated entity: a login-as
    // token's admin, whose override of 0 lifts the limit for whatever the token does.
    const entity = this.#overrides.get(token.puppetedBy ?? token.userId);
    if (entity !== undefined && entity.messagesPerSecond === 0) return null;
    const rate = own === undefined ? this.#defaults : { perSecond: own.messagesPerSecond, burst: own.burstCount };
    const { allowed, retryAfterMs } = this.#buckets.take(token.userId, nowMs / 1000, rate, update);
    return allowed ? null : limitExceeded(retryAfterMs);
  }
}

/** Synapse's LimitExceededError: retry_after_ms in the JSON, and Retry-After in whole seconds, rounded up. */
export function limitExceeded(retryAfterMs: number): MatrixError {
  return new MatrixError(
    429,
    'M_LIMIT_EXCEEDED',
    'Too Many Requests',
    { retry_after_ms: retryAfterMs },
    { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) },
  );
}
