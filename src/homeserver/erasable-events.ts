// Which of a user's events an erasure must leave unreadable, and whether one still is. Pure:
// the redaction and the read-back that verifies it use the same rule, so nothing is reported
// erased that the read-back would not also pass.
//
// What shows that an event was erased, and not merely hidden from the one reading it: a server
// serves an erased sender's events pruned to readers who were not joined when they were sent
// (Synapse's client reads; Tuwunel's admin reads once the erased marker is set), and a pruned
// copy looks like a redacted one but for `unsigned.redacted_because`, which only a redaction
// carries. So an event without content counts as erased only with that proof.
//
// The events people write: messages (plain or encrypted), stickers, reactions, and the user's
// own membership events, which carry their display name and avatar. Other state they set
// (a room's name or topic) belongs to the room, and redacting it would break the room for
// everyone: it is left alone, and the README says so.

export const ERASABLE_TYPES: readonly string[] = ['m.room.message', 'm.room.encrypted', 'm.sticker', 'm.reaction', 'm.room.member'];

/** Content keys the redaction algorithm keeps (room versions 1 to 11), for the types above. */
const KEPT_ON_REDACTION: Readonly<Record<string, readonly string[]>> = {
  'm.room.member': ['membership', 'join_authorised_via_users_server', 'third_party_invite'],
};

/**
 * Whether anyone could still read something the user wrote in this event: it is theirs, of a
 * kind an erasure removes, and carries content a redaction would have removed. A redacted
 * event (content pruned) and a plain leave (`{membership: "leave"}`) carry none.
 */
export function stillReadable(
  event: { type: string; sender: string; state_key?: string | null | undefined; content: Readonly<Record<string, unknown>> },
  userId: string,
): boolean {
  if (event.sender !== userId || !ERASABLE_TYPES.includes(event.type)) return false;
  // Invitations the user sent carry the invitee's profile, not theirs.
  if (event.type === 'm.room.member' && event.state_key !== userId) return false;
  const kept = KEPT_ON_REDACTION[event.type] ?? [];
  return Object.keys(event.content).some((key) => !kept.includes(key));
}

/** How an event of the user reads back: readable, erased (redacted, or never carried anything of theirs), or shown pruned with no proof of redaction. */
export type ReadBackState = 'readable' | 'erased' | 'unproven';

type ReadEvent = Parameters<typeof stillReadable>[0] & { unsigned?: unknown; redacted_because?: unknown };

/** Pure: what an event of the user read back shows (null for events an erasure leaves alone). */
export function readBackState(event: ReadEvent, userId: string): ReadBackState | null {
  if (event.sender !== userId || !ERASABLE_TYPES.includes(event.type)) return null;
  if (event.type === 'm.room.member' && event.state_key !== userId) return null;
  if (stillReadable(event, userId)) return 'readable';
  const unsigned = typeof event.unsigned === 'object' && event.unsigned !== null ? (event.unsigned as Record<string, unknown>) : {};
  if (unsigned['redacted_because'] !== undefined || event.redacted_because !== undefined) return 'erased';
  // A membership event keeps `membership` when pruned, which is all a plain one ever carries: nothing to prove.
  if (event.type === 'm.room.member') return 'erased';
  return 'unproven';
}

/**
 * What the servers' redaction tasks take: messages, encrypted messages, and joins (Synapse's
 * synapse/handlers/admin.py _redact_all_events; Tuwunel's src/api/client/admin/users/redact.rs).
 * The rest (reactions, stickers, a leave with a reason) is left for the bot, one by one.
 */
export const TASK_TYPES: readonly string[] = ['m.room.message', 'm.room.encrypted', 'm.room.member'];

export function taskRedacts(event: { type: string; content: Readonly<Record<string, unknown>> }): boolean {
  if (event.type === 'm.room.member') return event.content['membership'] === 'join';
  return TASK_TYPES.includes(event.type);
}
