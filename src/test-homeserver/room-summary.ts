// What the admin API says about a room in its list and its details: the "room row" both share,
// filled as each server fills it. Synapse reads its room statistics, whose state fields go null
// once it dropped the room's current state (nobody local joined; measured on 1.160) while
// `state_events` keeps the count from then; Tuwunel reads the state it keeps
// (src/api/client/admin/rooms/mod.rs, room_row).

import { currentStateGone } from './current-state.ts';
import type { ServerState } from './http.ts';
import type { JsonObject, RoomRecord } from './model.ts';

/** The rooms list's fields, in Synapse's order (synapse-admin-api's RoomDetails has the same). */
export function roomRow(state: ServerState, room: RoomRecord): JsonObject {
  const model = state.model;
  const gone = currentStateGone(state, room.roomId);
  const field = (type: string, key: string): unknown => (gone ? null : (model.stateEvent(room.roomId, type, '')?.content[key] ?? null));
  const joined = model.joinedMembers(room.roomId);
  return {
    room_id: room.roomId,
    name: field('m.room.name', 'name'),
    canonical_alias: field('m.room.canonical_alias', 'alias'),
    joined_members: joined.length,
    joined_local_members: joined.filter((u) => model.localUser(u)).length,
    version: room.version,
    creator: room.creator,
    encryption: field('m.room.encryption', 'algorithm'),
    federatable: model.stateEvent(room.roomId, 'm.room.create', '')?.content['m.federate'] !== false,
    // Published in the room directory: the test homeserver has no directory.
    public: false,
    join_rules: field('m.room.join_rules', 'join_rule'),
    guest_access: field('m.room.guest_access', 'guest_access'),
    history_visibility: field('m.room.history_visibility', 'history_visibility'),
    state_events: room.state.size,
    room_type: gone ? null : (model.stateEvent(room.roomId, 'm.room.create', '')?.content['type'] ?? null),
  };
}

/** The local users who ever had a membership in the room. */
function localMembersEver(state: ServerState, room: RoomRecord): string[] {
  const ids = new Set(room.events.filter((e) => e.type === 'm.room.member' && e.stateKey !== undefined).map((e) => e.stateKey as string));
  return [...ids].filter((u) => state.model.localUser(u) !== undefined);
}

/**
 * The details' `forgotten`. Synapse: no local user holds a membership they have not forgotten
 * (roommember.py, is_locally_forgotten_room). Tuwunel: no local member is joined and a local
 * user was once joined, forgotten or not (src/api/client/admin/rooms/room_details.rs).
 */
export function roomForgotten(state: ServerState, room: RoomRecord, row: JsonObject): boolean {
  const local = localMembersEver(state, room);
  if (state.flavour.roomForgotten === 'every-local-member-forgot') return local.every((u) => state.model.user(u)?.forgotten.has(room.roomId));
  const onceJoined = room.events.some((e) => e.type === 'm.room.member' && e.content['membership'] === 'join' && local.includes(e.stateKey ?? ''));
  return row['joined_local_members'] === 0 && onceJoined;
}
