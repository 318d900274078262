// Gathers an Inventory from the homeserver: the thin I/O shell around the report. The message
// count walks every event the user sent (tens of seconds on a long history), so it is its own
// step: !whatdoyouhave answers with the rest at once and edits the count in when it is done.
import type { Availability, Homeserver, MessageCount } from '../homeserver/homeserver.ts';
import type { Inventory, RoomRecipients } from './inventory.ts';

export type CollectResult = { found: true; inventory: Inventory } | { found: false };

/** What the report says while the count is still running. */
export const MESSAGES_BEING_COUNTED = 'being counted: this message will show the number as soon as I have counted them (on a long history that takes a while)';
export const RECIPIENTS_BEING_LOOKED_UP = 'being looked up with the message count: this message will list them, room by room';
/** Rooms whose servers are looked up at once. */
const ROOMS_AT_ONCE = 4;

/** Everything but the message count, which reads as being counted. */
export async function collectInventoryWithoutCount(homeserver: Homeserver, userId: string, now: () => number): Promise<CollectResult> {
  const account = await homeserver.getAccount(userId);
  if (account === null) return { found: false };
  const [memberships, devices, sessions, accountData, pushers, media, encryptionKeys] = await Promise.all([
    homeserver.getMemberships(userId),
    homeserver.getDevices(userId),
    homeserver.getSessions(userId),
    homeserver.getAccountData(userId),
    homeserver.getPushers(userId),
    homeserver.getMediaSummary(userId),
    homeserver.getEncryptionKeys(userId),
  ]);
  const messages = { available: false as const, reason: MESSAGES_BEING_COUNTED };
  const recipients = { available: false as const, reason: RECIPIENTS_BEING_LOOKED_UP };
  return {
    found: true,
    inventory: { userId, collectedAt: now(), account, memberships, devices, sessions, accountData, pushers, media, encryptionKeys, messages, recipients },
  };
}

/**
 * The other servers in each of the user's rooms, room by room (rooms with none left out). A room
 * whose servers the server cannot tell makes the list unavailable rather than short.
 */
export async function lookUpRecipients(homeserver: Homeserver, inventory: Inventory): Promise<Availability<RoomRecipients[]>> {
  const { memberships } = inventory;
  const roomIds = (memberships.available ? memberships.value : memberships.joined).map((m) => m.roomId);
  const found: (RoomRecipients | null)[] = new Array(roomIds.length);
  let next = 0;
  const worker = async () => {
    while (next < roomIds.length) {
      const index = next++;
      const servers = await homeserver.roomServers(roomIds[index]!, inventory.userId);
      found[index] = servers === null ? null : { roomId: roomIds[index]!, servers };
    }
  };
  await Promise.all(Array.from({ length: ROOMS_AT_ONCE }, worker));
  const unknown = found.filter((r) => r === null).length;
  if (unknown > 0)
    return { available: false, reason: `this server cannot tell which other servers were in ${unknown} of your rooms; the privacy contact can find out` };
  return { available: true, value: found.filter((r): r is RoomRecipients => r !== null && r.servers.length > 0) };
}

/** The messages the user sent, counted in the rooms the inventory knows of. */
export function countMessages(homeserver: Homeserver, inventory: Inventory): Promise<Availability<MessageCount>> {
  const { memberships } = inventory;
  const roomIds = (memberships.available ? memberships.value : memberships.joined).map((m) => m.roomId);
  return homeserver.countMessagesSent(inventory.userId, roomIds);
}

export async function collectInventory(homeserver: Homeserver, userId: string, now: () => number): Promise<CollectResult> {
  const result = await collectInventoryWithoutCount(homeserver, userId, now);
  if (!result.found) return result;
  const [messages, recipients] = await Promise.all([countMessages(homeserver, result.inventory), lookUpRecipients(homeserver, result.inventory)]);
  return { found: true, inventory: { ...result.inventory, messages, recipients } };
}
