// Synapse's message rate limit (rc_message: 0.2 per second after a burst of 10, its default),
// for the test homeserver's `rateLimits: 'synapse-defaults'` option, and the admin API that
// overrides it per user. Off by default so that the rest of the suite stays fast.
//
// As synapse/api/ratelimiting.py (RequestRatelimiter over Ratelimiter) counts it, measured on
// Synapse 1.160: sends, state events, redactions and room creation through the client API
// share one bucket per user (the puppeted user for a login-as token); a user's override with 0
// messages per second lifts the limit, and so does one for the admin a login-as token was made
// for (the inner limiter checks the "authenticated entity"); admins are limited like anyone;
// the server's own tasks are not limited. A refused action waits half a second, then answers
// 429 M_LIMIT_EXCEEDED with retry_after_ms and a Retry-After header in whole seconds.
import { MatrixError, json, jsonBody, notFound } from './http.ts';
import type { RequestContext, Reply, ServerState } from './http.ts';
import type { RateLimitOverride, TokenRecord } from './model.ts';
import { isLocal, requireAdmin } from './admin-common.ts';
import type { AdminRegistrar } from './admin-common.ts';

export type RateLimits = 'off' | 'synapse-defaults';

const RC_MESSAGE = { perSecond: 0.2, burstCount: 10 };
const PAUSE_MS = 500;

interface Bucket {
  count: number;
  /** Seconds. */
  start: number;
}

export class MessageRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly enabled: boolean;
  private readonly overrides: Map<string, RateLimitOverride>;

  constructor(enabled: boolean, overrides: Map<string, RateLimitOverride>) {
    this.enabled = enabled;
    this.overrides = overrides;
  }

  /** Counts one action for the token's user; the milliseconds to wait when it is refused, else null. */
  take(token: TokenRecord, nowMs = Date.now()): number | null {
    if (!this.enabled) return null;
    const own = this.overrides.get(token.userId);
    if (own && !own.messagesPerSecond) return null;
    const entity = this.overrides.get(token.puppetedBy ?? token.userId);
    if (entity && !entity.messagesPerSecond) return null;
    const rate = own ? own.messagesPerSecond : RC_MESSAGE.perSecond;
    const burst = own ? own.burstCount : RC_MESSAGE.burstCount;
    const now = nowMs / 1000;
    let { count, start } = this.buckets.get(token.userId) ?? { count: 0, start: now };
    if (count - (now - start) * rate < 0) {
      count = 0;
      start = now;
    }
    const allowed = count - (now - start) * rate <= burst - 1;
    if (allowed) {
      count += 1;
      this.buckets.set(token.userId, { count, start });
      return null;
    }
    const allowedAt = Math.max(now, start + (count - burst + 1) / rate);
    return Math.trunc(1000 * (allowedAt - now));
  }
}

/**
 * Throws Synapse's 429 after its half-second pause when the token's user is over the limit.
 * Call it where Synapse rate-limits (sends, state, redactions, room creation), after the checks
 * that refuse the request outright.
 */
export async function rateLimitMessage(state: ServerState, token: TokenRecord): Promise<void> {
  const retryAfterMs = state.rateLimiter.take(token);
  if (retryAfterMs === null) return;
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  throw new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too Many Requests', { retry_after_ms: retryAfterMs }, { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) });
}

// ---- GET/POST/DELETE /_synapse/admin/v1/users/{u}/override_ratelimit (Synapse's RateLimitRestServlet) ----

/** Python's repr of a JSON value, as Synapse's "%r parameter must be a positive int" prints it. */
function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

function overrideTarget(ctx: RequestContext, remoteMessage: string): string {
  requireAdmin(ctx);
  const userId = ctx.params['userId'] ?? '';
  if (!isLocal(ctx, userId)) throw new MatrixError(400, 'M_UNKNOWN', remoteMessage);
  if (!ctx.state.model.localUser(userId)) throw notFound('User not found');
  return userId;
}

function getOverride(ctx: RequestContext): Reply {
  const override = ctx.state.model.rateLimitOverrides.get(overrideTarget(ctx, 'Can only look up local users'));
  return json(override ? { messages_per_second: override.messagesPerSecond, burst_count: override.burstCount } : {});
}

function setOverride(ctx: RequestContext): Reply {
  const userId = overrideTarget(ctx, 'Only local users can be ratelimited');
  const body = jsonBody(ctx);
  const messagesPerSecond = body['messages_per_second'] ?? 0;
  const burstCount = body['burst_count'] ?? 0;
  for (const value of [messagesPerSecond, burstCount]) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new MatrixError(400, 'M_INVALID_PARAM', `${pythonRepr(value)} parameter must be a positive int`);
    }
  }
  const override = { messagesPerSecond: messagesPerSecond as number, burstCount: burstCount as number };
  ctx.state.model.rateLimitOverrides.set(userId, override);
  return json({ messages_per_second: override.messagesPerSecond, burst_count: override.burstCount });
}

function deleteOverride(ctx: RequestContext): Reply {
  ctx.state.model.rateLimitOverrides.delete(overrideTarget(ctx, 'Only local users can be ratelimited'));
  return json({});
}

export function registerRateLimitOverride(r: AdminRegistrar): void {
  r('GET', '/v1/users/{userId}/override_ratelimit', getOverride, 'overrideRatelimit');
  r('POST', '/v1/users/{userId}/override_ratelimit', setOverride, 'overrideRatelimit');
  r('DELETE', '/v1/users/{userId}/override_ratelimit', deleteOverride, 'overrideRatelimit');
}

