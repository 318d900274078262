// Synapse's message rate limit (rc_message), as synapse/api/ratelimiting.py and
// handlers/message.py have it, measured against Synapse 1.160 in test/real/synapse-facts.test.ts:
// - a leaky bucket per user: 10 events at once, then one every 5 s (0.2 per second);
// - every event a user makes through the client API meets it, not only messages: state,
//   redactions, and joins, leaves and invites too. So a bot that has just answered a burst of
//   commands is refused its next join. A repeated transaction is answered from memory, unlimited;
// - a refusal is 429 M_LIMIT_EXCEEDED "Too Many Requests" with retry_after_ms, and a
//   Retry-After header in whole seconds (rounded up), sent after a pause of half a second;
// - the admin API's override (POST /_synapse/admin/v1/users/{u}/override_ratelimit) sets a
//   user's own rate and burst; messages_per_second 0 lifts every limit for them; DELETE restores.
// The test homeserver applies it only when started with `rateLimits: true` (a server whose
// operator raised rc_message, otherwise) and only on flavours that have it (Tuwunel has none).
// Room creation's own limit (rc_room_creation) and the join limits (rc_joins) are not modelled.
import { MatrixError, jsonBody, requireAuth, forbidden, notFound, json } from './http.ts';
import type { Handler, Reply, RequestContext, Router } from './http.ts';
import { transactionKey } from './transactions.ts';

export type RateSettings = { perSecond: number; burst: number };

/** Synapse's defaults for rc_message (synapse/config/ratelimiting.py). */
export const SYNAPSE_MESSAGE_RATE: RateSettings = { perSecond: 0.2, burst: 10 };

/** How long Synapse holds a refusal before answering it (Ratelimiter.ratelimit's `pause`). */
export const REFUSAL_PAUSE_MS = 500;

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

/** The message limit of one server: its default, the admins' per-user overrides, the buckets. */
export class MessageRateLimits {
  readonly overrides = new Map<string, { messagesPerSecond: number; burstCount: number }>();
  readonly #buckets = new LeakyBuckets();
  readonly #defaults: RateSettings | null;

  /** `defaults` null: no limit applies (the override API still answers). */
  constructor(defaults: RateSettings | null) {
    this.#defaults = defaults;
  }

  /** Checks (and with `update`, counts) one event of `userId`'s; null when allowed, else the 429 to answer. */
  take(userId: string, nowMs: number, update: boolean): MatrixError | null {
    if (this.#defaults === null) return null;
    const override = this.overrides.get(userId);
    if (override !== undefined && override.messagesPerSecond === 0) return null;
    const rate = override === undefined ? this.#defaults : { perSecond: override.messagesPerSecond, burst: override.burstCount };
    const { allowed, retryAfterMs } = this.#buckets.take(userId, nowMs / 1000, rate, update);
    return allowed ? null : limitExceeded(retryAfterMs);
  }
}

/** Synapse's LimitExceededError: retry_after_ms in the JSON, and Retry-After in whole seconds, rounded up. */
export function limitExceeded(retryAfterMs: number): MatrixError {
  return new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too Many Requests', { retry_after_ms: retryAfterMs }, { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) });
}

/** Client-API routes (canonical, after /_matrix/client/v3) where a user makes an event. */
const EVENT_ROUTES: Array<{ method: string; pattern: RegExp }> = [
  { method: 'PUT', pattern: /^\/rooms\/[^/]+\/send\/[^/]+\/[^/]+$/ },
  { method: 'PUT', pattern: /^\/rooms\/[^/]+\/state\/[^/]+(\/[^/]*)?$/ },
  { method: 'PUT', pattern: /^\/rooms\/[^/]+\/redact\/[^/]+\/[^/]+$/ },
  { method: 'POST', pattern: /^\/rooms\/[^/]+\/redact\/[^/]+$/ },
  { method: 'POST', pattern: /^\/rooms\/[^/]+\/(join|leave|invite|kick|ban|unban)$/ },
  { method: 'POST', pattern: /^\/join\/[^/]+$/ },
  { method: 'PUT', pattern: /^\/profile\/[^/]+\/(displayname|avatar_url)$/ },
];

/** Whether the request makes an event, and so meets the message limit. */
export function makesEvent(method: string, canonicalPath: string): boolean {
  const prefix = '/_matrix/client/v3';
  if (!canonicalPath.startsWith(prefix)) return false;
  const rest = canonicalPath.slice(prefix.length);
  return EVENT_ROUTES.some((route) => route.method === method && route.pattern.test(rest));
}

/** A send under a transaction ID the server remembers: answered from memory, never limited. */
export function isRetransmission(ctx: RequestContext): boolean {
  const { roomId, txnId } = ctx.params;
  if (ctx.token === null || roomId === undefined || txnId === undefined) return false;
  return ctx.state.model.isRetransmission(transactionKey(ctx.state.flavour.transactionScope, ctx.token, roomId, txnId));
}

/** Runs `handler` under the message limit: refused (after Synapse's pause) when the bucket is full, counted when it made an event. */
export async function underMessageLimit(ctx: RequestContext, limits: MessageRateLimits, handler: Handler): Promise<Reply> {
  const userId = ctx.token?.userId;
  if (userId === undefined || isRetransmission(ctx)) return handler(ctx);
  const refusal = limits.take(userId, Date.now(), false);
  if (refusal !== null) {
    await new Promise((resolve) => setTimeout(resolve, REFUSAL_PAUSE_MS));
    throw refusal;
  }
  const reply = await handler(ctx);
  if (reply.status >= 200 && reply.status < 300) limits.take(userId, Date.now(), true);
  return reply;
}

/** GET, POST and DELETE /_synapse/admin/v1/users/{userId}/override_ratelimit, as Synapse answers them. */
export function registerRateLimitOverride(router: Router, limits: MessageRateLimits): void {
  const path = '/_synapse/admin/v1/users/{userId}/override_ratelimit';
  const target = (ctx: RequestContext, remoteMessage: string): string => {
    const token = requireAuth(ctx);
    if (!ctx.state.model.user(token.userId)?.admin) throw forbidden('You are not a server admin');
    const userId = ctx.params['userId'] ?? '';
    if (!userId.endsWith(`:${ctx.state.model.serverName}`)) throw new MatrixError(400, 'M_UNKNOWN', remoteMessage);
    if (!ctx.state.model.localUser(userId)) throw notFound('User not found');
    return userId;
  };
  router.add('GET', path, (ctx) => {
    const override = limits.overrides.get(target(ctx, 'Can only look up local users'));
    return json(override === undefined ? {} : { messages_per_second: override.messagesPerSecond, burst_count: override.burstCount });
  });
  router.add('POST', path, (ctx) => {
    const userId = target(ctx, 'Only local users can be ratelimited');
    const body = jsonBody(ctx);
    const messagesPerSecond = body['messages_per_second'] ?? 0;
    const burstCount = body['burst_count'] ?? 0;
    for (const value of [messagesPerSecond, burstCount]) {
      if (!Number.isInteger(value) || (value as number) < 0) throw new MatrixError(400, 'M_INVALID_PARAM', `${JSON.stringify(value)} parameter must be a positive int`);
    }
    limits.overrides.set(userId, { messagesPerSecond: messagesPerSecond as number, burstCount: burstCount as number });
    return json({ messages_per_second: messagesPerSecond, burst_count: burstCount });
  });
  router.add('DELETE', path, (ctx) => {
    limits.overrides.delete(target(ctx, 'Only local users can be ratelimited'));
    return json({});
  });
}
