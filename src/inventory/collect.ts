// Gathers an Inventory from the homeserver: the thin I/O shell around the report.
import type { Homeserver } from '../homeserver/homeserver.ts';
import type { Inventory } from './inventory.ts';

export type CollectResult = { found: true; inventory: Inventory } | { found: false };

export async function collectInventory(homeserver: Homeserver, userId: string, now: () => number): Promise<CollectResult> {
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
  // Messages are counted only in rooms we know of, and only after we know them.
  const roomIds = (memberships.available ? memberships.value : memberships.joined).map((m) => m.roomId);
  const messages = await homeserver.countMessagesSent(userId, roomIds);
  return {
    found: true,
    inventory: { userId, collectedAt: now(), account, memberships, devices, sessions, accountData, pushers, media, encryptionKeys, messages },
  };
}
