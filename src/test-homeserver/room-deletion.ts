// DELETE /_synapse/admin/v2/rooms/{room}: shut a room down (every local member leaves and
// forgets it) and, with `purge` (the default), remove it from the server, as a background task
// followed through GET /v2/rooms/delete_status/{delete_id} and /v2/rooms/{room}/delete_status.
//
// Measured on Synapse 1.160: {"delete_id"}; the status {delete_id, room_id, status,
// shutdown_room} says "complete" within seconds, with shutdown_room {kicked_users,
// failed_to_kick_users, local_aliases, new_room_id}; a room the server does not know completes
// with nobody kicked; afterwards the details and state are 404 "Room not found", the admin
// context 404 "Event not found.", the admin /messages an empty page, the room is gone from the
// rooms list and from every membership list. Tuwunel 1.9.0 does the same through its tasks
// service (src/api/client/admin/rooms/delete_room.rs, src/service/rooms/delete/mod.rs): its
// members leave with the reason "Room Deleted", and the aliases it removed are listed.

import type { AdminRegistrar } from './admin-common.ts';
import { requireAdmin } from './admin-common.ts';
import { MatrixError, notFound } from './errors.ts';
import type { Reply, RequestContext, ServerState } from './http.ts';
import { json, jsonBody } from './http.ts';
import type { JsonObject } from './model.ts';
import type { ScheduledTask } from './task-scheduler.ts';

export const SHUTDOWN_AND_PURGE_ROOM = 'shutdown_and_purge_room';

const isRoomId = (roomId: string): boolean => /^![^:]+:.+$/.test(roomId);

function booleanParam(body: JsonObject, name: string, fallback: boolean): boolean {
  const value = body[name] ?? fallback;
  if (typeof value !== 'boolean') throw new MatrixError(400, 'M_BAD_JSON', `Param '${name}' must be a boolean, if given`);
  return value;
}

/** Every local member (joined, invited or knocking) leaves and forgets the room; then, if asked, the room goes. */
function shutDown(state: ServerState, roomId: string, purge: boolean): JsonObject {
  const { model, flavour } = state;
  const result: JsonObject = { kicked_users: [], failed_to_kick_users: [], local_aliases: [], new_room_id: null };
  if (!model.room(roomId)) return result;
  const kicked: string[] = [];
  for (const [userId, user] of model.users) {
    const membership = model.membership(roomId, userId);
    if (!user.local || (membership !== 'join' && membership !== 'invite' && membership !== 'knock')) continue;
    model.leave(roomId, userId, flavour.roomDeletion.leaveReason ?? undefined);
    model.forget(roomId, userId);
    kicked.push(userId);
  }
  result['kicked_users'] = kicked;
  if (flavour.roomDeletion.reportsAliases) result['local_aliases'] = [...model.aliases].filter(([, target]) => target === roomId).map(([alias]) => alias);
  if (purge) model.purgeRoom(roomId);
  return result;
}

function deleteRoom(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const body = jsonBody(ctx);
  // Blocking the room against later joins is checked, not modelled.
  booleanParam(body, 'block', false);
  booleanParam(body, 'force_purge', false);
  const purge = booleanParam(body, 'purge', true);
  const roomId = ctx.params['roomId'] ?? '';
  if (!isRoomId(roomId)) throw new MatrixError(400, 'M_UNKNOWN', `${roomId} is not a legal room ID`);
  const { tasks, later } = ctx.state;
  const task = tasks.schedule(SHUTDOWN_AND_PURGE_ROOM, roomId);
  later(0, () => {
    tasks.setStatus(task, 'active');
    later(ctx.state.roomDeletionMs, () => tasks.setStatus(task, 'complete', { result: shutDown(ctx.state, roomId, purge) }));
  });
  return json({ delete_id: task.id });
}

function deleteStatus(state: ServerState, task: ScheduledTask): JsonObject {
  const running = task.status === 'active' ? state.flavour.roomDeletion.runningStatus : task.status;
  return { delete_id: task.id, room_id: task.resourceId, status: running, shutdown_room: task.result };
}

function statusById(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const id = ctx.params['deleteId'] ?? '';
  const task = ctx.state.tasks.tasks.get(id);
  if (!task || task.action !== SHUTDOWN_AND_PURGE_ROOM) throw notFound(ctx.state.flavour.roomDeletion.unknownDeleteIdError(id));
  return json(deleteStatus(ctx.state, task));
}

/** The room's deletions that have started (a scheduled one is not listed yet), oldest first. */
function statusByRoom(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const roomId = ctx.params['roomId'] ?? '';
  if (!isRoomId(roomId)) throw new MatrixError(400, 'M_UNKNOWN', `${roomId} is not a legal room ID`);
  const found = ctx.state.tasks.find(SHUTDOWN_AND_PURGE_ROOM, { resourceId: roomId, statuses: ['active', 'complete', 'failed'] });
  if (found.length === 0) throw notFound(ctx.state.flavour.roomDeletion.noTaskForRoomError(roomId));
  return json({ results: found.map((task) => deleteStatus(ctx.state, task)) });
}

export function registerRoomDeletion(r: AdminRegistrar): void {
  r('DELETE', '/v2/rooms/{roomId}', deleteRoom);
  r('GET', '/v2/rooms/delete_status/{deleteId}', statusById);
  r('GET', '/v2/rooms/{roomId}/delete_status', statusByRoom);
}
