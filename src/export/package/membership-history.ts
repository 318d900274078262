// A user's membership history in a room, from what the export already has: their own member
// events (found by the walk over what they sent) and, where the current membership was set
// by someone else (an invite, a kick, a ban), that one event, asked for separately. Pure.
import type { StoredEvent } from '../../homeserver/homeserver.ts';

const membershipOf = (event: StoredEvent | undefined): unknown => event?.content['membership'];

/** Whether the user's own events explain their current membership; if not, someone else set it. */
export function needsCurrentMemberEvent(current: string, own: readonly StoredEvent[]): boolean {
  return membershipOf(own[own.length - 1]) !== current;
}

/** Own events and the current one (when fetched), oldest first, each once. */
export function membershipHistory(own: readonly StoredEvent[], current: StoredEvent | null): StoredEvent[] {
  const all = current !== null && !own.some((e) => e.event_id === current.event_id) ? [...own, current] : [...own];
  return all.sort((a, b) => a.origin_server_ts - b.origin_server_ts);
}
