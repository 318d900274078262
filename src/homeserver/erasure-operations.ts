// What an erasure does to the server, over the Synapse admin API as Synapse and Tuwunel serve
// it, with Tuwunel's admin room for what its HTTP API leaves undone. Every operation reads
// before it writes where a repeat would show (a second deactivation, a second admin command),
// and reads back after it writes where a server may answer success without doing it all.
// The parts with more to them live beside it: finding rooms (room-discovery.ts), deciding how
// to reach each (room-routes.ts), deleting abandoned rooms (room-purge.ts), redacting
// (redaction.ts), and what else deactivation leaves (erasure-traces.ts).
import { z } from 'zod';
import { ERASABLE_TYPES, readBackState, stillReadable, TASK_TYPES, taskRedacts } from './erasable-events.ts';
import { eraseTraces, tracesLeft } from './erasure-traces.ts';
import { HomeserverError, isHomeserverError } from './errors.ts';
import type {
  AdminCommandResume,
  AdminRoomCommands,
  Capabilities,
  ErasureOperations,
  Homeserver,
  PlannedRoom,
  PurgeOutcome,
  ReadBack,
  RedactionResult,
  RedactionResume,
  RoomsFound,
  TracesRemoved,
  UserAccount,
} from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import { membershipsFromMap } from './normalise.ts';
import type { PuppetToken } from './puppets.ts';
import { type RedactionTools, readBackEvents, redactUserEvents } from './redaction.ts';
import { RoomState, roomAuthority } from './room-authority.ts';
import { purgeRoom } from './room-purge.ts';
import { planRoom } from './room-routes.ts';
import { DeactivateAnswer, DeletedMedia, EmptyAnswer, JoinedRooms, MembershipsAnswer, RoomCounts } from './schemas.ts';
import { StoredEvent, StoredMediaPage } from './stored-schemas.ts';
import { AdminRoomError } from './tuwunel-admin-room.ts';

/** GET /_synapse/admin/v1/fetch_event/{eventId}: the event as stored. */
const FetchedEvent = z.object({ event: StoredEvent });

const PATHS = {
  user: '/_synapse/admin/v2/users/{userId}',
  joinedRooms: '/_synapse/admin/v1/users/{userId}/joined_rooms',
  memberships: '/_synapse/admin/v1/users/{userId}/memberships',
  media: '/_synapse/admin/v1/users/{userId}/media',
  deactivate: '/_synapse/admin/v1/deactivate/{userId}',
  room: '/_synapse/admin/v1/rooms/{roomId}',
  roomState: '/_synapse/admin/v1/rooms/{roomId}/state',
  ratelimit: '/_synapse/admin/v1/users/{userId}/override_ratelimit',
  fetchEvent: '/_synapse/admin/v1/fetch_event/{eventId}',
} as const;

/** More DELETE pages than this without the list emptying: something is wrong, stop and say so. */
const MAX_MEDIA_PAGES = 10_000;
/** How long the admin room's `users deactivate` may take: the queue, and each room it leaves. */
const DEACTIVATE_BASE_MS = 2 * 60_000;
const DEACTIVATE_PER_ROOM_MS = 5_000;

export type ErasureOperationsOptions = {
  homeserver: Pick<Homeserver, 'getAccount' | 'getMemberships' | 'probeRooms' | 'roomServers' | 'getDevices' | 'sentEvents'>;
  admin: HomeserverHttp;
  /** The bot's own client (and puppet tokens, per request). */
  bot: HomeserverHttp;
  serverName: string;
  botUserId: string;
  adminRoom: AdminRoomCommands | null;
  features: () => Capabilities['features'];
  asUser<T>(userId: string, work: (token: PuppetToken) => Promise<T>): Promise<T>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** First wait between two looks at a server task (redaction, room deletion). */
  pollMs: number;
};

export class HomeserverErasure implements ErasureOperations {
  readonly #o: ErasureOperationsOptions;

  constructor(options: ErasureOperationsOptions) {
    this.#o = options;
  }

  /** Every room, left, forgotten and abandoned ones included: the erasure must not run half-blind. */
  async allRooms(userId: string, onProgress?: (checked: number, total: number) => void): Promise<RoomsFound> {
    const { homeserver } = this.#o;
    const memberships = await homeserver.getMemberships(userId);
    if (!memberships.available) {
      throw new HomeserverError({
        kind: 'unsupported',
        userMessage: `the rooms the user has left cannot be listed here (${memberships.reason}), so their events there could not be redacted`,
      });
    }
    const known = new Set(memberships.value.map((m) => m.roomId));
    const probe = await homeserver.probeRooms(userId, known, onProgress ? { onProgress } : {});
    return { rooms: [...memberships.value, ...probe.found], unchecked: probe.unchecked };
  }

  async planRooms(userId: string, roomIds: readonly string[]): Promise<PlannedRoom[]> {
    const plans: PlannedRoom[] = [];
    for (const roomId of roomIds) {
      const [facts, servers] = await Promise.all([this.#roomFacts(userId, roomId), this.#o.homeserver.roomServers(roomId, userId)]);
      const plan = planRoom(facts, this.#o.features());
      // Where the server's task takes the messages, the rest needs another way only if there is any.
      const leftovers = plan.leftovers !== null && !(await this.#taskLeavesSomething(userId, roomId)) ? null : plan.leftovers;
      plans.push({ ...plan, leftovers, servers });
    }
    return plans;
  }

  async clearProfile(userId: string): Promise<'cleared' | 'nothing-set'> {
    const account = await this.#account(userId);
    if (account.displayName === null && account.avatarUrl === null) return 'nothing-set';
    // "" is how the admin API unsets either (Synapse stores None).
    await this.#o.admin.request('PUT', endpoint(PATHS.user, { userId }), { schema: z.looseObject({}), body: { displayname: '', avatar_url: '' } });
    const after = await this.#account(userId);
    if (after.displayName !== null || after.avatarUrl !== null)
      throw new HomeserverError({ kind: 'bad-response', userMessage: 'the display name or avatar is still set after clearing them' });
    return 'cleared';
  }

  purgeRoom(roomId: string): Promise<PurgeOutcome> {
    const { admin, sleep, now, pollMs } = this.#o;
    return purgeRoom({ admin, sleep, now, pollMs }, roomId);
  }

  async liftRateLimits(userId: string): Promise<boolean> {
    if (!this.#o.features().rateLimitOverride) return false;
    // 0 and 0: no limit (synapse/rest/admin/users.py, RateLimitRestServlet).
    await this.#o.admin.request('POST', endpoint(PATHS.ratelimit, { userId }), {
      schema: z.looseObject({}),
      body: { messages_per_second: 0, burst_count: 0 },
      retry: true,
    });
    return true;
  }

  async restoreRateLimits(userId: string): Promise<void> {
    if (!this.#o.features().rateLimitOverride) return;
    try {
      await this.#o.admin.request('DELETE', endpoint(PATHS.ratelimit, { userId }), { schema: z.looseObject({}), retry: true });
    } catch (error) {
      // No override, or no such account any more: nothing to restore.
      if (!isHomeserverError(error, 'not-found')) throw error;
    }
  }

  redactEvents(
    userId: string,
    roomIds: readonly string[],
    resume: RedactionResume,
    options: { serverTask: boolean; taskRooms?: readonly string[] },
  ): Promise<RedactionResult> {
    return redactUserEvents(this.#redactionTools(), userId, roomIds, resume, options);
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
        if (page >= MAX_MEDIA_PAGES)
          throw new HomeserverError({ kind: 'bad-response', userMessage: 'the server kept deleting files of the user without the list ever emptying' });
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
    if (left > 0)
      throw new HomeserverError({ kind: 'bad-response', userMessage: `${left} email address(es) or phone number(s) are still bound after removing them` });
    return bound;
  }

  eraseTraces(userId: string, roomIds: readonly string[]): Promise<TracesRemoved> {
    const { admin, bot, features, asUser } = this.#o;
    return eraseTraces({ admin, bot, features, asUser }, userId, roomIds);
  }

  /**
   * Deactivates; with the erased marker, unless the marker would make the admin's own reads
   * serve pruned copies of the user's events (Tuwunel), which would fool the read-back: there it
   * is set last (markErased). An account already deactivated is left as it is.
   */
  async deactivate(userId: string): Promise<'deactivated' | 'already'> {
    const account = await this.#account(userId);
    const eraseNow = !this.#o.features().erasedMarkerPrunesAdminReads;
    if (account.deactivated && (!eraseNow || account.erased !== false)) return 'already';
    await this.#o.admin.request('POST', endpoint(PATHS.deactivate, { userId }), { schema: DeactivateAnswer, body: { erase: eraseNow }, retry: true });
    return 'deactivated';
  }

  /** The erased marker, last, where deactivation left it unset: a second deactivation with erase sets it (Tuwunel's handler). */
  async markErased(userId: string): Promise<'marked' | 'already'> {
    if (await this.#erased(userId, await this.#account(userId))) return 'already';
    await this.#o.admin.request('POST', endpoint(PATHS.deactivate, { userId }), { schema: DeactivateAnswer, body: { erase: true }, retry: true });
    if ((await this.#erased(userId, await this.#account(userId))) === false)
      throw new HomeserverError({ kind: 'bad-response', userMessage: 'the account is still not marked erased after asking for it' });
    return 'marked';
  }

  /**
   * Tuwunel: `!admin users deactivate` leaves and forgets every room and clears the profile.
   * Sent once (its event ID kept before anything else), then waited for by its answer or its
   * effect for as long as the server's queue and the user's rooms need; a restart waits again
   * rather than sending it twice.
   */
  async leaveRoomsAndClearProfile(userId: string, resume: AdminCommandResume): Promise<'done' | 'nothing-left'> {
    const adminRoom = this.#o.adminRoom;
    if (adminRoom === null)
      throw new HomeserverError({ kind: 'unsupported', userMessage: 'this server has no admin room to leave rooms and clear the profile with' });
    const nothingLeft = async () => {
      const account = await this.#account(userId);
      return (await this.#roomsStillIn(userId)).length === 0 && account.displayName === null && account.avatarUrl === null;
    };
    if (resume.sent === null && (await nothingLeft())) return 'nothing-left';
    let sent = resume.sent;
    if (sent === null) {
      sent = await adminCommand(() => adminRoom.sendDeactivate(userId));
      resume.save(sent);
    }
    const rooms = (await this.#roomsStillIn(userId)).length;
    const answer = await adminCommand(() => adminRoom.awaitDeactivation(userId, sent, DEACTIVATE_BASE_MS + rooms * DEACTIVATE_PER_ROOM_MS));
    if (answer === 'pending') {
      // No answer yet: the effect may be there all the same; else the next attempt waits again.
      if (await nothingLeft()) return 'done';
      throw new HomeserverError({
        kind: 'timeout',
        userMessage: 'the admin room command "users deactivate" has not finished yet (the server runs admin commands one at a time)',
      });
    }
    // Leaving can fail over federation: each room that kept the user is left on its own.
    for (const roomId of answer.stillJoined) await adminCommand(() => adminRoom.forceLeaveRoom(userId, roomId));
    return 'done';
  }

  async readBack(userId: string, rooms: { recorded: readonly string[]; purged: readonly string[] }): Promise<ReadBack> {
    const { homeserver } = this.#o;
    const account = await homeserver.getAccount(userId);
    // Rooms found now that were not recorded (a list that missed them then, a room joined since) are checked too.
    const found = await this.#allRoomsForReadBack(userId, new Set([...rooms.recorded, ...rooms.purged]));
    const recorded = new Set(rooms.recorded);
    const late = found.rooms.filter((r) => !recorded.has(r) && !rooms.purged.includes(r));
    const toCheck = [...rooms.recorded, ...late];
    const [stillIn, media, devices, events, erased, purgedLeft] = await Promise.all([
      this.#roomsStillIn(userId),
      this.#mediaLeft(userId),
      account === null ? Promise.resolve([]) : homeserver.getDevices(userId),
      this.#eventsLeft(userId, toCheck),
      this.#erased(userId, account),
      this.#purgedRoomsLeft(rooms.purged),
    ]);
    // After the devices were read: its login as the user shows up as a device on some servers (Tuwunel's "Admin login").
    const traces =
      account === null
        ? null
        : await tracesLeft({ admin: this.#o.admin, bot: this.#o.bot, features: this.#o.features, asUser: this.#o.asUser }, userId, toCheck);
    return {
      accountFound: account !== null,
      deactivated: account?.deactivated ?? false,
      erased,
      roomsStillIn: stillIn.length,
      media,
      devices: devices.length,
      threepids: account === null ? 0 : account.emails.length + account.phoneNumbers.length,
      profileLeft: account !== null && (account.displayName !== null || account.avatarUrl !== null),
      readableEvents: events.readable,
      roomsWithEventsLeft: events.rooms,
      unprovenEvents: events.unproven,
      unreadableRooms: events.unreadableRooms,
      roomsNotChecked: found.unchecked,
      purgedRoomsLeft: purgedLeft,
      roomsFoundLate: late.length,
      traces: traces === null ? { tags: 0, accountData: 0, pushers: 0, keyBackups: 0, profileFields: 0 } : pickTraces(traces),
      tracesUnchecked: traces?.unchecked ?? null,
      crossSigning: traces?.crossSigning ?? false,
    };
  }

  async forgetAdminCommands(userId: string): Promise<{ redacted: number; refused: number }> {
    const adminRoom = this.#o.adminRoom;
    if (adminRoom === null) return { redacted: 0, refused: 0 };
    return adminCommand(() => adminRoom.redactCommandsAbout(userId));
  }

  /** The rooms every list and the probe give now (memberships may be unavailable after deactivation: the probe still runs). */
  async #allRoomsForReadBack(userId: string, known: ReadonlySet<string>): Promise<{ rooms: string[]; unchecked: RoomsFound['unchecked'] }> {
    const { homeserver } = this.#o;
    const memberships = await homeserver.getMemberships(userId);
    const listed = (memberships.available ? memberships.value : memberships.joined).map((m) => m.roomId);
    const probe = await homeserver.probeRooms(userId, new Set([...known, ...listed]));
    return { rooms: [...new Set([...listed, ...probe.found.map((m) => m.roomId)])], unchecked: probe.unchecked };
  }

  #redactionTools(): RedactionTools {
    const { admin, bot, botUserId, features, homeserver, asUser, sleep, now, pollMs } = this.#o;
    return { admin, bot, botUserId, features, asUser, sleep, now, pollMs, sentEvents: (u, r, o) => homeserver.sentEvents(u, r, o) };
  }

  /** Whether the user has readable events in the room that the server's task does not take (reactions, stickers...). */
  async #taskLeavesSomething(userId: string, roomId: string): Promise<boolean> {
    try {
      for await (const page of this.#o.homeserver.sentEvents(userId, roomId, {
        types: ERASABLE_TYPES.filter((t) => !TASK_TYPES.includes(t) || t === 'm.room.member'),
      })) {
        if (page.some((event) => stillReadable(event, userId) && !taskRedacts(event))) return true;
      }
      return false;
    } catch (error) {
      // A room that cannot be read is planned as if something were left: the pass after the task will say.
      if (isHomeserverError(error)) return true;
      throw error;
    }
  }

  /** What decides a room's route: is it still here, how many of ours are in it, and who holds power there. */
  async #roomFacts(userId: string, roomId: string) {
    const { admin, botUserId, serverName } = this.#o;
    let counts;
    try {
      counts = await admin.request('GET', endpoint(PATHS.room, { roomId }), { schema: RoomCounts });
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return { roomId, known: false, joinedLocalMembers: null, authority: null };
      throw error;
    }
    const state = await admin.request('GET', endpoint(PATHS.roomState, { roomId }), { schema: RoomState });
    const authority = state.state.length === 0 ? null : roomAuthority(state, { userId, botUserId, serverName });
    return { roomId, known: true, joinedLocalMembers: counts.joined_local_members ?? null, authority };
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

  /** Events anyone could still read, and pruned copies without proof, room by room; a room that cannot be read at all is counted apart, never as clean. */
  async #eventsLeft(userId: string, roomIds: readonly string[]): Promise<{ readable: number; unproven: number; unreadableRooms: number; rooms: string[] }> {
    const tools = this.#redactionTools();
    let readable = 0;
    let unproven = 0;
    let unreadableRooms = 0;
    const rooms: string[] = [];
    for (const roomId of roomIds) {
      try {
        const events = await this.#settleUnproven(userId, await readBackEvents(tools, userId, roomId));
        readable += events.readable.length;
        unproven += events.unproven.length;
        if (events.readable.length + events.unproven.length > 0) rooms.push(roomId);
      } catch (error) {
        if (!isHomeserverError(error)) throw error;
        unreadableRooms++;
      }
    }
    return { readable, unproven, unreadableRooms, rooms };
  }

  /**
   * Events a read showed without content and without proof of redaction, looked at once more as
   * stored (fetch_event), where the server's stored form shows a redaction: each becomes readable
   * or erased. Elsewhere they stay unproven, and the erasure is not called verified.
   */
  async #settleUnproven(userId: string, events: { readable: string[]; unproven: string[] }): Promise<{ readable: string[]; unproven: string[] }> {
    if (events.unproven.length === 0 || !this.#o.features().fetchEventShowsRedactions) return events;
    const settled = { readable: [...events.readable], unproven: [] as string[] };
    for (const eventId of events.unproven) {
      try {
        const { event } = await this.#o.admin.request('GET', endpoint(PATHS.fetchEvent, { eventId }), { schema: FetchedEvent });
        const state = readBackState(event, userId);
        if (state === 'readable') settled.readable.push(eventId);
        else if (state !== 'erased') settled.unproven.push(eventId);
      } catch (error) {
        if (!isHomeserverError(error)) throw error;
        settled.unproven.push(eventId);
      }
    }
    return settled;
  }

  /** Rooms that were deleted and that the server still has. */
  async #purgedRoomsLeft(roomIds: readonly string[]): Promise<number> {
    let left = 0;
    for (const roomId of roomIds) {
      try {
        await this.#o.admin.request('GET', endpoint(PATHS.room, { roomId }), { schema: EmptyAnswer.loose() });
        left++;
      } catch (error) {
        if (!isHomeserverError(error, 'not-found')) throw error;
      }
    }
    return left;
  }

  async #account(userId: string): Promise<UserAccount> {
    const account = await this.#o.homeserver.getAccount(userId);
    if (account === null) throw new HomeserverError({ kind: 'not-found', userMessage: 'the server has no such account' });
    return account;
  }
}

const pickTraces = ({ tags, accountData, pushers, keyBackups, profileFields }: ReadBack['traces']): ReadBack['traces'] => ({
  tags,
  accountData,
  pushers,
  keyBackups,
  profileFields,
});

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
