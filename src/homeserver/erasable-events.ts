// Which of a user's events an erasure must leave unreadable, and whether one still is. Pure:
// the redaction and the read-back that verifies it use the same rule, so nothing is reported
// erased that the read-back would not also pass.
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
export function stillReadable(event: { type: string; sender: string; state_key?: string | null | undefined; content: Readonly<Record<string, unknown>> }, userId: string): boolean {
  if (event.sender !== userId || !ERASABLE_TYPES.includes(event.type)) return false;
  // Invitations the user sent carry the invitee's profile, not theirs.
  if (event.type === 'm.room.member' && event.state_key !== userId) return false;
  const kept = KEPT_ON_REDACTION[event.type] ?? [];
  return Object.keys(event.content).some((key) => !kept.includes(key));
}
