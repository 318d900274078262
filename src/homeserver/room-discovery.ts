// Every room a person is or was in, from every source a server offers, because no single one
// lists them all:
// - joined_rooms: the rooms they are in now;
// - /memberships (Synapse 1.145+, Tuwunel): joins, invites, leaves and bans, but read from the
//   rooms' current state, which Synapse drops once nobody on the server is in a room any more
//   (the room vanishes from the list), and Tuwunel's forget deletes (forgotten rooms vanish);
// - a login-as /sync with include_leave: rooms left, those nobody local is in any more
//   included, but not those the person forgot;
// - the probe (probeRooms): the server's whole room list, each room not yet known asked
//   whether the person ever wrote there (an admin /messages with a senders filter, one event):
//   the only way to find a forgotten room nobody local is in any more.
// Pure parts (what to probe, how lists merge) sit beside the thin I/O that feeds them.
import type { Membership, ProbeOptions, RoomProbe } from './homeserver.ts';

/** One room list and where it came from: the merge keeps the most telling membership. */
export type MembershipList = readonly Membership[];

/** The membership a merged room shows: a current one (join, invite, knock, ban) wins over a leave. */
const RANK: Readonly<Record<Membership['membership'], number>> = { join: 4, invite: 3, knock: 2, ban: 1, leave: 0 };

/**
 * The union of several lists, each room once. Order: the first list's rooms first (joined
 * rooms lead, as the inventory shows them), then each later list's new rooms in its order.
 */
export function unionOfMemberships(...lists: MembershipList[]): Membership[] {
  const merged = new Map<string, Membership>();
  for (const list of lists) {
    for (const m of list) {
      const known = merged.get(m.roomId);
      if (known === undefined || RANK[m.membership] > RANK[known.membership]) merged.set(m.roomId, m);
    }
  }
  return [...merged.values()];
}

/** A room of the server's list (GET /_synapse/admin/v1/rooms), with what the probe decides by. */
export type ListedRoom = { roomId: string; joinedLocalMembers: number | null; creator: string | null };

export type ProbeScope = {
  /** /memberships answered, and it keeps forgotten rooms (Synapse): only rooms nobody here is in can hide from it. */
  membershipsCoverRoomsWithLocalMembers: boolean;
};

/**
 * Which listed rooms the probe must ask about: those no source listed yet, and, where
 * /memberships answered and keeps forgotten rooms (Synapse), only those nobody here is in any
 * more (the rest have current state, which /memberships reads).
 */
export function roomsToProbe(listed: readonly ListedRoom[], known: ReadonlySet<string>, scope: ProbeScope): ListedRoom[] {
  return listed.filter(
    (room) => !known.has(room.roomId) && (!scope.membershipsCoverRoomsWithLocalMembers || room.joinedLocalMembers === null || room.joinedLocalMembers === 0),
  );
}

/** What a server can say about one room: the person wrote there or not, or it cannot tell (and why). */
export type WroteThere = boolean | { unknown: string };

/** What the probe reads: the server's room list, page by page, and one room at a time. */
export type ProbeReads = {
  /** One page of the room list from this offset; `next` is the next offset, null at the end. */
  listRooms(from: number): Promise<{ rooms: ListedRoom[]; next: number | null; total: number }>;
  wroteThere(room: ListedRoom): Promise<WroteThere>;
};

/** Walks the server's room list and asks about each room no other source listed. */
export async function probeRooms(reads: ProbeReads, known: ReadonlySet<string>, scope: ProbeScope, options: ProbeOptions = {}): Promise<RoomProbe> {
  const listed: ListedRoom[] = [];
  for (let from: number | null = 0; from !== null; ) {
    options.signal?.throwIfAborted();
    const page: Awaited<ReturnType<ProbeReads['listRooms']>> = await reads.listRooms(from);
    listed.push(...page.rooms);
    // A server that hands back an offset it gave before would page forever: stop at the end.
    from = page.next !== null && page.next > from && page.rooms.length > 0 ? page.next : null;
  }
  const candidates = roomsToProbe(listed, known, scope);
  const toCheck = options.limit === undefined ? candidates : candidates.slice(0, options.limit);
  const found: Membership[] = [];
  const unchecked: RoomProbe['unchecked'] = [];
  let checked = 0;
  options.onProgress?.(0, toCheck.length);
  let next = 0;
  const worker = async () => {
    while (next < toCheck.length) {
      options.signal?.throwIfAborted();
      const room = toCheck[next++]!;
      const answer = await reads.wroteThere(room);
      if (answer === true) found.push({ roomId: room.roomId, membership: 'leave' });
      else if (answer !== false) unchecked.push({ roomId: room.roomId, reason: answer.unknown });
      checked++;
      options.onProgress?.(checked, toCheck.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return { found, unchecked, listed: listed.length, checked, truncated: toCheck.length < candidates.length };
}
