// What every admin endpoint shares: the admin check, the path's target user, and the
// registrar that lets a flavour lack an endpoint (it then answers like an unknown path).
import { forbidden, MatrixError, notFound } from './errors.ts';
import type { OptionalAdminEndpoint } from './flavours.ts';
import type { Reply, RequestContext, Router } from './http.ts';
import { requireAuth } from './http.ts';
import type { UserRecord } from './model.ts';

export const A = '/_synapse/admin';

export type AdminHandler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** Adds an admin route (path under /_synapse/admin) that exists only where the flavour has `optional`. */
export type AdminRegistrar = (method: string, path: string, handler: AdminHandler, optional?: OptionalAdminEndpoint) => void;

export function adminRegistrar(router: Router): AdminRegistrar {
  // Without an admin API (Tuwunel < 1.8.1) every route answers like an unknown one, registration aside.
  return (method, path, handler, optional = 'anyAdmin') =>
    router.add(method, A + path, (ctx) => {
      if (!ctx.state.flavour.has(optional)) throw unrecognized(ctx);
      return handler(ctx);
    });
}

/** The answer for admin paths this flavour does not have. */
export function unrecognized(ctx: RequestContext): MatrixError {
  return new MatrixError(ctx.state.flavour.unknownAdminStatus, 'M_UNRECOGNIZED', 'Unrecognized request');
}

export function requireAdmin(ctx: RequestContext): string {
  const token = requireAuth(ctx);
  if (!ctx.state.model.user(token.userId)?.admin) throw forbidden('You are not a server admin');
  return token.userId;
}

export const isLocal = (ctx: RequestContext, userId: string): boolean => userId.endsWith(`:${ctx.state.model.serverName}`);

/** The target user of the path; 400 for remote users, `missing` decides what a stranger gives. */
export function target(ctx: RequestContext, missing: string | null, remoteMessage = 'Can only look up local users'): UserRecord | undefined {
  const userId = ctx.params['userId'] ?? '';
  if (!isLocal(ctx, userId)) throw new MatrixError(400, ctx.state.flavour.badParamErrcode, remoteMessage);
  const user = ctx.state.model.localUser(userId);
  if (!user && missing !== null) throw notFound(missing);
  return user;
}

export function requireTarget(ctx: RequestContext, missing: string, remoteMessage?: string): UserRecord {
  return target(ctx, missing, remoteMessage) as UserRecord;
}
