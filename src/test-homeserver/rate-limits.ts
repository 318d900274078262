// Where the message rate limit meets a request (the routes that make an event, a repeated
// transaction let through, Synapse's pause before a refusal) and the admin API that overrides
// it per user (Synapse's RateLimitRestServlet). The limit itself: message-rate.ts.

import type { AdminHandler, AdminRegistrar } from './admin-common.ts';
import { isLocal, requireAdmin, unrecognized } from './admin-common.ts';
import { MatrixError, notFound } from './errors.ts';
import type { Handler, Reply, RequestContext } from './http.ts';
import { json, jsonBody } from './http.ts';
import { transactionKey } from './transactions.ts';

/** How long Synapse holds a refusal before answering it (Ratelimiter.ratelimit's `pause`). */
export const REFUSAL_PAUSE_MS = 500;

/**
 * Client-API routes (canonical, after /_matrix/client/v3) where a user makes an event. Most are
 * counted once the event is made (handle_new_client_event); room creation is counted up front,
 * whether the room is then made or not (RoomCreationHandler.create_room).
 */
const EVENT_ROUTES: Array<{ method: string; pattern: RegExp; upFront?: true }> = [
  { method: 'PUT', pattern: /^\/rooms\/[^/]+\/send\/[^/]+\/[^/]+$/ },
  { method: 'PUT', pattern: /^\/rooms\/[^/]+\/state\/[^/]+(\/[^/]*)?$/ },
  { method: 'PUT', pattern: /^\/rooms\/[^/]+\/redact\/[^/]+\/[^/]+$/ },
  { method: 'POST', pattern: /^\/rooms\/[^/]+\/redact\/[^/]+$/ },
  { method: 'POST', pattern: /^\/rooms\/[^/]+\/(join|leave|invite|kick|ban|unban)$/ },
  { method: 'POST', pattern: /^\/join\/[^/]+$/ },
  { method: 'PUT', pattern: /^\/profile\/[^/]+\/(displayname|avatar_url)$/ },
  { method: 'POST', pattern: /^\/createRoom$/, upFront: true },
];

/** Whether the request makes an event, and so meets the message limit; null when it does not. */
export function eventRoute(method: string, canonicalPath: string): { upFront: boolean } | null {
  const prefix = '/_matrix/client/v3';
  if (!canonicalPath.startsWith(prefix)) return null;
  const rest = canonicalPath.slice(prefix.length);
  const route = EVENT_ROUTES.find((r) => r.method === method && r.pattern.test(rest));
  return route === undefined ? null : { upFront: route.upFront === true };
}

/** A send under a transaction ID the server remembers: answered from memory, never limited. */
export function isRetransmission(ctx: RequestContext): boolean {
  const { roomId, txnId } = ctx.params;
  if (ctx.token === null || roomId === undefined || txnId === undefined) return false;
  return ctx.state.model.isRetransmission(transactionKey(ctx.state.flavour.transactionScope, ctx.token, roomId, txnId));
}

/**
 * Runs `handler` under the message limit: refused (after Synapse's pause) when the bucket is
 * full; counted up front or once the event is made, as the route says.
 */
export async function underMessageLimit(ctx: RequestContext, route: { upFront: boolean }, handler: Handler): Promise<Reply> {
  const token = ctx.token;
  if (token === null || isRetransmission(ctx)) return handler(ctx);
  const limiter = ctx.state.rateLimiter;
  const refusal = limiter.take(token, Date.now(), route.upFront);
  if (refusal !== null) {
    await new Promise((resolve) => setTimeout(resolve, REFUSAL_PAUSE_MS));
    throw refusal;
  }
  const reply = await handler(ctx);
  if (!route.upFront && reply.status >= 200 && reply.status < 300) limiter.take(token, Date.now(), true);
  return reply;
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

/** The override exists where the flavour has a message limit, whether this server applies it or not. */
const whereLimited =
  (handler: AdminHandler): AdminHandler =>
  (ctx) => {
    if (ctx.state.flavour.messageRateLimit === null) throw unrecognized(ctx);
    return handler(ctx);
  };

export function registerRateLimitOverride(r: AdminRegistrar): void {
  r('GET', '/v1/users/{userId}/override_ratelimit', whereLimited(getOverride));
  r('POST', '/v1/users/{userId}/override_ratelimit', whereLimited(setOverride));
  r('DELETE', '/v1/users/{userId}/override_ratelimit', whereLimited(deleteOverride));
}
