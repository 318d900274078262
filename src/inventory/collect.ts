// Gathers an Inventory from the homeserver: the thin I/O shell around the report. The message
// count walks every event the user sent (tens of seconds on a long history), so it is its own
// step: !whatdoyouhave answers with the rest at once and edits the count in when it is done.
import type { Availability, Homeserver, MessageCount } from '../homeserver/homeserver.ts';
import type { Inventory } from './inventory.ts';

export type CollectResult = { found: true; inventory: Inventory } | { found: false };

/** What the report says while the count is still running. */
export const MESSAGES_BEING_COUNTED = 'being counted: this message will show the number as soon as I have counted them (on a long history that takes a while)';

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
  return {
    found: true,
    inventory: { userId, collectedAt: now(), account, memberships, devices, sessions, accountData, pushers, media, encryptionKeys, messages },
  };
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
  return { found: true, inventory: { ...result.inventory, messages: await countMessages(homeserver, result.inventory) } };
}
