// The Synapse admin API (/_synapse/admin/...), as Synapse 1.67, current
// Synapse and Tuwunel answer it. Which endpoints exist and the small shape
// differences come from the flavour descriptor.
import { createHmac, randomBytes } from 'node:crypto';
import { adminRegistrar, isLocal, requireAdmin, requireTarget, target } from './admin-common.ts';
import { registerAdminRooms } from './admin-rooms.ts';
import { currentStateGone } from './current-state.ts';
import { deactivateViaHttp } from './deactivation.ts';
import { forbidden, MatrixError, notFound } from './errors.ts';
import { registerFetchEvent } from './fetch-event.ts';
import type { Reply, RequestContext, Router } from './http.ts';
import { intParam, json, jsonBody, requireAuth } from './http.ts';
import type { JsonObject, MediaRecord, UserRecord } from './model.ts';
import { mediaLength } from './model.ts';
import { registerRateLimitOverride } from './rate-limits.ts';
import { registerScheduledTasks } from './scheduled-tasks.ts';
import { registerUserRedaction } from './user-redaction.ts';

export { unrecognized } from './admin-common.ts';

// ---- users ----

const lastSeen = (user: UserRecord): number | null => {
  const seen = [...user.devices.values()].map((d) => d.lastSeenAt ?? 0);
  return seen.length > 0 && Math.max(...seen) > 0 ? Math.max(...seen) : null;
};

function userObject(ctx: RequestContext, user: UserRecord): JsonObject {
  const f = ctx.state.flavour;
  if (f.userObject === 'tuwunel') return tuwunelUserObject(user);
  const bool = (b: boolean): boolean | number => (f.intBooleans ? (b ? 1 : 0) : b);
  const body: JsonObject = {
    name: user.userId,
    is_guest: bool(false),
    admin: bool(user.admin),
    consent_version: null,
    consent_server_notice_sent: null,
    appservice_id: null,
    // Seconds, unlike every other timestamp.
    creation_ts: f.zeroCreationTs ? 0 : Math.floor(user.createdAt / 1000),
    user_type: null,
    deactivated: bool(user.deactivated),
    shadow_banned: bool(false),
    displayname: user.displayName,
    avatar_url: user.avatarUrl,
    threepids: user.emails.map((e) => ({ medium: 'email', address: e.address, validated_at: e.validatedAt, added_at: e.addedAt })),
    external_ids: [],
  };
  if (f.extendedUserFields) {
    body['erased'] = user.erasedAt !== null;
    body['locked'] = false;
    body['suspended'] = false;
    body['last_seen_ts'] = lastSeen(user);
  }
  return body;
}

/**
 * synapse-admin-api's UserDetails as Tuwunel fills it, in its field order: what Tuwunel does
 * not store is left out (consent_version, appservice_id, user_type, external_ids), empty lists
 * and a missing avatar too; consent_ts, last_seen_ts and displayname go out as null;
 * creation_ts is always 0.
 */
function tuwunelUserObject(user: UserRecord): JsonObject {
  const body: JsonObject = {
    name: user.userId,
    is_guest: false,
    admin: user.admin,
    deactivated: user.deactivated,
    locked: false,
    shadow_banned: false,
    suspended: false,
    erased: user.erasedAt !== null,
    consent_ts: null,
    creation_ts: 0,
    last_seen_ts: lastSeen(user),
    displayname: user.displayName,
  };
  if (user.avatarUrl !== null) body['avatar_url'] = user.avatarUrl;
  if (user.emails.length > 0) {
    body['threepids'] = user.emails.map((e) => ({ address: e.address, medium: 'email', validated_at: e.validatedAt, added_at: e.addedAt }));
  }
  return body;
}

function getUser(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  return json(userObject(ctx, requireTarget(ctx, 'User not found')));
}

function putUser(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const body = jsonBody(ctx);
  const model = ctx.state.model;
  let user = target(ctx, null);
  let status = 200;
  if (!user) {
    const userId = ctx.params['userId'] ?? '';
    model.addUser({ localpart: userId.slice(1, userId.indexOf(':')), ...(typeof body['password'] === 'string' ? { password: body['password'] } : {}) });
    model.removeDevicesAndTokens(userId);
    user = model.localUser(userId) as UserRecord;
    status = 201;
  }
  if (Array.isArray(body['threepids'])) {
    const now = Date.now();
    user.emails = (body['threepids'] as JsonObject[])
      .filter((t) => t['medium'] === 'email' && typeof t['address'] === 'string')
      .map((t) => ({ address: t['address'] as string, addedAt: now, validatedAt: now }));
  }
  if (typeof body['admin'] === 'boolean') user.admin = body['admin'];
  if (typeof body['password'] === 'string') user.password = body['password'];
  if ('displayname' in body) model.setProfile(user.userId, { displayName: (body['displayname'] as string | null) || null });
  if ('avatar_url' in body) model.setProfile(user.userId, { avatarUrl: (body['avatar_url'] as string | null) || null });
  return json(userObject(ctx, user), status);
}

function joinedRooms(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  // A user that does not exist has simply joined nothing (200, recorded).
  const user = target(ctx, null);
  const rooms = user ? ctx.state.model.joinedRooms(user.userId) : [];
  return json({ joined_rooms: rooms, total: rooms.length });
}

function memberships(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = target(ctx, null);
  const fromStateCache = ctx.state.flavour.membershipsFromStateCache;
  const out: JsonObject = {};
  for (const m of user ? ctx.state.model.memberships(user.userId) : []) {
    // Tuwunel's state cache keeps joined, invited, knocked and left rooms; a ban is a left room, a forgotten one is gone.
    if (fromStateCache && user?.forgotten.has(m.roomId)) continue;
    // Synapse reads the room's current state, which it dropped when the last local member left.
    if (currentStateGone(ctx.state, m.roomId)) continue;
    out[m.roomId] = fromStateCache && m.membership === 'ban' ? 'leave' : m.membership;
  }
  return json({ memberships: out });
}

function devices(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = requireTarget(ctx, 'Unknown user', 'Can only lookup local users');
  const withAgent = ctx.state.flavour.deviceUserAgents;
  const list = [...user.devices.values()]
    .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
    .map((d) => {
      const out: JsonObject = { user_id: user.userId, device_id: d.deviceId, display_name: d.displayName };
      if (withAgent) out['last_seen_user_agent'] = d.lastSeenUserAgent;
      out['last_seen_ts'] = d.lastSeenAt;
      out['last_seen_ip'] = d.lastSeenIp;
      return out;
    });
  return json({ devices: list, total: list.length });
}

/** DELETE /v2/users/{u}/devices/{d}: removing a device the user does not have is no error. */
function deleteDevice(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = requireTarget(ctx, 'Unknown user', 'Can only lookup local users');
  ctx.state.model.removeDevice(user.userId, ctx.params['deviceId'] ?? '');
  return json({});
}

function whois(ctx: RequestContext): Reply {
  // A user may look themselves up; anyone else needs an admin.
  if (requireAuth(ctx).userId !== ctx.params['userId']) requireAdmin(ctx);
  const userId = ctx.params['userId'] ?? '';
  const snapshot = ctx.state.flavour.whois === 'device-snapshot';
  const user = target(ctx, null, snapshot ? 'Can only look up local users' : 'Can only whois a local user');
  const all = [...(user?.devices.values() ?? [])];
  if (snapshot) {
    // Tuwunel: one connection per device, every device, its last IP and time; ruma writes the
    // absent user agent (and a missing IP or time) as null, and leaves an empty list out.
    const connections = all.sort((a, b) => a.deviceId.localeCompare(b.deviceId)).map((d) => ({ ip: d.lastSeenIp, last_seen: d.lastSeenAt, user_agent: null }));
    return json({ user_id: userId, devices: { '': { sessions: [connections.length > 0 ? { connections } : {}] } } });
  }
  // Synapse: every (ip, user agent) pair under the device key "".
  const byPair = new Map<string, JsonObject>();
  for (const d of all.filter((d) => d.lastSeenIp !== null)) {
    const key = `${d.lastSeenIp}\u0000${d.lastSeenUserAgent}`;
    const prev = byPair.get(key);
    if (!prev || (prev['last_seen'] as number) < (d.lastSeenAt ?? 0)) {
      byPair.set(key, { ip: d.lastSeenIp, last_seen: d.lastSeenAt, user_agent: d.lastSeenUserAgent });
    }
  }
  return json({ user_id: userId, devices: { '': { sessions: [{ connections: [...byPair.values()] }] } } });
}

function accountData(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = requireTarget(ctx, 'User not found');
  const global: JsonObject = {};
  for (const [type, e] of user.accountData) global[type] = e.content;
  const rooms: JsonObject = {};
  for (const [roomId, types] of user.roomAccountData) {
    const r: JsonObject = {};
    for (const [type, e] of types) r[type] = e.content;
    rooms[roomId] = r;
  }
  if (ctx.state.flavour.accountDataIncludesTags) {
    for (const [roomId, tags] of user.tags) rooms[roomId] = { ...(rooms[roomId] as JsonObject | undefined), 'm.tag': { tags: tags.content } };
  }
  return json({ account_data: { global, rooms } });
}

function pushers(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  // Tuwunel lists the pushers of any user ID, known or not (src/api/client/admin/users/pushers.rs).
  const user = ctx.state.flavour.pushersCheckUser ? requireTarget(ctx, 'User not found') : ctx.state.model.user(ctx.params['userId'] ?? '');
  const list = (user?.pushers ?? []).map((p) => ({
    app_display_name: p.app_display_name,
    app_id: p.app_id,
    data: p.data,
    device_display_name: p.device_display_name,
    kind: p.kind,
    lang: p.lang,
    profile_tag: p.profile_tag ?? '',
    pushkey: p.pushkey,
  }));
  return json({ pushers: list, total: list.length });
}

// ---- media ----

function mediaItem(ctx: RequestContext, m: MediaRecord): JsonObject {
  return {
    media_id: m.mediaId,
    media_type: m.contentType,
    media_length: mediaLength(m),
    upload_name: m.filename,
    created_ts: m.createdAt,
    last_access_ts: null,
    quarantined_by: m.quarantinedBy ?? null,
    safe_from_quarantine: ctx.state.flavour.intBooleans ? 0 : false,
  };
}

/** One page of the user's media, newest first: `from` is an integer offset. */
function mediaPage(ctx: RequestContext, user: UserRecord): { page: MediaRecord[]; total: number; next: number | null } {
  const from = Math.max(0, intParam(ctx.query, 'from', 0));
  const limit = Math.max(0, intParam(ctx.query, 'limit', 100));
  const all = ctx.state.model.mediaOf(user.userId);
  const page = all.slice(from, from + limit);
  return { page, total: all.length, next: from + limit < all.length ? from + limit : null };
}

function listMedia(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = requireTarget(ctx, 'Unknown user');
  const { page, total, next } = mediaPage(ctx, user);
  const body: JsonObject = { media: page.map((m) => mediaItem(ctx, m)), total };
  if (next !== null) body['next_token'] = next;
  return json(body);
}

function deleteUserMedia(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = requireTarget(ctx, 'Unknown user');
  const { page } = mediaPage(ctx, user);
  for (const m of page) ctx.state.model.deleteMedia(m.mediaId);
  return json({ deleted_media: page.map((m) => m.mediaId), total: page.length });
}

function deleteMedia(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const model = ctx.state.model;
  if (ctx.params['serverName'] !== model.serverName) throw new MatrixError(400, 'M_UNKNOWN', 'Can only delete local media');
  const mediaId = ctx.params['mediaId'] ?? '';
  if (!model.deleteMedia(mediaId)) throw notFound('Unknown media');
  return json({ deleted_media: [mediaId], total: 1 });
}

// ---- login-as, redact, deactivate ----

/** Remote users and oneself are refused before the user is looked up (Synapse and Tuwunel alike). */
function loginAs(ctx: RequestContext): Reply {
  const admin = requireAdmin(ctx);
  const { badParamErrcode, loginAsDeviceName } = ctx.state.flavour;
  const userId = ctx.params['userId'] ?? '';
  if (!isLocal(ctx, userId)) throw new MatrixError(400, badParamErrcode, 'Only local users can be logged in as');
  if (userId === admin) throw new MatrixError(400, badParamErrcode, 'Cannot use admin API to login as self');
  const user = requireTarget(ctx, 'User not found');
  const validUntil = jsonBody(ctx)['valid_until_ms'];
  return json({ access_token: ctx.state.model.loginAs(user.userId, typeof validUntil === 'number' ? validUntil : null, loginAsDeviceName, admin) });
}

function deactivate(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const user = requireTarget(ctx, 'User not found', 'Can only deactivate local users');
  const erase = jsonBody(ctx)['erase'] === true;
  deactivateViaHttp(ctx.state.model, ctx.state.flavour, user.userId, erase, ctx.state.later);
  return json({ id_server_unbind_result: 'success' });
}

// ---- shared-secret registration ----

const nonces = new Set<string>();

function registerNonce(): Reply {
  const nonce = randomBytes(64).toString('hex');
  nonces.add(nonce);
  return json({ nonce });
}

function register(ctx: RequestContext): Reply {
  const body = jsonBody(ctx);
  const model = ctx.state.model;
  const nonce = String(body['nonce'] ?? '');
  if (!nonces.delete(nonce)) throw new MatrixError(400, 'M_UNKNOWN', 'unrecognised nonce');
  const username = String(body['username'] ?? '');
  const password = String(body['password'] ?? '');
  const admin = body['admin'] === true;
  const mac = createHmac('sha1', ctx.state.registrationSecret)
    .update(`${nonce}\u0000${username}\u0000${password}\u0000${admin ? 'admin' : 'notadmin'}`)
    .digest('hex');
  if (mac !== body['mac']) throw forbidden('HMAC incorrect');
  if (model.user(`@${username}:${model.serverName}`)) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
  const displayName = typeof body['displayname'] === 'string' ? body['displayname'] : undefined;
  // Registration creates a device of its own (recorded: it shows in the admin device list).
  const { userId, accessToken } = model.addUser({ localpart: username, password, admin, ...(displayName ? { displayName } : {}) });
  const deviceId = model.tokenInfo(accessToken)?.deviceId ?? null;
  return json({ user_id: userId, home_server: model.serverName, access_token: accessToken, device_id: deviceId });
}

function serverVersion(ctx: RequestContext): Reply {
  // Never checks the token, not even a bad one (recorded).
  return json(ctx.state.flavour.serverVersionBody);
}

export function registerAdminApi(router: Router): void {
  const r = adminRegistrar(router);
  r('GET', '/v1/server_version', serverVersion);
  r('GET', '/v2/users/{userId}', getUser);
  r('PUT', '/v2/users/{userId}', putUser);
  r('GET', '/v1/users/{userId}/joined_rooms', joinedRooms);
  r('GET', '/v1/users/{userId}/memberships', memberships, 'memberships');
  r('GET', '/v2/users/{userId}/devices', devices);
  r('DELETE', '/v2/users/{userId}/devices/{deviceId}', deleteDevice);
  r('GET', '/v1/whois/{userId}', whois);
  r('GET', '/v1/users/{userId}/accountdata', accountData);
  r('GET', '/v1/users/{userId}/pushers', pushers);
  r('GET', '/v1/users/{userId}/media', listMedia);
  r('DELETE', '/v1/users/{userId}/media', deleteUserMedia);
  r('DELETE', '/v1/media/{serverName}/{mediaId}', deleteMedia);
  r('POST', '/v1/users/{userId}/login', loginAs, 'loginAs');
  r('POST', '/v1/deactivate/{userId}', deactivate);
  registerAdminRooms(r);
  registerUserRedaction(r);
  registerRateLimitOverride(r);
  registerScheduledTasks(r);
  registerFetchEvent(r);
  r('GET', '/v1/register', registerNonce, 'register');
  r('POST', '/v1/register', register, 'register');
}
