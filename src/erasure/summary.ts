// What an erasure will remove, in counts, from the live inventory. Pure. No content, no
// names of rooms: numbers the requester and the admins can weigh.
import { z } from 'zod';
import type { Inventory } from '../inventory/inventory.ts';

/** Kept with the request (counts only) for the admins' decision. */
export const ErasureSummary = z.object({
  rooms: z.number().int(),
  /** null where the server cannot count them. */
  messages: z.number().int().nullable(),
  media: z.number().int(),
  mediaBytes: z.number(),
  devices: z.number().int(),
  emails: z.number().int(),
  phoneNumbers: z.number().int(),
  hasProfile: z.boolean(),
  accountDataTypes: z.number().int(),
  pushers: z.number().int(),
  /** Whole days; null where the server does not record creation. */
  accountAgeDays: z.number().int().nullable(),
});
export type ErasureSummary = z.infer<typeof ErasureSummary>;

export function erasureSummary(inventory: Inventory, now: number): ErasureSummary {
  const rooms = inventory.memberships.available ? inventory.memberships.value : inventory.memberships.joined;
  const { account } = inventory;
  return {
    rooms: rooms.length,
    messages: inventory.messages.available ? inventory.messages.value.count : null,
    media: inventory.media.count,
    mediaBytes: inventory.media.totalBytes,
    devices: inventory.devices.length,
    emails: account.emails.length,
    phoneNumbers: account.phoneNumbers.length,
    hasProfile: account.displayName !== null || account.avatarUrl !== null,
    accountDataTypes: inventory.accountData.globalTypes.length + inventory.accountData.rooms.reduce((n, r) => n + r.types.length, 0),
    pushers: inventory.pushers.length,
    accountAgeDays: account.createdAt === null ? null : Math.floor((now - account.createdAt) / 86_400_000),
  };
}
