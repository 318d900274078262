// The admin API's room endpoints: details, state, messages, context, make_room_admin and
// the admin join, as each flavour answers them.

import type { AdminRegistrar } from './admin-common.ts';
import { isLocal, requireAdmin } from './admin-common.ts';
import { currentStateGone, NO_SERVERS_TO_JOIN_THROUGH, servedState } from './current-state.ts';
import { forbidden, MatrixError, notFound } from './errors.ts';
import { clientEvent } from './events.ts';
import type { Reply, RequestContext } from './http.ts';
import { json, jsonBody } from './http.ts';
import type { HomeserverModel, JsonObject, RoomRecord } from './model.ts';
import { registerRoomDeletion } from './room-deletion.ts';
import { roomForgotten, roomRow } from './room-summary.ts';
import { registerRoomsList } from './rooms-list.ts';
import type { ReadOptions } from './timeline.ts';
import { eventContext, paginate } from './timeline.ts';

function adminRoom(ctx: RequestContext): RoomRecord {
  const room = ctx.state.model.room(ctx.params['roomId'] ?? '');
  if (!room) throw notFound('Room not found');
  return room;
}

function roomDetails(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const room = adminRoom(ctx);
  const model = ctx.state.model;
  const row = roomRow(ctx.state, room);
  const gone = currentStateGone(ctx.state, room.roomId);
  const field = (type: string, key: string): unknown => (gone ? null : (model.stateEvent(room.roomId, type, '')?.content[key] ?? null));
  const localJoined = model.joinedMembers(room.roomId).filter((u) => model.localUser(u));
  const body: JsonObject = {
    ...row,
    avatar: field('m.room.avatar', 'url'),
    topic: field('m.room.topic', 'topic'),
    joined_local_devices: localJoined.reduce((n, u) => n + (model.user(u)?.devices.size ?? 0), 0),
    forgotten: roomForgotten(ctx.state, room, row),
  };
  if (ctx.state.flavour.roomDetailsTombstone) {
    const replacement = field('m.room.tombstone', 'replacement_room');
    body['tombstoned'] = model.stateEvent(room.roomId, 'm.room.tombstone', '') !== undefined && !gone;
    body['replacement_room'] = replacement;
  }
  return json(body);
}

// Admin reads bypass membership and show erased users' events unpruned (recorded).
const ADMIN_READ: ReadOptions = { visibleUpTo: Number.MAX_SAFE_INTEGER, viewer: null, pruneErasedFor: null };

/**
 * How an admin reads a room. Synapse skips visibility and erasure alike (recorded on 1.67).
 * Tuwunel 1.9.0 skips visibility but passes every event through bundling, which serves an
 * erased sender's event as a pruned copy, with no unsigned at all, unless the reading admin was
 * joined when it was sent (src/service/rooms/pdu_metadata/bundling.rs,
 * src/service/rooms/state_accessor/erased.rs).
 */
function adminRead(ctx: RequestContext, admin: string): ReadOptions {
  if (!ctx.state.flavour.erasurePrunesAdminReads) return ADMIN_READ;
  return { ...ADMIN_READ, pruneErasedFor: admin, prunedWithoutUnsigned: true };
}

function roomMessages(ctx: RequestContext): Reply {
  const admin = requireAdmin(ctx);
  const { maxMessagesLimit, messages, unknownRoomReads } = ctx.state.flavour;
  const room = ctx.state.model.room(ctx.params['roomId'] ?? '');
  if (!room) {
    // Synapse pages through nothing (measured after a purge); Tuwunel refuses (src/api/client/message.rs).
    if (unknownRoomReads.messages === 'forbidden') throw forbidden('Room does not exist to this server');
    return json({ chunk: [], start: `t0-${ctx.state.model.pos}_0_0_0_0_0_0_0_0` });
  }
  return json(
    paginate(ctx.state.model, room, ctx.query, {
      ...adminRead(ctx, admin),
      maxLimit: maxMessagesLimit,
      defaultDir: messages.adminDefaultDir,
      forwardWithoutFromStartsAtBeginning: messages.forwardWithoutFromStartsAtBeginning,
    }),
  );
}

/** The room's current state, every event in the client shape: {state: [...]} (Synapse and Tuwunel alike). */
function roomState(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const room = adminRoom(ctx);
  const now = Date.now();
  return json({ state: servedState(ctx.state, room.roomId).map((e) => clientEvent(e, { token: null }, now)) });
}

function roomContext(ctx: RequestContext): Reply {
  const admin = requireAdmin(ctx);
  const room = ctx.state.model.room(ctx.params['roomId'] ?? '');
  // Synapse looks the event up, not the room (measured after a purge: "Event not found.").
  if (!room && ctx.state.flavour.unknownRoomReads.context === 'event-not-found') throw notFound('Event not found.');
  return json(eventContext(ctx.state.model, room ?? adminRoom(ctx), ctx.params['eventId'] ?? '', ctx.query, adminRead(ctx, admin)));
}

// ---- rooms: make_room_admin, join a user ----

/**
 * POST /v1/rooms/{room}/make_room_admin, as Synapse's MakeRoomAdminRestServlet: of the local
 * users named in the power levels, the most powerful one still joined grants the user (default:
 * the caller) its own level, then invites them unless they are joined, invited or the room is
 * public. Without the room's current state there is nobody to act through.
 */
function makeRoomAdmin(ctx: RequestContext): Reply {
  if (ctx.state.flavour.makeRoomAdmin === 'tuwunel') return makeRoomAdminTuwunel(ctx);
  const admin = requireAdmin(ctx);
  const model = ctx.state.model;
  const roomRef = ctx.params['roomId'] ?? '';
  const roomId = roomRef.startsWith('#') ? model.aliases.get(roomRef) : roomRef;
  if (roomId === undefined) throw notFound(`Room alias ${roomRef} not found`);
  const body = jsonBody(ctx);
  const userId = typeof body['user_id'] === 'string' ? body['user_id'] : admin;
  const refuse = (message: string): MatrixError => new MatrixError(400, 'M_UNKNOWN', message);
  if (!model.room(roomId) || currentStateGone(ctx.state, roomId)) throw refuse('Server not in room');
  const powerLevels = model.stateEvent(roomId, 'm.room.power_levels', '');
  let granter: string | undefined;
  if (powerLevels) {
    const users = (powerLevels.content['users'] ?? {}) as Record<string, number>;
    const localAdmins = Object.keys(users)
      .filter((u) => isLocal(ctx, u))
      .sort((a, b) => (users[a] ?? 0) - (users[b] ?? 0));
    granter = localAdmins.reverse().find((u) => model.membership(roomId, u) === 'join');
  } else {
    const creator = model.stateEvent(roomId, 'm.room.create', '')?.sender;
    granter = creator !== undefined && isLocal(ctx, creator) ? creator : undefined;
  }
  if (granter === undefined) throw refuse('No local admin user in room');
  const level = ((powerLevels?.content['users'] ?? {}) as Record<string, number>)[granter] ?? 100;
  if (!mayGrant(model, roomId, granter, userId, level)) throw refuse('No local admin user in room with power to update power levels.');
  model.setPowerLevel(roomId, granter, userId, level);
  const membership = model.membership(roomId, userId);
  const joinRule = model.stateEvent(roomId, 'm.room.join_rules', '')?.content['join_rule'];
  if (membership !== 'join' && membership !== 'invite' && joinRule !== 'public') model.invite(roomId, granter, userId);
  return json({});
}

/** The auth rules for a power-levels change that sets `target` to `level`, sent by `sender`. */
function mayGrant(model: HomeserverModel, roomId: string, sender: string, target: string, level: number): boolean {
  const content = model.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {};
  const events = (content['events'] ?? {}) as Record<string, unknown>;
  const needed = events['m.room.power_levels'] ?? content['state_default'] ?? 50;
  const own = model.powerLevel(roomId, sender);
  if (model.membership(roomId, sender) !== 'join' || own < (typeof needed === 'number' ? needed : 50) || level > own) return false;
  const current = model.powerLevel(roomId, target);
  return target === sender || current === level || current < own;
}

/**
 * POST /v1/join/{room}: brings a local user in; into a room that is not public the caller
 * invites them first, so the caller must be in it with power to invite. A room whose current
 * state Synapse dropped cannot be joined at all.
 */
function joinUser(ctx: RequestContext): Reply {
  if (ctx.state.flavour.makeRoomAdmin === 'tuwunel') return joinUserTuwunel(ctx);
  const admin = requireAdmin(ctx);
  const model = ctx.state.model;
  const roomRef = ctx.params['roomId'] ?? '';
  const roomId = roomRef.startsWith('#') ? model.aliases.get(roomRef) : roomRef;
  const room = roomId === undefined ? undefined : model.room(roomId);
  if (!room) throw notFound('Room not found');
  const userId = jsonBody(ctx)['user_id'];
  if (typeof userId !== 'string') throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: user_id');
  if (!isLocal(ctx, userId) || !model.localUser(userId)) throw new MatrixError(400, 'M_INVALID_PARAM', 'This endpoint can only be used with local users');
  if (currentStateGone(ctx.state, room.roomId)) throw new MatrixError(404, 'M_UNKNOWN', NO_SERVERS_TO_JOIN_THROUGH);
  if (model.membership(room.roomId, userId) === 'join') return json({ room_id: room.roomId });
  const joinRule = model.stateEvent(room.roomId, 'm.room.join_rules', '')?.content['join_rule'];
  if (joinRule !== 'public') {
    // Recorded on Synapse 1.67: 403 "<admin> not in room" while the caller is not a member.
    if (model.membership(room.roomId, admin) !== 'join') throw forbidden(`${admin} not in room ${room.roomId}.`);
    if (model.powerLevel(room.roomId, admin) < model.requiredLevel(room.roomId, 'invite')) throw forbidden("You don't have permission to invite users");
    model.invite(room.roomId, admin, userId);
  }
  model.join(room.roomId, userId);
  return json({ room_id: room.roomId });
}

/**
 * make_room_admin as Tuwunel 1.9.0 grants it (src/service/admin/grant.rs): the local member
 * joined with the most power (the first of equals) invites the user unless they are joined,
 * invited or the room is published, then gives them its own level. Nobody local joined: "Server
 * not in room"; that member may not change power levels: "No local admin in room with power to
 * update power levels"; both 400 M_INVALID_PARAM.
 */
function makeRoomAdminTuwunel(ctx: RequestContext): Reply {
  const admin = requireAdmin(ctx);
  const model = ctx.state.model;
  const roomRef = ctx.params['roomId'] ?? '';
  const roomId = roomRef.startsWith('#') ? model.aliases.get(roomRef) : roomRef;
  if (roomId === undefined || !model.room(roomId)) throw notFound('Room not found');
  const body = jsonBody(ctx);
  const userId = typeof body['user_id'] === 'string' ? body['user_id'] : admin;
  const refuse = (message: string): MatrixError => new MatrixError(400, 'M_INVALID_PARAM', message);
  let sender: string | undefined;
  for (const u of model
    .joinedMembers(roomId)
    .filter((u) => model.localUser(u))
    .sort()) {
    if (sender === undefined || model.powerLevel(roomId, u) > model.powerLevel(roomId, sender)) sender = u;
  }
  if (sender === undefined) throw refuse('Server not in room');
  const content = model.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {};
  const events = (content['events'] ?? {}) as Record<string, unknown>;
  const needed = events['m.room.power_levels'] ?? content['state_default'] ?? 50;
  if (model.powerLevel(roomId, sender) < (typeof needed === 'number' ? needed : 50)) throw refuse('No local admin in room with power to update power levels');
  const membership = model.membership(roomId, userId);
  // "Public" here is published in the directory, which the test homeserver does not have.
  if (membership !== 'join' && membership !== 'invite') model.invite(roomId, sender, userId);
  model.setPowerLevel(roomId, sender, userId, model.powerLevel(roomId, sender));
  return json({});
}

/**
 * The admin join as Tuwunel 1.9.0 does it (src/api/client/admin/rooms/join.rs): the user joins
 * under the room's own rules, nobody invites them first.
 */
function joinUserTuwunel(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const model = ctx.state.model;
  const userId = jsonBody(ctx)['user_id'];
  if (typeof userId !== 'string') throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: user_id');
  if (!isLocal(ctx, userId)) throw new MatrixError(400, 'M_INVALID_PARAM', 'User must be local to this server');
  if (!model.localUser(userId)) throw notFound('Unknown user');
  const roomRef = ctx.params['roomId'] ?? '';
  const roomId = roomRef.startsWith('#') ? model.aliases.get(roomRef) : roomRef;
  if (roomId === undefined) throw notFound(`Room alias ${roomRef} not found`);
  if (!model.room(roomId)) throw notFound('Room not found');
  const membership = model.membership(roomId, userId);
  if (membership === 'join') return json({ room_id: roomId });
  if (membership === 'ban') throw forbidden('You are banned from the room.');
  const joinRule = model.stateEvent(roomId, 'm.room.join_rules', '')?.content['join_rule'];
  if (joinRule !== 'public' && membership !== 'invite') throw forbidden(`Auth check failed: ${userId} may not join ${roomId}`);
  model.join(roomId, userId);
  return json({ room_id: roomId });
}

export function registerAdminRooms(r: AdminRegistrar): void {
  registerRoomsList(r);
  registerRoomDeletion(r);
  r('GET', '/v1/rooms/{roomId}', roomDetails);
  r('GET', '/v1/rooms/{roomId}/state', roomState);
  r('GET', '/v1/rooms/{roomId}/messages', roomMessages, 'roomMessages');
  r('GET', '/v1/rooms/{roomId}/context/{eventId}', roomContext);
  r('POST', '/v1/rooms/{roomId}/make_room_admin', makeRoomAdmin, 'makeRoomAdmin');
  r('POST', '/v1/join/{roomId}', joinUser, 'makeRoomAdmin');
}
