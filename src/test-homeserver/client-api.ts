// The client-server API (/_matrix/client/v3, r0 accepted too): what
// matrix-bot-sdk 0.8.0 and the bot's own HTTP calls use, answered the way
// Synapse 1.67 was recorded answering.

import { currentStateGone, NO_SERVERS_TO_JOIN_THROUGH } from './current-state.ts';
import { registerEndToEndApi } from './e2ee-api.ts';
import { badJson, forbidden, MatrixError, notFound } from './errors.ts';
import { refuseOversized } from './event-size.ts';
import { clientEvent, visibleContent } from './events.ts';
import type { Reply, RequestContext, Router } from './http.ts';
import { json, jsonBody, requireAuth } from './http.ts';
import type { HomeserverModel, JsonObject, Pusher, RoomRecord, TokenRecord } from './model.ts';
import { handleSync } from './sync.ts';
import type { ReadOptions } from './timeline.ts';
import { eventContext, paginate } from './timeline.ts';
import { transactionKey } from './transactions.ts';

const C = '/_matrix/client/v3';

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

// ---- access checks shared by room endpoints ----

function roomFor(ctx: RequestContext): RoomRecord {
  const room = ctx.state.model.room(ctx.params['roomId'] ?? '');
  if (!room) throw notInRoom(requireAuth(ctx).userId, ctx.params['roomId'] ?? '');
  return room;
}

const notInRoom = (userId: string, roomId: string): MatrixError => forbidden(`User ${userId} not in room ${roomId}, and room previews are disabled`);

/** The caller must be joined (to send, set state, invite, redact). */
function requireJoined(ctx: RequestContext): { token: TokenRecord; room: RoomRecord } {
  const token = requireAuth(ctx);
  const room = roomFor(ctx);
  if (ctx.state.model.membership(room.roomId, token.userId) !== 'join') {
    throw forbidden(ctx.state.flavour.notJoinedError(token.userId, room.roomId));
  }
  return { token, room };
}

/** What a user may read: everything while joined, up to the leave after leaving. */
function readAccess(ctx: RequestContext): { token: TokenRecord; room: RoomRecord; opts: ReadOptions } {
  const token = requireAuth(ctx);
  const room = roomFor(ctx);
  const member = ctx.state.model.stateEvent(room.roomId, 'm.room.member', token.userId);
  const membership = member?.content['membership'];
  const everJoined = room.events.some((e) => e.type === 'm.room.member' && e.stateKey === token.userId && e.content['membership'] === 'join');
  if (!member || !everJoined || membership === 'invite') throw notInRoom(token.userId, room.roomId);
  const visibleUpTo = membership === 'join' ? Number.MAX_SAFE_INTEGER : member.index;
  return { token, room, opts: { visibleUpTo, viewer: token, pruneErasedFor: token.userId } };
}

function requireSelf(ctx: RequestContext, message: string): TokenRecord {
  const token = requireAuth(ctx);
  if (ctx.params['userId'] !== token.userId) throw forbidden(message);
  return token;
}

// ---- account ----

function whoami(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const body: JsonObject = { user_id: token.userId, is_guest: false };
  // Login-as tokens have no device, and whoami then leaves device_id out.
  if (token.deviceId) body['device_id'] = token.deviceId;
  return json(body);
}

function getAccountData(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Cannot get account data for other users.');
  const user = ctx.state.model.user(token.userId);
  const roomId = ctx.params['roomId'];
  const type = ctx.params['type'] ?? '';
  const entry = roomId === undefined ? user?.accountData.get(type) : user?.roomAccountData.get(roomId)?.get(type);
  if (!entry || entry.deleted) throw notFound(roomId === undefined ? 'Account data not found' : 'Room account data not found');
  return json(entry.content);
}

function putAccountData(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Cannot add account data for other users.');
  ctx.state.model.setAccountData(token.userId, ctx.params['type'] ?? '', jsonBody(ctx), ctx.params['roomId']);
  return json({});
}

/** DELETE .../account_data/{type} under MSC3391's unstable prefix: Tuwunel only (Synapse 1.160 has no such route). */
function deleteAccountData(ctx: RequestContext): Reply {
  if (!ctx.state.flavour.accountDataDelete) throw new MatrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
  const token = requireSelf(ctx, 'You cannot delete account data for other users.');
  ctx.state.model.deleteAccountData(token.userId, ctx.params['type'] ?? '', ctx.params['roomId']);
  return json({});
}

function getTags(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Cannot get tags for other users.');
  const tags = ctx.state.model.user(token.userId)?.tags.get(ctx.params['roomId'] ?? '');
  return json({ tags: tags?.content ?? {} });
}

function putTag(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Cannot add tags for other users.');
  ctx.state.model.setRoomTag(token.userId, ctx.params['roomId'] ?? '', ctx.params['tag'] ?? '', jsonBody(ctx));
  return json({});
}

function deleteTag(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Cannot add tags for other users.');
  ctx.state.model.deleteRoomTag(token.userId, ctx.params['roomId'] ?? '', ctx.params['tag'] ?? '');
  return json({});
}

function joinedRooms(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  return json({ joined_rooms: ctx.state.model.joinedRooms(token.userId) });
}

// ---- rooms: create, join, leave, invite ----

function createRoom(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const body = jsonBody(ctx);
  const model = ctx.state.model;
  const aliasName = body['room_alias_name'];
  if (typeof aliasName === 'string' && model.aliases.has(`#${aliasName}:${model.serverName}`)) {
    throw new MatrixError(400, 'M_ROOM_IN_USE', 'Room alias already taken');
  }
  const initialState = Array.isArray(body['initial_state']) ? (body['initial_state'] as Array<{ type: string; state_key?: string; content: JsonObject }>) : [];
  const visibility = body['visibility'] === 'public' ? 'public_chat' : 'private_chat';
  const roomId = model.createRoom(token.userId, {
    ...(typeof body['name'] === 'string' ? { name: body['name'] } : {}),
    ...(typeof body['topic'] === 'string' ? { topic: body['topic'] } : {}),
    ...(typeof aliasName === 'string' ? { alias: aliasName } : {}),
    invite: Array.isArray(body['invite']) ? (body['invite'] as string[]) : [],
    isDirect: body['is_direct'] === true,
    preset: typeof body['preset'] === 'string' ? body['preset'] : visibility,
    creationContent: (body['creation_content'] ?? {}) as JsonObject,
    initialState,
  });
  const answer: JsonObject = { room_id: roomId };
  if (typeof aliasName === 'string') answer['room_alias'] = `#${aliasName}:${model.serverName}`;
  return json(answer);
}

function resolveRoom(model: HomeserverModel, idOrAlias: string): string {
  if (idOrAlias.startsWith('#')) {
    const roomId = model.aliases.get(idOrAlias);
    if (!roomId) throw notFound(`Room alias ${idOrAlias} not found`);
    return roomId;
  }
  if (!model.room(idOrAlias)) throw notFound('No known servers');
  return idOrAlias;
}

function join(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const model = ctx.state.model;
  const roomId = resolveRoom(model, ctx.params['roomIdOrAlias'] ?? ctx.params['roomId'] ?? '');
  if (currentStateGone(ctx.state, roomId)) throw new MatrixError(404, 'M_UNKNOWN', NO_SERVERS_TO_JOIN_THROUGH);
  const membership = model.membership(roomId, token.userId);
  if (membership === 'ban') throw forbidden('You are banned from this room');
  if (membership !== 'join') {
    const rule = model.stateEvent(roomId, 'm.room.join_rules', '')?.content['join_rule'];
    if (rule !== 'public' && membership !== 'invite') throw forbidden('You are not invited to this room.');
    model.join(roomId, token.userId);
  }
  return json({ room_id: roomId });
}

function leave(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const model = ctx.state.model;
  const roomId = ctx.params['roomId'] ?? '';
  const membership = model.room(roomId) ? model.membership(roomId, token.userId) : null;
  if (membership === null) throw forbidden(`User ${token.userId} not in room ${roomId} (None)`);
  if (membership === 'join' || membership === 'invite') {
    const reason = jsonBody(ctx)['reason'];
    model.leave(roomId, token.userId, typeof reason === 'string' ? reason : undefined);
  }
  return json({});
}

/** POST /rooms/{r}/forget: only a room the user is out of; the flavour says which memberships stand in the way. */
function forget(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const model = ctx.state.model;
  const roomId = ctx.params['roomId'] ?? '';
  const membership = model.room(roomId) ? model.membership(roomId, token.userId) : null;
  const refusal = ctx.state.flavour.forgetRefusal(token.userId, roomId, membership);
  if (refusal !== null) throw new MatrixError(400, 'M_UNKNOWN', refusal);
  if (membership === 'leave' || membership === 'ban') model.forget(roomId, token.userId);
  return json({});
}

function invite(ctx: RequestContext): Reply {
  const { token, room } = requireJoined(ctx);
  const target = jsonBody(ctx)['user_id'];
  if (typeof target !== 'string') throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: user_id');
  const model = ctx.state.model;
  if (!model.user(target)) throw notFound('Unknown user');
  const current = model.membership(room.roomId, target);
  if (current === 'join') throw forbidden(`${target} is already in the room.`);
  if (current === 'ban') throw forbidden(`${target} is banned from the room`);
  model.invite(room.roomId, token.userId, target);
  return json({});
}

// ---- events and state ----

/** The transaction of a PUT with a transaction ID, keyed the way this flavour keys it. */
function transaction(ctx: RequestContext, token: TokenRecord, roomId: string, txnId: string): { token: string; txnId: string; key: string } {
  return { token: token.token, txnId, key: transactionKey(ctx.state.flavour.transactionScope, token, roomId, txnId) };
}

function send(ctx: RequestContext): Reply {
  const { token, room } = requireJoined(ctx);
  const type = ctx.params['type'] ?? '';
  const content = jsonBody(ctx);
  const txn = transaction(ctx, token, room.roomId, ctx.params['txnId'] ?? '');
  const model = ctx.state.model;
  // A retransmission is answered with the first event, before anything is checked again.
  if (!model.isRetransmission(txn.key)) refuseOversized(room.roomId, token.userId, type, content);
  return json({ event_id: model.sendEvent(room.roomId, token.userId, type, content, { txn }) });
}

function putState(ctx: RequestContext): Reply {
  const { token, room } = requireJoined(ctx);
  const type = ctx.params['type'] ?? '';
  const stateKey = ctx.params['stateKey'] ?? '';
  const content = jsonBody(ctx);
  refuseOversized(room.roomId, token.userId, type, content, stateKey);
  return json({ event_id: ctx.state.model.sendEvent(room.roomId, token.userId, type, content, { stateKey }) });
}

function getStateEvent(ctx: RequestContext): Reply {
  const { room } = readAccess(ctx);
  const ev = ctx.state.model.stateEvent(room.roomId, ctx.params['type'] ?? '', ctx.params['stateKey'] ?? '');
  if (!ev) throw notFound('Event not found.');
  return json(visibleContent(ev));
}

function getState(ctx: RequestContext): Reply {
  const { token, room } = readAccess(ctx);
  const now = Date.now();
  return json([...room.state.values()].map((e) => clientEvent(e, token, now)));
}

function joinedMembers(ctx: RequestContext): Reply {
  const { room } = readAccess(ctx);
  const joined: JsonObject = {};
  for (const ev of room.state.values()) {
    if (ev.type !== 'm.room.member' || ev.content['membership'] !== 'join' || !ev.stateKey) continue;
    joined[ev.stateKey] = { avatar_url: ev.content['avatar_url'] ?? null, display_name: ev.content['displayname'] ?? null };
  }
  return json({ joined });
}

function members(ctx: RequestContext): Reply {
  const { token, room } = readAccess(ctx);
  const only = ctx.query.get('membership');
  const not = ctx.query.get('not_membership');
  const now = Date.now();
  const chunk = [...room.state.values()]
    .filter((e) => e.type === 'm.room.member')
    .filter((e) => (only ? e.content['membership'] === only : true) && (not ? e.content['membership'] !== not : true))
    .map((e) => clientEvent(e, token, now));
  return json({ chunk });
}

function messages(ctx: RequestContext): Reply {
  const { room, opts } = readAccess(ctx);
  const { maxMessagesLimit, messages: rules } = ctx.state.flavour;
  return json(
    paginate(ctx.state.model, room, ctx.query, {
      ...opts,
      maxLimit: maxMessagesLimit,
      defaultDir: rules.clientDefaultDir,
      forwardWithoutFromStartsAtBeginning: rules.forwardWithoutFromStartsAtBeginning,
    }),
  );
}

function getEvent(ctx: RequestContext): Reply {
  // Synapse looks the event up before the room (measured on 1.160 after a purge).
  if (!ctx.state.model.room(ctx.params['roomId'] ?? '') && ctx.state.flavour.unknownRoomReads.context === 'event-not-found') {
    requireAuth(ctx);
    throw notFound('Event not found.');
  }
  const { token, room, opts } = readAccess(ctx);
  const ev = ctx.state.model.findEvent(room.roomId, ctx.params['eventId'] ?? '');
  // Synapse 1.67 served an erased sender's event in full here even to later joiners (recorded).
  if (!ev || ev.index > opts.visibleUpTo) throw notFound(`Could not find event ${ctx.params['eventId'] ?? ''}`);
  return json(clientEvent(ev, token));
}

function context(ctx: RequestContext): Reply {
  const { room, opts } = readAccess(ctx);
  return json(eventContext(ctx.state.model, room, ctx.params['eventId'] ?? '', ctx.query, opts));
}

function redact(ctx: RequestContext): Reply {
  const { token, room } = requireJoined(ctx);
  const model = ctx.state.model;
  // Anyone may redact their own events; others' need the room's redact level (the auth rules).
  if (model.findEvent(room.roomId, ctx.params['eventId'] ?? '') && model.redactionRefusal(room.roomId, token.userId, ctx.params['eventId'] ?? '') !== null) {
    throw forbidden("You don't have permission to redact events");
  }
  const reason = jsonBody(ctx)['reason'];
  const txnId = ctx.params['txnId'];
  const eventId = ctx.state.model.redact(
    room.roomId,
    token.userId,
    ctx.params['eventId'] ?? '',
    typeof reason === 'string' ? reason : undefined,
    txnId === undefined ? undefined : transaction(ctx, token, room.roomId, txnId),
  );
  return json({ event_id: eventId });
}

function typing(ctx: RequestContext): Reply {
  requireSelf(ctx, "Cannot set another user's typing state");
  const { token, room } = requireJoined(ctx);
  const body = jsonBody(ctx);
  const timeout = typeof body['timeout'] === 'number' ? body['timeout'] : 30000;
  ctx.state.model.setTyping(room.roomId, token.userId, body['typing'] === true, timeout);
  return json({});
}

function receipt(ctx: RequestContext): Reply {
  const { token, room } = requireJoined(ctx);
  ctx.state.model.setReceipt(room.roomId, token.userId, ctx.params['eventId'] ?? '');
  return json({});
}

function readMarkers(ctx: RequestContext): Reply {
  const { token, room } = requireJoined(ctx);
  const body = jsonBody(ctx);
  const read = body['m.read'] ?? body['m.read.private'];
  if (typeof read === 'string') ctx.state.model.setReceipt(room.roomId, token.userId, read);
  return json({});
}

function directory(ctx: RequestContext): Reply {
  const alias = ctx.params['alias'] ?? '';
  const roomId = ctx.state.model.aliases.get(alias);
  if (!roomId) throw notFound(`Room alias ${alias} not found`);
  return json({ room_id: roomId, servers: [ctx.state.model.serverName] });
}

// ---- profile ----

const NAME_AND_AVATAR = ['displayname', 'avatar_url'];

/** Without custom profile fields (Synapse 1.67) only the name and avatar have routes. */
function profileField(ctx: RequestContext): string | undefined {
  const field = ctx.params['field'];
  if (field !== undefined && !NAME_AND_AVATAR.includes(field) && !ctx.state.flavour.profileFields) {
    throw new MatrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
  }
  return field;
}

function getProfile(ctx: RequestContext): Reply {
  requireAuth(ctx);
  const field = profileField(ctx);
  const user = ctx.state.model.user(ctx.params['userId'] ?? '');
  if (!user) throw notFound('Profile was not found');
  if (user.profileDeleted) {
    // Synapse 1.150+ after an erasure, measured on 1.160: the whole profile is a missing row, a
    // custom field an internal error.
    if (field === undefined) throw new MatrixError(404, 'M_UNKNOWN', 'No row found (profiles)');
    if (NAME_AND_AVATAR.includes(field)) throw notFound('Profile was not found');
    throw new MatrixError(500, 'M_UNKNOWN', 'Internal server error');
  }
  // Keys that are not set are left out, not null.
  const body: JsonObject = {};
  if (user.displayName) body['displayname'] = user.displayName;
  if (user.avatarUrl) body['avatar_url'] = user.avatarUrl;
  if (ctx.state.flavour.profileFields) for (const [key, value] of user.profileFields) body[key] = value;
  if (field === undefined) return json(body);
  if (body[field] === undefined) throw notFound('Profile was not found');
  return json({ [field]: body[field] });
}

function putProfile(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const field = profileField(ctx) ?? '';
  const model = ctx.state.model;
  const target = ctx.params['userId'] ?? '';
  if (target !== token.userId && !model.user(token.userId)?.admin) throw forbidden("Cannot set another user's profile");
  const value = jsonBody(ctx)[field];
  if (!NAME_AND_AVATAR.includes(field)) {
    // A custom field (MSC4133, e.g. m.tz) is stored as given and sends no member event.
    if (value === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', `Missing key '${field}'`);
    model.user(target)?.profileFields.set(field, value);
    return json({});
  }
  if (value !== undefined && value !== null && typeof value !== 'string') throw badJson(`${field} must be a string`);
  const v = typeof value === 'string' && value !== '' ? value : null;
  model.setProfile(target, field === 'displayname' ? { displayName: v } : { avatarUrl: v });
  return json({});
}

// ---- filters ----

function postFilter(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Can only create filters for your own user');
  const user = ctx.state.model.user(token.userId);
  if (!user) throw notFound('Unknown user');
  user.filters.push(jsonBody(ctx));
  return json({ filter_id: String(user.filters.length - 1) });
}

function getFilter(ctx: RequestContext): Reply {
  const token = requireSelf(ctx, 'Cannot get filters for other users');
  const filter = ctx.state.model.user(token.userId)?.filters[Number(ctx.params['filterId'])];
  if (!filter) throw notFound('No such filter');
  return json(filter);
}

// ---- key backup (server-side, encrypted: only its version and public parts are served) ----

/** POST /room_keys/version: a new backup version (numbered from 1), replacing the model's one backup. */
function createKeyBackup(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const body = jsonBody(ctx);
  if (typeof body['algorithm'] !== 'string' || !isObject(body['auth_data'])) throw new MatrixError(400, 'M_BAD_JSON', 'Invalid backup version');
  const user = ctx.state.model.user(token.userId);
  const version = String(Number(user?.keyBackup?.version ?? 0) + 1);
  ctx.state.model.setKeyBackup(token.userId, { algorithm: body['algorithm'], auth_data: body['auth_data'] as JsonObject, count: 0, etag: '0', version });
  return json({ version });
}

function keyBackupVersion(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const backup = ctx.state.model.user(token.userId)?.keyBackup;
  const asked = ctx.params['version'];
  if (!backup || (asked !== undefined && asked !== backup.version)) throw notFound(asked === undefined ? 'No backup found' : 'Unknown backup version');
  return json(backup);
}

/** DELETE /room_keys/version/{version}: the backup and its keys go (synapse/handlers/e2e_room_keys.py, delete_version). */
function deleteKeyBackup(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const user = ctx.state.model.user(token.userId);
  if (!user?.keyBackup || user.keyBackup.version !== ctx.params['version']) throw notFound('Unknown backup version');
  delete user.keyBackup;
  return json({});
}

// ---- pushers ----

function getPushers(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const pushers = ctx.state.model.user(token.userId)?.pushers ?? [];
  return json({ pushers: pushers.map(({ deviceId: _device, ...p }) => ({ ...p, profile_tag: p.profile_tag ?? '' })) });
}

function setPusher(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const body = jsonBody(ctx);
  for (const key of ['kind', 'app_id', 'pushkey']) {
    if (!(key in body)) throw new MatrixError(400, 'M_MISSING_PARAM', `Missing parameters: ${key}`);
  }
  ctx.state.model.addPusher(token.userId, { ...(body as unknown as Pusher), deviceId: token.deviceId });
  return json({});
}

// ---- login, logout ----

function loginFlows(): Reply {
  return json({ flows: [{ type: 'm.login.password' }] });
}

function login(ctx: RequestContext): Reply {
  const body = jsonBody(ctx);
  const model = ctx.state.model;
  if (body['type'] !== 'm.login.password') throw new MatrixError(400, 'M_UNKNOWN', `Unknown login type ${String(body['type'])}`);
  const identifier = (body['identifier'] ?? {}) as JsonObject;
  const name = String(identifier['user'] ?? body['user'] ?? '');
  const userId = name.startsWith('@') ? name : `@${name}:${model.serverName}`;
  const user = model.localUser(userId);
  if (!user || user.password === null || user.password !== body['password']) throw forbidden('Invalid username or password');
  if (user.deactivated) throw new MatrixError(403, 'M_USER_DEACTIVATED', 'This account has been deactivated');
  const displayName = typeof body['initial_device_display_name'] === 'string' ? body['initial_device_display_name'] : null;
  const deviceId = typeof body['device_id'] === 'string' ? body['device_id'] : undefined;
  const session = model.login(userId, displayName, deviceId);
  return json({
    user_id: userId,
    access_token: session.accessToken,
    home_server: model.serverName,
    device_id: session.deviceId,
    well_known: { 'm.homeserver': { base_url: `${ctx.state.url}/` } },
  });
}

function logout(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  ctx.state.model.logout(token.token);
  return json({});
}

function logoutAll(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  ctx.state.model.removeDevicesAndTokens(token.userId);
  return json({});
}

function versions(): Reply {
  return json({
    versions: ['r0.0.1', 'r0.1.0', 'r0.2.0', 'r0.3.0', 'r0.4.0', 'r0.5.0', 'r0.6.0', 'r0.6.1', 'v1.1', 'v1.2', 'v1.3'],
    unstable_features: {},
  });
}

function capabilities(ctx: RequestContext): Reply {
  requireAuth(ctx);
  return json({
    capabilities: {
      'm.room_versions': { default: ctx.state.model.roomVersion, available: { '9': 'stable', '10': 'stable', '11': 'stable' } },
      'm.change_password': { enabled: true },
    },
  });
}

export function registerClientApi(router: Router): void {
  const r = (method: string, path: string, handler: (ctx: RequestContext) => Reply | Promise<Reply>): void => router.add(method, C + path, handler);
  router.add('GET', '/_matrix/client/versions', versions);
  r('GET', '/capabilities', capabilities);
  r('GET', '/account/whoami', whoami);
  r('GET', '/user/{userId}/account_data/{type}', getAccountData);
  r('PUT', '/user/{userId}/account_data/{type}', putAccountData);
  r('GET', '/user/{userId}/rooms/{roomId}/account_data/{type}', getAccountData);
  r('PUT', '/user/{userId}/rooms/{roomId}/account_data/{type}', putAccountData);
  const msc3391 = '/_matrix/client/unstable/org.matrix.msc3391';
  router.add('DELETE', `${msc3391}/user/{userId}/account_data/{type}`, deleteAccountData);
  router.add('DELETE', `${msc3391}/user/{userId}/rooms/{roomId}/account_data/{type}`, deleteAccountData);
  r('GET', '/user/{userId}/rooms/{roomId}/tags', getTags);
  r('PUT', '/user/{userId}/rooms/{roomId}/tags/{tag}', putTag);
  r('DELETE', '/user/{userId}/rooms/{roomId}/tags/{tag}', deleteTag);
  r('POST', '/user/{userId}/filter', postFilter);
  r('GET', '/user/{userId}/filter/{filterId}', getFilter);
  r('GET', '/joined_rooms', joinedRooms);
  r('GET', '/sync', handleSync);
  r('POST', '/createRoom', createRoom);
  r('POST', '/join/{roomIdOrAlias}', join);
  r('POST', '/rooms/{roomId}/join', join);
  r('POST', '/rooms/{roomId}/leave', leave);
  r('POST', '/rooms/{roomId}/forget', forget);
  r('POST', '/rooms/{roomId}/invite', invite);
  r('PUT', '/rooms/{roomId}/send/{type}/{txnId}', send);
  r('PUT', '/rooms/{roomId}/state/{type}/{stateKey}', putState);
  r('PUT', '/rooms/{roomId}/state/{type}', putState);
  r('GET', '/rooms/{roomId}/state/{type}/{stateKey}', getStateEvent);
  r('GET', '/rooms/{roomId}/state/{type}', getStateEvent);
  r('GET', '/rooms/{roomId}/state', getState);
  r('GET', '/rooms/{roomId}/joined_members', joinedMembers);
  r('GET', '/rooms/{roomId}/members', members);
  r('GET', '/rooms/{roomId}/messages', messages);
  r('GET', '/rooms/{roomId}/event/{eventId}', getEvent);
  r('GET', '/rooms/{roomId}/context/{eventId}', context);
  r('PUT', '/rooms/{roomId}/redact/{eventId}/{txnId}', redact);
  r('POST', '/rooms/{roomId}/redact/{eventId}', redact);
  r('PUT', '/rooms/{roomId}/typing/{userId}', typing);
  r('POST', '/rooms/{roomId}/receipt/{receiptType}/{eventId}', receipt);
  r('POST', '/rooms/{roomId}/read_markers', readMarkers);
  r('GET', '/directory/room/{alias}', directory);
  r('GET', '/profile/{userId}', getProfile);
  r('GET', '/profile/{userId}/{field}', getProfile);
  r('PUT', '/profile/{userId}/{field}', putProfile);
  r('GET', '/room_keys/version', keyBackupVersion);
  r('POST', '/room_keys/version', createKeyBackup);
  r('GET', '/room_keys/version/{version}', keyBackupVersion);
  r('DELETE', '/room_keys/version/{version}', deleteKeyBackup);
  r('GET', '/pushers', getPushers);
  r('POST', '/pushers/set', setPusher);
  r('GET', '/login', loginFlows);
  r('POST', '/login', login);
  r('POST', '/logout', logout);
  r('POST', '/logout/all', logoutAll);
  registerEndToEndApi(router);
}
