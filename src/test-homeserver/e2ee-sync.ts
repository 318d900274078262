// The end-to-end encryption parts of a /sync answer, as Synapse 1.67 builds them
// (handlers/sync.py, rest/client/sync.py): to_device events (the device's inbox;
// what an earlier answer carried is deleted once the client syncs from that
// answer's token), device_lists.changed/left (only on incremental syncs, left out
// when empty), and the one-time key count and unused fallback key types, always
// present for a token with a device, empty for one without.
import type { HomeserverModel, JsonObject, RoomRecord, TokenRecord } from './model.ts';

/** The user's membership in the room as of a stream position (null: none yet). */
function membershipAt(room: RoomRecord, userId: string, pos: number | null): string | null {
  let membership: string | null = null;
  for (const ev of room.events) {
    if (pos !== null && ev.pos > pos) break;
    if (ev.type === 'm.room.member' && ev.stateKey === userId) membership = ev.content['membership'] as string;
  }
  return membership;
}

/** Who shares a joined room with `userId` at a position (null: now). */
function roomMates(model: HomeserverModel, userId: string, pos: number | null): Set<string> {
  const mates = new Set<string>();
  for (const room of model.rooms.values()) {
    if (membershipAt(room, userId, pos) !== 'join') continue;
    const members = new Map<string, string>();
    for (const ev of room.events) {
      if (pos !== null && ev.pos > pos) break;
      if (ev.type === 'm.room.member' && ev.stateKey !== undefined) members.set(ev.stateKey, ev.content['membership'] as string);
    }
    for (const [member, membership] of members) if (member !== userId && membership === 'join') mates.add(member);
  }
  return mates;
}

function deviceLists(model: HomeserverModel, userId: string, since: number): { changed: string[]; left: string[] } {
  const now = roomMates(model, userId, null);
  const before = roomMates(model, userId, since);
  const changed = new Set<string>();
  // Device keys that changed since, of the user or of someone sharing a room.
  for (const other of [userId, ...now]) if ((model.e2ee.deviceListChangedAt.get(other) ?? 0) > since) changed.add(other);
  // Newly shared rooms: whoever joined ours, and everyone in rooms we joined.
  for (const other of now) if (!before.has(other)) changed.add(other);
  const left = [...before].filter((other) => !now.has(other));
  return { changed: [...changed], left };
}

export function endToEndSyncSections(model: HomeserverModel, token: TokenRecord, since: number | null): JsonObject {
  const sections: JsonObject = {};
  const device = token.deviceId;
  if (device !== null) {
    const messages = model.e2ee.toDeviceFor(token.userId, device, since);
    if (messages.length > 0) sections['to_device'] = { events: messages.map(({ sender, type, content }) => ({ sender, type, content })) };
  }
  if (since !== null) {
    const { changed, left } = deviceLists(model, token.userId, since);
    const lists: JsonObject = {};
    if (changed.length > 0) lists['changed'] = changed;
    if (left.length > 0) lists['left'] = left;
    if (Object.keys(lists).length > 0) sections['device_lists'] = lists;
  }
  // Synapse sends these even to clients without end-to-end encryption.
  const fallbackTypes = device === null ? [] : model.e2ee.unusedFallbackKeyTypes(token.userId, device);
  sections['device_one_time_keys_count'] = device === null ? {} : model.e2ee.oneTimeKeyCounts(token.userId, device);
  sections['org.matrix.msc2732.device_unused_fallback_key_types'] = fallbackTypes;
  sections['device_unused_fallback_key_types'] = fallbackTypes;
  return sections;
}
