// How an erasure can reach the person's events in one room, decided before anything runs so
// that `!plan` and the admins' approval message can say it: deleted with the room (nobody here
// is in it any more), redacted quietly (as the person, by the server's own task, or by the bot
// where it already has the power), redacted visibly (the bot is made a room admin and joins,
// or the person rejoins a public room), or not at all here, with why. Pure.
import type { Capabilities, RoomPlan, RoomRoute } from './homeserver.ts';
import type { RoomAuthority } from './room-authority.ts';

/** What the server says about one of the person's rooms. */
export type RoomFacts = {
  roomId: string;
  /** False where the server no longer has the room at all. */
  known: boolean;
  /** Members of this server joined now; null where the server does not say. */
  joinedLocalMembers: number | null;
  /** From the room's current state; null where the server holds none (nobody here is in it). */
  authority: RoomAuthority | null;
};

export const NO_LOCAL_MEMBERS_NO_PURGE = 'nobody on this server is in the room any more, and this server cannot delete rooms';
export const NO_LOCAL_GRANTER = 'members of this server remain, but none of them has the power to make the bot an admin there, and the room is not public';
export const NO_GRANTER_HERE = 'no member of this server can make the bot an admin there (as in a room made on another server), and the room is not public';
export const NO_WAY_HERE =
  'the person is no longer a member, the bot has no power there, and this server cannot make the bot a room admin; the room is not public';

/** How the person's events in one room will be reached on this server. */
export function planRoom(facts: RoomFacts, features: Capabilities['features']): RoomPlan {
  const { roomId } = facts;
  if (!facts.known) return { roomId, route: { kind: 'gone' }, leftovers: null };
  if (facts.joinedLocalMembers === 0 || facts.authority === null) {
    return { roomId, route: features.roomPurge ? { kind: 'purge' } : { kind: 'cannot', reason: NO_LOCAL_MEMBERS_NO_PURGE }, leftovers: null };
  }
  const room = facts.authority;
  if (room.userMembership === 'join' && (features.loginAs || features.redactUser)) return { roomId, route: { kind: 'quiet', by: 'person' }, leftovers: null };
  const oneByOne = withoutThePerson(room, facts.joinedLocalMembers, features);
  if (features.redactUser && features.redactionTaskReachesLeftRooms) {
    // The task redacts messages, encrypted messages and joins as the person; the rest needs a way in.
    return { roomId, route: { kind: 'quiet', by: 'server-task' }, leftovers: oneByOne.kind === 'quiet' ? null : oneByOne };
  }
  return { roomId, route: oneByOne, leftovers: null };
}

/** In a room the person is no longer in: the bot with power, the bot made an admin, or the person rejoining a public room. */
function withoutThePerson(room: RoomAuthority, joinedLocalMembers: number | null, features: Capabilities['features']): RoomRoute {
  if (room.botMembership === 'join' && room.botHasRedactPower) return { kind: 'quiet', by: 'bot' };
  if (features.makeRoomAdmin && room.localGranter !== null) return { kind: 'visible', how: { by: 'bot-made-admin', granter: room.localGranter } };
  if (room.joinRule === 'public' && room.userMembership !== 'ban' && features.loginAs) return { kind: 'visible', how: { by: 'person-rejoins' } };
  if (!features.makeRoomAdmin) return { kind: 'cannot', reason: NO_WAY_HERE };
  return { kind: 'cannot', reason: joinedLocalMembers !== null && joinedLocalMembers > 0 ? NO_LOCAL_GRANTER : NO_GRANTER_HERE };
}

/** The rooms by what will happen to them, for the plan and the approval message. */
export function groupRoomPlans(plans: readonly RoomPlan[]) {
  const purged = plans.filter((p) => p.route.kind === 'purge').map((p) => p.roomId);
  const visible = plans.flatMap((p) =>
    [p.route, p.leftovers].filter((r): r is Extract<RoomRoute, { kind: 'visible' }> => r?.kind === 'visible').map((route) => ({ roomId: p.roomId, route })),
  );
  const cannot = plans.flatMap((p) =>
    [p.route, p.leftovers]
      .filter((r): r is Extract<RoomRoute, { kind: 'cannot' }> => r?.kind === 'cannot')
      .map((route) => ({ roomId: p.roomId, reason: route.reason, partly: p.route.kind !== 'cannot' })),
  );
  const quiet = plans.filter((p) => p.route.kind === 'quiet' && p.leftovers === null).map((p) => p.roomId);
  return { purged, visible, cannot, quiet };
}
