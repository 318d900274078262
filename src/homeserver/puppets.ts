// Login-as ("puppet") sessions: a short-lived token for a user, used only where a server lacks
// an admin endpoint, and ended whatever happens. On Synapse the token has no device and dies on
// its own at valid_until_ms. On Tuwunel it comes with a device named "Admin login" that the user
// sees and that outlives the token (src/api/client/admin/users/login_as.rs): so every session is
// in the PuppetLedger from before the login until its device is gone, the device is deleted by
// an admin call when the token cannot log it out, and whatever a crash left is removed at the
// next start.
import { z } from 'zod';
import { isHomeserverError } from './errors.ts';
import type { Device } from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import { toDevices } from './normalise.ts';
import { isLeftoverPuppetDevice, type PuppetLedger, type PuppetSession } from './puppet-ledger.ts';
import { AdminDevices, EmptyAnswer } from './schemas.ts';

/** A login-as token lives this long at most (the server ends it even if our logout fails). */
export const PUPPET_TTL_MS = 2 * 60_000;
/** A puppet token this close to its end is replaced before the next request. */
const PUPPET_RENEW_MARGIN_MS = 20_000;

const PATHS = {
  whoami: '/_matrix/client/v3/account/whoami',
  logout: '/_matrix/client/v3/logout',
  devices: '/_synapse/admin/v2/users/{userId}/devices',
  device: '/_synapse/admin/v2/users/{userId}/devices/{deviceId}',
} as const;

const WhoAmI = z.object({ user_id: z.string(), device_id: z.string().nullish() });

/** Hands out the current token, logging in (again) when there is none or it is about to end. */
export type PuppetToken = () => Promise<string>;

type Live = { token: string; validUntil: number; session: PuppetSession };

export type PuppetsOptions = {
  admin: HomeserverHttp;
  /** For the puppet token's own calls (whoami, logout). */
  bot: HomeserverHttp;
  ledger: PuppetLedger;
  /** Whether login-as leaves a device on this server (asked at each use: capabilities change). */
  leavesDevice: () => boolean;
  /** POST login-as with this expiry; the token. */
  loginAs: (userId: string, validUntil: number) => Promise<string>;
  now: () => number;
};

export class Puppets {
  readonly #o: PuppetsOptions;

  constructor(options: PuppetsOptions) {
    this.#o = options;
  }

  /** Runs `work` as the user; every token it got is ended before this returns or throws. */
  async asUser<T>(userId: string, work: (token: PuppetToken) => Promise<T>): Promise<T> {
    let live: Live | null = null;
    const token: PuppetToken = async () => {
      if (live && this.#o.now() < live.validUntil - PUPPET_RENEW_MARGIN_MS) return live.token;
      if (live) {
        const old = live;
        live = null;
        await this.#end(old);
      }
      live = await this.#begin(userId);
      return live.token;
    };
    try {
      return await work(token);
    } finally {
      if (live !== null) await this.#end(live);
    }
  }

  /** Devices of the bot's own live sessions on this user's account: not the user's. */
  ownDevices(userId: string): Set<string> {
    return new Set(this.#o.ledger.unfinished().flatMap((s) => (s.userId === userId && s.deviceId !== null ? [s.deviceId] : [])));
  }

  /**
   * Removes what sessions left behind: at start-up, before any new session, those of an earlier
   * run; with `owner`, those of one process that ended without ending them (export-process.ts).
   * Returns one line per session for the admins (user IDs: they may want to tell the user).
   */
  async cleanUp(owner?: string): Promise<string[]> {
    const notes: string[] = [];
    for (const session of this.#o.ledger.unfinished(owner)) {
      const removed = await this.#removeLeftovers(session);
      if (removed === null) {
        notes.push(
          `Could not remove the login-as session the bot opened on ${session.userId}'s account before it stopped; it will try again at the next start.`,
        );
      } else if (removed.length > 0) {
        notes.push(`Removed the login-as device ${removed.join(', ')} the bot had left on ${session.userId}'s account when it stopped unexpectedly.`);
      }
    }
    return notes;
  }

  async #begin(userId: string): Promise<Live> {
    const createdAt = this.#o.now();
    const validUntil = createdAt + PUPPET_TTL_MS;
    const id = this.#o.ledger.begin(userId, createdAt);
    const session: PuppetSession = { id, userId, deviceId: null, createdAt };
    let token: string;
    try {
      token = await this.#o.loginAs(userId, validUntil);
    } catch (error) {
      // A refusal created nothing. Without an answer a device may exist all the same: look for it now.
      const refused = isHomeserverError(error) && error.status !== null && error.status < 500;
      if (refused || !this.#o.leavesDevice()) this.#o.ledger.end(id);
      else await this.#removeLeftovers(session);
      throw error;
    }
    if (this.#o.leavesDevice()) {
      // Known now, the device can be deleted even where the token cannot log it out.
      const deviceId = await this.#deviceOf(token);
      if (deviceId !== null) {
        this.#o.ledger.attachDevice(id, deviceId);
        session.deviceId = deviceId;
      }
    }
    return { token, validUntil, session };
  }

  /** Logs the token out; where that leaves a device behind (an expired token on Tuwunel), deletes it. */
  async #end(live: Live): Promise<void> {
    const loggedOut = await this.#logout(live.token);
    if (loggedOut || !this.#o.leavesDevice()) {
      this.#o.ledger.end(live.session.id);
      return;
    }
    await this.#removeLeftovers(live.session);
  }

  /**
   * Deletes the session's device (or, its ID unknown, the "Admin login" devices it can be) and
   * ends the session; the devices removed, or null when the server could not be asked.
   */
  async #removeLeftovers(session: PuppetSession): Promise<string[] | null> {
    try {
      const devices = session.deviceId !== null ? [session.deviceId] : this.#o.leavesDevice() ? await this.#candidates(session) : [];
      for (const deviceId of devices) {
        await this.#o.admin.request('DELETE', endpoint(PATHS.device, { userId: session.userId, deviceId }), { schema: EmptyAnswer });
      }
      this.#o.ledger.end(session.id);
      return devices;
    } catch (error) {
      // The account is gone, and with it anything the session left.
      if (isHomeserverError(error, 'not-found')) {
        this.#o.ledger.end(session.id);
        return [];
      }
      if (isHomeserverError(error)) return null;
      throw error;
    }
  }

  async #candidates(session: PuppetSession): Promise<string[]> {
    const answer = await this.#o.admin.request('GET', endpoint(PATHS.devices, { userId: session.userId }), { schema: AdminDevices });
    // A live session of another process on the same account is not a leftover.
    const live = this.ownDevices(session.userId);
    return toDevices(answer)
      .filter((d: Device) => isLeftoverPuppetDevice(d, session, PUPPET_TTL_MS) && !live.has(d.deviceId))
      .map((d) => d.deviceId);
  }

  async #deviceOf(token: string): Promise<string | null> {
    try {
      return (await this.#o.bot.request('GET', PATHS.whoami, { schema: WhoAmI, token })).device_id ?? null;
    } catch {
      return null;
    }
  }

  /** Best effort: true when the server confirmed the logout. */
  async #logout(token: string): Promise<boolean> {
    try {
      await this.#o.bot.request('POST', PATHS.logout, { schema: EmptyAnswer, token, body: {}, retry: true });
      return true;
    } catch {
      // Already logged out or expired (401), or the server is in trouble.
      return false;
    }
  }
}
