// Whether the server still holds a room's current state. Synapse deletes it once no local
// member is joined (the server has "left" the room): from then on every read of the current
// state finds nothing, while the timeline, sync's left rooms and the admin /messages remain.
// Measured on Synapse 1.160: the admin /memberships omits the room, /state is empty, the
// details' name and rules are null, make_room_admin says "Server not in room", and every join
// (admin or client) answers 404 "Can't join remote room ...". Tuwunel keeps the state.
import type { ServerState } from './http.ts';
import type { StoredEvent } from './model.ts';

export function currentStateGone(state: ServerState, roomId: string): boolean {
  return state.flavour.dropsStateWhenServerLeaves && state.model.room(roomId) !== undefined && !state.model.serverInRoom(roomId);
}

/** The room's current state as the server serves it: none once it was dropped. */
export function servedState(state: ServerState, roomId: string): StoredEvent[] {
  if (currentStateGone(state, roomId)) return [];
  return [...(state.model.room(roomId)?.state.values() ?? [])];
}

/** Synapse's answer to any join of a room whose state it dropped: it would have to join over federation, through nobody. */
export const NO_SERVERS_TO_JOIN_THROUGH = "Can't join remote room because no servers that are in the room have been provided.";
