// The bot's record of its own login-as ("puppet") sessions. On Tuwunel every login-as opens a
// device named "Admin login" that the user sees in their device list
// (matrix-construct/tuwunel src/api/client/admin/users/login_as.rs), and it stays until it is
// logged out or deleted. So each session is written down before it is opened and crossed
// out only once it is gone: whatever a crash leaves behind is found and removed at the next
// start, and a live one is never shown to the user as one of their own devices.
import { z } from 'zod';
import type { Device } from './homeserver.ts';

export const PuppetSession = z.object({
  id: z.number().int(),
  userId: z.string(),
  /** The device the session opened (Tuwunel), once known; null before, and on Synapse. */
  deviceId: z.string().nullable(),
  /** Milliseconds since the epoch, taken just before the login-as request. */
  createdAt: z.number(),
});
export type PuppetSession = z.infer<typeof PuppetSession>;

/**
 * Durable: every call is written before it returns. Never holds a token. Several processes may
 * write to one ledger (the bot's database); each ledger writes the sessions it begins under its
 * owner, and reads everyone's.
 */
export interface PuppetLedger {
  /** Records a session about to be opened on `userId`'s account; its ID. */
  begin(userId: string, createdAt: number): number;
  /** The device the session turned out to have. */
  attachDevice(id: number, deviceId: string): void;
  /** The session and anything it left on the server are gone. */
  end(id: number): void;
  /**
   * Sessions begun and not ended: live ones, or what a crash left behind. With `owner`, only
   * those of that process (an export process's, say, after it died); without, everyone's.
   */
  unfinished(owner?: string): PuppetSession[];
}

/** Tuwunel's name for a login-as device (src/api/client/admin/users/login_as.rs). */
export const PUPPET_DEVICE_NAME = 'Admin login';

/** How far the server's clock may be from the bot's when matching a device to a session. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Pure: whether `device` can be the one a session begun at `createdAt` opened, when the crash
 * came before its ID was known. Tuwunel stamps a new device with its creation time and moves
 * that stamp on each use, which ends when the token does, `ttlMs` later.
 */
export function isLeftoverPuppetDevice(device: Device, session: PuppetSession, ttlMs: number): boolean {
  return (
    device.displayName === PUPPET_DEVICE_NAME &&
    device.lastSeenAt !== null &&
    device.lastSeenAt >= session.createdAt - CLOCK_SKEW_MS &&
    device.lastSeenAt <= session.createdAt + ttlMs + CLOCK_SKEW_MS
  );
}
