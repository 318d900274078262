// What an erasure does to the server, over the Synapse admin API as Synapse and Tuwunel serve
// it, with Tuwunel's admin room for what its HTTP API leaves undone. Every operation reads
// before it writes where a repeat would show (a second deactivation, a second admin command),
// and reads back after it writes where a server may answer success without doing it all.
import { z } from 'zod';
import { HomeserverError, isHomeserverError } from './errors.ts';
import type { AdminRoomCommands, Capabilities, ErasureOperations, Homeserver, Membership, ReadBack, RedactionResult, RedactionResume, UserAccount } from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import { readableEventIds, redactUserEvents, type RedactionTools } from './redaction.ts';
import { DeactivateAnswer, DeletedMedia, JoinedRooms, MembershipsAnswer } from './schemas.ts';
import { StoredMediaPage } from './stored-schemas.ts';
import { membershipsFromMap } from './normalise.ts';
import { AdminRoomError } from './tuwunel-admin-room.ts';

const PATHS = {
  user: '/_synapse/admin/v2/users/{userId}',
  joinedRooms: '/_synapse/admin/v1/users/{userId}/joined_rooms',
  memberships: '/_synapse/admin/v1/users/{userId}/memberships',
  media: '/_synapse/admin/v1/users/{userId}/media',
  deactivate: '/_synapse/admin/v1/deactivate/{userId}',
} as const;

/** More DELETE pages than this without the list emptying: something is wrong, stop and say so. */
const MAX_MEDIA_PAGES = 10_000;

export type ErasureOperationsOptions = {
  homeserver: Pick<Homeserver, 'getAccount' | 'getMemberships' | 'getDevices' | 'sentEvents'>;
  admin: HomeserverHttp;
  adminRoom: AdminRoomCommands | null;
  features: () => Capabilities['features'];
  redaction: Omit<RedactionTools, 'admin' | 'features' | 'sentEvents'>;
};

export class HomeserverErasure implements ErasureOperations {
  readonly #o: ErasureOperationsOptions;

  constructor(options: ErasureOperationsOptions) {
    this.#o = options;
  }

  /** Every room, left ones included: the erasure must not run half-blind. */
  async allMemberships(userId: string): Promise<Membership[]> {
    const memberships = await this.#o.homeserver.getMemberships(userId);
    if (!memberships.available) {
      throw new HomeserverError({ kind: 'unsupported', userMessage: `the rooms the user has left cannot be listed here (${memberships.reason}), so their events there could not be redacted` });
    }
    return memberships.value;
  }

  async clearProfile(userId: string): Promise<'cleared' | 'nothing-set'> {
    const account = await this.#account(userId);
    if (account.displayName === null && account.avatarUrl === null) return 'nothing-set';
    // "" is how the admin API unsets either (Synapse stores None).
    await this.#o.admin.request('PUT', endpoint(PATHS.user, { userId }), { schema: z.looseObject({}), body: { displayname: '', avatar_url: '' } });
    const after = await this.#account(userId);
    if (after.displayName !== null || after.avatarUrl !== null) throw new HomeserverError({ kind: 'bad-response', userMessage: 'the display name or avatar is still set after clearing them' });
    return 'cleared';
  }

  redactEvents(userId: string, roomIds: readonly string[], resume: RedactionResume): Promise<RedactionResult> {
    const { admin, features, homeserver, redaction } = this.#o;
    return redactUserEvents({ ...redaction, admin, features, sentEvents: (u, r, o) => homeserver.sentEvents(u, r, o) }, userId, roomIds, resume);
  }

  /** DELETE one page after another until a page deletes nothing, then read the list back. */
  async deleteAllMedia(userId: string): Promise<number> {
    const { admin, adminRoom } = this.#o;
    let deleted = 0;
    try {
      for (let page = 0; ; page++) {
        const answer = await admin.request('DELETE', endpoint(PATHS.media, { userId }), { schema: DeletedMedia });
        deleted += answer.total;
        if (answer.total === 0) break;
        if (page >= MAX_MEDIA_PAGES) throw new HomeserverError({ kind: 'bad-response', userMessage: 'the server kept deleting files of the user without the list ever emptying' });
      }
    } catch (error) {
      if (!isHomeserverError(error, 'unsupported') || adminRoom === null) throw error;
      deleted += await adminCommand(() => adminRoom.deleteAllMediaFromUser(userId));
    }
    const left = await this.#mediaLeft(userId);
    if (left > 0) throw new HomeserverError({ kind: 'bad-response', userMessage: `the server still lists ${left} file(s) of the user after deleting them` });
    return deleted;
  }

  /** Empties the account's 3PID list (Tuwunel: the admin command where an address survives), then reads it back. */
  async removeThreepids(userId: string): Promise<number> {
    const account = await this.#account(userId);
    const bound = [...account.emails, ...account.phoneNumbers].length;
    if (bound === 0) return 0;
    // Never PUT to a user that might not exist: that would create the account.
    await this.#o.admin.request('PUT', endpoint(PATHS.user, { userId }), { schema: z.looseObject({}), body: { threepids: [] } });
    let after = await this.#account(userId);
    const adminRoom = this.#o.adminRoom;
    if (after.emails.length > 0 && adminRoom !== null) {
      for (const address of after.emails) await adminCommand(() => adminRoom.deleteEmail(userId, address));
      after = await this.#account(userId);
    }
    const left = after.emails.length + after.phoneNumbers.length;
    if (left > 0) throw new HomeserverError({ kind: 'bad-response', userMessage: `${left} email address(es) or phone number(s) are still bound after removing them` });
    return bound;
  }

  /** Deactivates with erase; an account already deactivated (and, where the server says, erased) is left as it is. */
  async deactivate(userId: string): Promise<'deactivated' | 'already'> {
    const account = await this.#account(userId);
    if (account.deactivated && account.erased !== false) return 'already';
    await this.#o.admin.request('POST', endpoint(PATHS.deactivate, { userId }), { schema: DeactivateAnswer, body: { erase: true }, retry: true });
    return 'deactivated';
  }

  /**
   * Tuwunel: `!admin users deactivate` leaves and forgets every room and clears the profile.
   * Sent only while something is left to do, so that a restart does not send it twice.
   */
  async leaveRoomsAndClearProfile(userId: string): Promise<'done' | 'nothing-left'> {
    const adminRoom = this.#o.adminRoom;
    if (adminRoom === null) throw new HomeserverError({ kind: 'unsupported', userMessage: 'this server has no admin room to leave rooms and clear the profile with' });
    const account = await this.#account(userId);
    const rooms = await this.#roomsStillIn(userId);
    if (rooms.length === 0 && account.displayName === null && account.avatarUrl === null) return 'nothing-left';
    const { stillJoined } = await adminCommand(() => adminRoom.deactivate(userId));
    // Leaving can fail over federation: each room that kept the user is left on its own.
    for (const roomId of stillJoined) await adminCommand(() => adminRoom.forceLeaveRoom(userId, roomId));
    return 'done';
  }

  async readBack(userId: string, roomIds: readonly string[]): Promise<ReadBack> {
    const account = await this.#o.homeserver.getAccount(userId);
    const [rooms, media, devices, events, erased] = await Promise.all([
      this.#roomsStillIn(userId),
      this.#mediaLeft(userId),
      account === null ? Promise.resolve([]) : this.#o.homeserver.getDevices(userId),
      this.#readableEvents(userId, roomIds),
      this.#erased(userId, account),
    ]);
    return {
      accountFound: account !== null,
      deactivated: account?.deactivated ?? false,
      erased,
      roomsStillIn: rooms.length,
      media,
      devices: devices.length,
      threepids: account === null ? 0 : account.emails.length + account.phoneNumbers.length,
      profileLeft: account !== null && (account.displayName !== null || account.avatarUrl !== null),
      readableEvents: events.readable,
      unreadableRooms: events.unreadableRooms,
    };
  }

  /** Joined rooms, and pending invites where the server lists them. */
  async #roomsStillIn(userId: string): Promise<string[]> {
    const { admin, features } = this.#o;
    const joined = (await admin.request('GET', endpoint(PATHS.joinedRooms, { userId }), { schema: JoinedRooms })).joined_rooms;
    if (!features().memberships) return joined;
    const all = membershipsFromMap((await admin.request('GET', endpoint(PATHS.memberships, { userId }), { schema: MembershipsAnswer })).memberships);
    const pending = all.filter((m) => m.membership === 'invite' || m.membership === 'knock').map((m) => m.roomId);
    return [...new Set([...joined, ...pending])];
  }

  async #mediaLeft(userId: string): Promise<number> {
    const page = await this.#o.admin.request('GET', endpoint(PATHS.media, { userId }), { schema: StoredMediaPage, query: { from: 0, limit: 1 } });
    return page.total ?? page.media.length;
  }

  /** The erased marker: Tuwunel's own word for it where its admin room answers, else the account's flag (null where not reported). */
  async #erased(userId: string, account: UserAccount | null): Promise<boolean | null> {
    const adminRoom = this.#o.adminRoom;
    if (adminRoom !== null) return (await adminCommand(() => adminRoom.erasureStatus(userId))).erased;
    return account?.erased ?? null;
  }

  /** Events anyone could still read, room by room; a room whose events cannot be read at all is counted apart, never as clean. */
  async #readableEvents(userId: string, roomIds: readonly string[]): Promise<{ readable: number; unreadableRooms: number }> {
    let readable = 0;
    let unreadableRooms = 0;
    for (const roomId of roomIds) {
      try {
        readable += (await readableEventIds(this.#o.homeserver, userId, roomId)).length;
      } catch (error) {
        if (!isHomeserverError(error)) throw error;
        unreadableRooms++;
      }
    }
    return { readable, unreadableRooms };
  }

  async #account(userId: string): Promise<UserAccount> {
    const account = await this.#o.homeserver.getAccount(userId);
    if (account === null) throw new HomeserverError({ kind: 'not-found', userMessage: 'the server has no such account' });
    return account;
  }
}

/** A failed admin room command, told as the rest of this layer tells failures (a HomeserverError, safe to show). */
async function adminCommand<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AdminRoomError)) throw error;
    throw new HomeserverError({
      kind: error.kind === 'no-such-user' ? 'not-found' : 'bad-response',
      userMessage: `the admin room command "${error.command}" ${error.kind.replace(/-/g, ' ')}`,
    });
  }
}
