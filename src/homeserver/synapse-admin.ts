// The Homeserver over the Synapse admin API, as Synapse and Tuwunel (>= 1.8.1) serve it.
// The admin token is used for admin calls, the bot token for the bot's own client calls, and
// a short-lived login-as ("puppet") token only where a server lacks an admin endpoint; every
// puppet session is ended again, whatever happens (puppets.ts).

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { detectCapabilities } from './capabilities.ts';
import { HomeserverErasure } from './erasure-operations.ts';
import { HomeserverError, type HomeserverErrorKind, isHomeserverError, isRoomRefusal } from './errors.ts';
import type {
  AccountDataSummary,
  AdminRoomCommands,
  Availability,
  Capabilities,
  Device,
  EncryptionKeys,
  ErasureOperations,
  Homeserver,
  JsonObject,
  MediaDownload,
  MediaSummary,
  Membership,
  Memberships,
  MessageCount,
  ProbeOptions,
  Pusher,
  RoomDetails,
  RoomProbe,
  SentEventsOptions,
  Session,
  Sessions,
  Stored,
  StoredEvent,
  UploadedMedia,
  UploadSource,
  UserAccount,
} from './homeserver.ts';
import { createHomeserverHttp, endpoint, type HomeserverHttp, type Method, type RequestOptions, type StreamOptions } from './http.ts';
import {
  addMediaPage,
  countSentMessages,
  joinedMemberships,
  memberIdsOf,
  membershipsFromMap,
  membershipsFromSync,
  nextMediaFrom,
  otherServers,
  toAccountDataSummary,
  toDevices,
  toEncryptionKeys,
  toListedRoom,
  toPushers,
  toSessions,
  toUserAccount,
} from './normalise.ts';
import { pulled } from './pulled.ts';
import type { PuppetLedger } from './puppet-ledger.ts';
import { Puppets } from './puppets.ts';
import { type ListedRoom, type ProbeReads, probeRooms, unionOfMemberships, type WroteThere } from './room-discovery.ts';
import {
  AccountData,
  AdminDevices,
  AdminUser,
  JoinedRooms,
  KeysQuery,
  LoginAsAnswer,
  MembershipsAnswer,
  Pushers,
  RoomList,
  SyncRooms,
  Whois,
} from './schemas.ts';
import { memberEventOf, parseMxc, toRoomDetails, toUploadedMedia } from './stored-normalise.ts';
import {
  asJson,
  DeleteMediaAnswer,
  EventPage,
  KeyBackupAnswer,
  MediaConfig,
  RoomDetailsAnswer,
  RoomStateAnswer,
  readTwice,
  StoredDevices,
  StoredKeys,
  StoredMediaPage,
  JsonObject as StoredObject,
  StoredPushers,
  StoredTags,
  StoredUser,
  UploadAnswer,
} from './stored-schemas.ts';
import { TuwunelAdminRoom } from './tuwunel-admin-room.ts';

const PATHS = {
  user: '/_synapse/admin/v2/users/{userId}',
  joinedRooms: '/_synapse/admin/v1/users/{userId}/joined_rooms',
  memberships: '/_synapse/admin/v1/users/{userId}/memberships',
  devices: '/_synapse/admin/v2/users/{userId}/devices',
  whois: '/_synapse/admin/v1/whois/{userId}',
  accountData: '/_synapse/admin/v1/users/{userId}/accountdata',
  pushers: '/_synapse/admin/v1/users/{userId}/pushers',
  media: '/_synapse/admin/v1/users/{userId}/media',
  loginAs: '/_synapse/admin/v1/users/{userId}/login',
  roomMessagesAdmin: '/_synapse/admin/v1/rooms/{roomId}/messages',
  clientMessages: '/_matrix/client/v3/rooms/{roomId}/messages',
  sync: '/_matrix/client/v3/sync',
  rooms: '/_synapse/admin/v1/rooms',
  roomTags: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags',
  profile: '/_matrix/client/v3/profile/{userId}',
  keysQuery: '/_matrix/client/v3/keys/query',
  keyBackup: '/_matrix/client/v3/room_keys/version',
  roomDetails: '/_synapse/admin/v1/rooms/{roomId}',
  roomState: '/_synapse/admin/v1/rooms/{roomId}/state',
  // Authenticated media (Matrix 1.11) first; the legacy paths where a server lacks it.
  download: '/_matrix/client/v1/media/download/{serverName}/{mediaId}',
  legacyDownload: '/_matrix/media/v3/download/{serverName}/{mediaId}',
  mediaConfig: '/_matrix/client/v1/media/config',
  legacyMediaConfig: '/_matrix/media/v3/config',
  upload: '/_matrix/media/v3/upload',
  deleteMedia: '/_synapse/admin/v1/media/{serverName}/{mediaId}',
} as const;

/** Endpoints whose absence turns a capability off for the rest of the run. */
const FEATURE_OF: Partial<Record<string, keyof Capabilities['features']>> = {
  [PATHS.memberships]: 'memberships',
  [PATHS.roomMessagesAdmin]: 'roomMessagesAdmin',
  [PATHS.loginAs]: 'loginAs',
};

export const NOT_AVAILABLE = 'not available on this server';
export const LEFT_ROOMS_UNAVAILABLE = 'rooms you have left are not available on this server';
export const MESSAGES_UNAVAILABLE = 'messages you sent cannot be counted on this server';
export const LEFT_ROOMS_REFUSED = 'rooms you have left could not be looked up: the server would not let the bot read them as you';
export const MESSAGES_REFUSED = 'messages you sent could not be counted: the server would not let the bot read them as you';
export const MESSAGES_UNREADABLE = 'messages you sent could not be counted: the homeserver gave answers the bot could not use';

/**
 * Refusals of the login-as fallback that concern this one user (Synapse will not log an admin in
 * as themselves, a token may be refused for a deactivated account ...): the rest of the answer
 * still goes out, with this part marked unavailable. Server errors and network trouble still throw.
 */
const PUPPET_REFUSALS: ReadonlySet<HomeserverErrorKind> = new Set(['unauthorized', 'forbidden', 'not-found', 'bad-response']);

/** The largest page any server serves (Synapse's MAX_LIMIT); Tuwunel quietly gives 100. */
const MESSAGES_PAGE_LIMIT = 1000;
const MEDIA_PAGE_LIMIT = 100;
const MESSAGE_TYPES = ['m.room.message', 'm.room.encrypted'];
/** Rooms per page of the server's room list (Synapse's default is 100). */
const ROOM_LIST_PAGE = 500;

export const PROBE_BLIND = 'nobody on this server is in this room any more, and this server has no admin API to read its messages (Synapse 1.68+ has)';

type FetchEventPage = (from: string | undefined) => Promise<EventPage>;

export const MEDIA_GONE = 'the server can no longer serve this file (it answered: not found)';
export const KEY_BACKUP_UNKNOWN = 'whether you have a key backup cannot be checked on this server';
export const ROOM_TAGS_UNKNOWN = 'your room tags cannot be read on this server: only you can ask for them, and the bot cannot ask as you here';
export const NO_CONNECTION_LOG = 'this server keeps no log of connections: each device’s last address and time are with the devices';

export type SynapseAdminOptions = {
  /** Carries the admin token. */
  admin: HomeserverHttp;
  /** Carries the bot's token (and puppet tokens, per request). */
  bot: HomeserverHttp;
  capabilities: Capabilities;
  /** The server name in user IDs (for Tuwunel's #admins:<server>). */
  serverName: string;
  /** Where login-as sessions are recorded while they last. */
  puppetLedger: PuppetLedger;
  /** The bot's own account: an erasure may have it join a room the user left, to redact there. */
  botUserId: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** First wait between two looks at a server-side redaction task (default 500 ms). */
  redactionPollMs?: number;
};

export class SynapseAdminHomeserver implements Homeserver {
  readonly #admin: HomeserverHttp;
  readonly #bot: HomeserverHttp;
  readonly #puppets: Puppets;
  readonly adminRoom: AdminRoomCommands | null;
  readonly erasure: ErasureOperations | null;
  #capabilities: Capabilities;
  /** Endpoint templates that answered M_UNRECOGNIZED: not asked again. */
  readonly #missing = new Set<string>();
  readonly #serverName: string;

  constructor(options: SynapseAdminOptions) {
    this.#serverName = options.serverName;
    this.#admin = options.admin;
    this.#bot = options.bot;
    this.#capabilities = options.capabilities;
    const { supported, features } = options.capabilities;
    // The admin token's user is an admin on Tuwunel because it is in #admins: it can send there.
    this.adminRoom = supported && features.adminRoomCommands ? new TuwunelAdminRoom({ admin: this.#admin, serverName: options.serverName }) : null;
    this.#puppets = new Puppets({
      admin: this.#admin,
      bot: this.#bot,
      ledger: options.puppetLedger,
      leavesDevice: () => this.#capabilities.features.loginAsDevice,
      // Not retried on 5xx (a POST): a second attempt could leave a second session behind.
      loginAs: async (userId, validUntil) =>
        (await this.#call(this.#admin, 'POST', PATHS.loginAs, { userId }, { schema: LoginAsAnswer, body: { valid_until_ms: validUntil } })).access_token,
      now: options.now ?? Date.now,
    });
    this.erasure = supported
      ? new HomeserverErasure({
          homeserver: this,
          admin: this.#admin,
          bot: this.#bot,
          serverName: options.serverName,
          botUserId: options.botUserId,
          adminRoom: this.adminRoom,
          features: () => this.#capabilities.features,
          asUser: (userId, work) => this.#puppets.asUser(userId, work),
          sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
          now: options.now ?? Date.now,
          pollMs: options.redactionPollMs ?? 500,
        })
      : null;
  }

  /** Removes what login-as sessions of an earlier run (or of the process `owner`) left behind; notes for the admins. */
  cleanUpPuppetSessions(owner?: string): Promise<string[]> {
    return this.#puppets.cleanUp(owner);
  }

  /** As detected at start-up, minus what turned out missing since. */
  get capabilities(): Capabilities {
    return this.#capabilities;
  }

  async getAccount(userId: string): Promise<UserAccount | null> {
    return (await this.getStoredAccount(userId))?.value ?? null;
  }

  /**
   * Every room the user is or was in that the server lists without a probe: joined rooms,
   * /memberships where the server has it, and a login-as /sync with include_leave where
   * /memberships misses rooms nobody here is in any more (Synapse) or does not exist.
   * Unavailable only when neither of the last two could answer.
   */
  async getMemberships(userId: string): Promise<Memberships> {
    this.#requireSupported();
    const f = this.#capabilities.features;
    let listed: Membership[] | null = null;
    if (f.memberships) {
      try {
        listed = membershipsFromMap((await this.#call(this.#admin, 'GET', PATHS.memberships, { userId }, { schema: MembershipsAnswer })).memberships);
      } catch (error) {
        if (!isHomeserverError(error, 'unsupported')) throw error;
      }
    }
    const joined =
      listed !== null
        ? listed.filter((m) => m.membership === 'join')
        : joinedMemberships((await this.#call(this.#admin, 'GET', PATHS.joinedRooms, { userId }, { schema: JoinedRooms })).joined_rooms);
    let synced: Membership[] | null = null;
    let refused = false;
    if (this.#capabilities.features.loginAs && (listed === null || !f.membershipsListsRoomsNobodyHereIsIn)) {
      try {
        synced = await this.#puppets.asUser(userId, async (token) => membershipsFromSync(await this.#syncWithLeftRooms(await token())));
      } catch (error) {
        if (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind)) refused = true;
        else if (!isHomeserverError(error, 'unsupported')) throw error;
      }
    }
    if (listed === null && synced === null) return { available: false, reason: refused ? LEFT_ROOMS_REFUSED : LEFT_ROOMS_UNAVAILABLE, joined };
    return { available: true, value: unionOfMemberships(joined, listed ?? [], synced ?? []), joined };
  }

  /**
   * The rooms no other source lists (forgotten, or nobody here is in them any more): the server's
   * room list, each room not in `known` asked whether the user ever wrote there.
   */
  probeRooms(userId: string, known: ReadonlySet<string>, options: ProbeOptions = {}): Promise<RoomProbe> {
    this.#requireSupported();
    const f = this.#capabilities.features;
    const reads: ProbeReads = {
      listRooms: async (from) => {
        const page = await this.#call(this.#admin, 'GET', PATHS.rooms, {}, { schema: RoomList, query: { from, limit: ROOM_LIST_PAGE } });
        return { rooms: page.rooms.map(toListedRoom), next: page.next_batch ?? null, total: page.total_rooms ?? page.rooms.length };
      },
      wroteThere: (room) => this.#wroteThere(userId, room),
    };
    const scope = { membershipsCoverRoomsWithLocalMembers: f.memberships && f.membershipsListsForgottenRooms };
    return probeRooms(reads, known, scope, options);
  }

  /** Whether the user sent anything in a room: the admin messages endpoint, else the room's current state. */
  async #wroteThere(userId: string, room: ListedRoom): Promise<WroteThere> {
    const { roomId } = room;
    try {
      if (this.#capabilities.features.roomMessagesAdmin) {
        const filter = JSON.stringify({ senders: [userId] });
        const page = await this.#call(this.#admin, 'GET', PATHS.roomMessagesAdmin, { roomId }, { schema: EventPage, query: { dir: 'b', limit: 1, filter } });
        return page.chunk.some((event) => event.sender === userId);
      }
      const state = await this.#call(this.#admin, 'GET', PATHS.roomState, { roomId }, { schema: RoomStateAnswer });
      if (memberEventOf(state, userId) !== null) return true;
      if (state.state.length > 0) return false;
      // No current state: nobody here is in the room any more, and nothing else can be read here.
      return room.creator === userId ? true : { unknown: PROBE_BLIND };
    } catch (error) {
      // Deleted since the list was read.
      if (isHomeserverError(error, 'not-found')) return false;
      if (isHomeserverError(error) && (error.kind === 'forbidden' || error.kind === 'bad-response'))
        return { unknown: `the server would not let the bot read it (${error.userMessage})` };
      throw error;
    }
  }

  async getDevices(userId: string): Promise<Device[]> {
    return (await this.getStoredDevices(userId)).value;
  }

  /** Asks whois only where it is a connection log: elsewhere it repeats the device list. */
  async getSessions(userId: string): Promise<Availability<Sessions>> {
    if (!this.#capabilities.features.connectionLog) return { available: true, value: { kept: 'last-seen-per-device' } };
    return this.#optional(async () => toSessions(await this.#call(this.#admin, 'GET', PATHS.whois, { userId }, { schema: Whois })));
  }

  async getAccountData(userId: string): Promise<AccountDataSummary> {
    return (await this.getStoredAccountData(userId)).value;
  }

  async getPushers(userId: string): Promise<Pusher[]> {
    return (await this.getStoredPushers(userId)).value;
  }

  async getMediaSummary(userId: string): Promise<MediaSummary> {
    let summary: MediaSummary = { count: 0, totalBytes: 0 };
    for await (const page of this.#mediaPages(userId)) summary = addMediaPage(summary, page);
    return summary;
  }

  async getEncryptionKeys(userId: string): Promise<Availability<EncryptionKeys>> {
    const keys = await this.getStoredEncryptionKeys(userId);
    return keys.available ? { available: true, value: keys.value.value } : keys;
  }

  /**
   * Counts the user's messages room by room over the same walk an export makes. A room whose
   * messages cannot be read (403/404 from the messages endpoint itself: e.g. never joined) is
   * skipped and not counted as searched; any other failure ends the count.
   */
  async countMessagesSent(userId: string, roomIds: string[]): Promise<Availability<MessageCount>> {
    this.#requireSupported();
    let count = 0;
    let roomsSearched = 0;
    try {
      for (const roomId of roomIds) {
        try {
          let inRoom = 0;
          for await (const events of this.sentEvents(userId, roomId, { types: MESSAGE_TYPES })) inRoom += countSentMessages({ chunk: events }, userId);
          count += inRoom;
          roomsSearched++;
        } catch (error) {
          if (isRoomRefusal(error)) continue;
          throw error;
        }
      }
    } catch (error) {
      if (isHomeserverError(error, 'unsupported')) return { available: false, reason: MESSAGES_UNAVAILABLE };
      // An answer the bot cannot use (a broken or hostile server): the rest of the answer still goes out, saying so.
      if (isHomeserverError(error, 'bad-response')) return { available: false, reason: MESSAGES_UNREADABLE };
      if (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind)) return { available: false, reason: MESSAGES_REFUSED };
      throw error;
    }
    return { available: true, value: { count, roomsSearched } };
  }

  // ---- what an export reads ----

  async getStoredAccount(userId: string): Promise<Stored<UserAccount> | null> {
    try {
      const answer = await this.#call(this.#admin, 'GET', PATHS.user, { userId }, { schema: readTwice(AdminUser, StoredUser) });
      return { value: toUserAccount(answer.normal), stored: asJson(answer.stored) };
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return null;
      throw error;
    }
  }

  /** The user's devices, less the bot's own live login-as sessions (Tuwunel), which are not theirs. */
  async getStoredDevices(userId: string): Promise<Stored<Device[]>> {
    const answer = await this.#call(this.#admin, 'GET', PATHS.devices, { userId }, { schema: readTwice(AdminDevices, StoredDevices) });
    const own = this.#puppets.ownDevices(userId);
    const theirs = answer.stored.devices.filter((d) => !own.has(String((d as { device_id?: unknown }).device_id)));
    return { value: toDevices(answer.normal).filter((d) => !own.has(d.deviceId)), stored: asJson(theirs) };
  }

  /** Where whois is a connection log (Synapse); elsewhere it only repeats the device list. */
  async getStoredSessions(userId: string): Promise<Availability<Stored<Session[]>>> {
    if (!this.#capabilities.features.connectionLog) return { available: false, reason: NO_CONNECTION_LOG };
    return this.#optional(async () => {
      const answer = await this.#call(this.#admin, 'GET', PATHS.whois, { userId }, { schema: readTwice(Whois, StoredObject) });
      return { value: toSessions(answer.normal).sessions, stored: answer.stored };
    });
  }

  async getStoredAccountData(userId: string): Promise<Stored<AccountDataSummary>> {
    const answer = await this.#call(this.#admin, 'GET', PATHS.accountData, { userId }, { schema: readTwice(AccountData, StoredObject) });
    return { value: toAccountDataSummary(answer.normal), stored: answer.stored['account_data'] ?? null };
  }

  async getStoredPushers(userId: string): Promise<Stored<Pusher[]>> {
    const answer = await this.#call(this.#admin, 'GET', PATHS.pushers, { userId }, { schema: readTwice(Pushers, StoredPushers) });
    return { value: toPushers(answer.normal), stored: asJson(answer.stored.pushers) };
  }

  /** Which devices have keys and whether cross-signing is set up: asked with the bot's own token. */
  async getStoredEncryptionKeys(userId: string): Promise<Availability<Stored<EncryptionKeys>>> {
    return this.#optional(async () => {
      const answer = await this.#call(
        this.#bot,
        'POST',
        PATHS.keysQuery,
        {},
        {
          schema: readTwice(KeysQuery, StoredKeys),
          body: { device_keys: { [userId]: [] } },
          retry: true,
        },
      );
      const only = (keys: Record<string, unknown> | null | undefined) => keys?.[userId] ?? null;
      const stored = {
        device_keys: only(answer.stored.device_keys),
        master_key: only(answer.stored.master_keys),
        self_signing_key: only(answer.stored.self_signing_keys),
        user_signing_key: only(answer.stored.user_signing_keys),
      };
      return { value: toEncryptionKeys(answer.normal, userId), stored: asJson(stored) };
    });
  }

  async getRoomTags(userId: string, roomIds: readonly string[]): Promise<Availability<{ roomId: string; tags: JsonObject }[]>> {
    this.#requireSupported();
    if (!this.#capabilities.features.loginAs) return { available: false, reason: ROOM_TAGS_UNKNOWN };
    try {
      return {
        available: true,
        value: await this.#puppets.asUser(userId, async (token) => {
          const found: { roomId: string; tags: JsonObject }[] = [];
          for (const roomId of roomIds) {
            try {
              const answer = await this.#call(this.#bot, 'GET', PATHS.roomTags, { userId, roomId }, { schema: StoredTags, token: await token(), retry: true });
              if (Object.keys(answer.tags).length > 0) found.push({ roomId, tags: answer.tags });
            } catch (error) {
              // A room the server no longer has, or will not answer for: no tags of theirs there.
              if (!isRoomRefusal(error)) throw error;
            }
          }
          return found;
        }),
      };
    } catch (error) {
      if (isHomeserverError(error, 'unsupported') || (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind)))
        return { available: false, reason: ROOM_TAGS_UNKNOWN };
      throw error;
    }
  }

  async getProfileFields(userId: string): Promise<Availability<JsonObject>> {
    try {
      const profile = await this.#call(this.#bot, 'GET', PATHS.profile, { userId }, { schema: StoredObject, retry: true });
      const { displayname: _name, avatar_url: _avatar, ...fields } = profile;
      return { available: true, value: fields };
    } catch (error) {
      // No profile at all (a deactivated account): no fields.
      if (isHomeserverError(error, 'not-found')) return { available: true, value: {} };
      if (isHomeserverError(error, 'unsupported') || isHomeserverError(error, 'forbidden')) return { available: false, reason: NOT_AVAILABLE };
      throw error;
    }
  }

  /** Whether a server-side key backup exists: only the user can ask, so through a short login-as. */
  async getKeyBackup(userId: string): Promise<Availability<JsonObject | null>> {
    this.#requireSupported();
    if (!this.#capabilities.features.loginAs) return { available: false, reason: KEY_BACKUP_UNKNOWN };
    try {
      const backup = await this.#puppets.asUser(userId, async (token) => {
        try {
          return await this.#call(this.#bot, 'GET', PATHS.keyBackup, {}, { schema: KeyBackupAnswer, token: await token() });
        } catch (error) {
          // "No backup found" (M_NOT_FOUND) is an answer, not a failure.
          if (isHomeserverError(error, 'not-found') && error.endpoint?.endsWith(PATHS.keyBackup)) return null;
          throw error;
        }
      });
      return { available: true, value: backup === null ? null : (asJson(backup) as JsonObject) };
    } catch (error) {
      if (isHomeserverError(error, 'unsupported') || (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind))) {
        return { available: false, reason: KEY_BACKUP_UNKNOWN };
      }
      throw error;
    }
  }

  async getRoomDetails(roomId: string): Promise<RoomDetails | null> {
    try {
      return toRoomDetails(await this.#call(this.#admin, 'GET', PATHS.roomDetails, { roomId }, { schema: RoomDetailsAnswer }));
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return null;
      throw error;
    }
  }

  /**
   * The other servers that had members in the room (GDPR Art. 19: they received what was sent
   * there): from the room's member state, or, where nobody here is in the room any more and its
   * current state is gone, from its member events. Null where this server cannot tell.
   */
  async roomServers(roomId: string, asUser?: string): Promise<string[] | null> {
    try {
      const state = await this.#call(this.#admin, 'GET', PATHS.roomState, { roomId }, { schema: RoomStateAnswer });
      if (state.state.length > 0) return otherServers(memberIdsOf(state.state), this.#serverName);
      // No current state: nobody here is in the room any more. Its member events tell who was.
      const filter = JSON.stringify({ types: ['m.room.member'] });
      const query = (from: string | undefined) => ({ dir: 'b', limit: MESSAGES_PAGE_LIMIT, filter, from });
      const members = new Set<string>();
      const collect = async (events: StoredEvent[]) => {
        for (const id of memberIdsOf(events)) members.add(id);
      };
      if (this.#capabilities.features.roomMessagesAdmin) {
        await walkBackwards((from) => this.#call(this.#admin, 'GET', PATHS.roomMessagesAdmin, { roomId }, { schema: EventPage, query: query(from) }), collect);
      } else if (asUser !== undefined && this.#capabilities.features.loginAs) {
        // Synapse 1.67: as the user, who may read the room up to when they left.
        await this.#puppets.asUser(asUser, (token) =>
          walkBackwards(
            async (from) => this.#call(this.#bot, 'GET', PATHS.clientMessages, { roomId }, { schema: EventPage, query: query(from), token: await token() }),
            collect,
          ),
        );
      } else {
        return null;
      }
      return otherServers([...members], this.#serverName);
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return [];
      if (isHomeserverError(error, 'unsupported') || isRoomRefusal(error) || (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind))) return null;
      throw error;
    }
  }

  async getMemberEvent(roomId: string, userId: string): Promise<StoredEvent | null> {
    try {
      return memberEventOf(await this.#call(this.#admin, 'GET', PATHS.roomState, { roomId }, { schema: RoomStateAnswer }), userId);
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return null;
      throw error;
    }
  }

  /**
   * Pages backwards from the end of the room (never `dir=f` without `from`, which Synapse 1.67
   * answers with nothing). The admin endpoint where the server has it; otherwise as the user,
   * with a login-as token of this room's own, logged out when the walk ends or is abandoned.
   */
  sentEvents(userId: string, roomId: string, options: SentEventsOptions = {}): AsyncIterable<StoredEvent[]> {
    const filter = JSON.stringify({ senders: [userId], ...(options.types ? { types: options.types } : {}) });
    const query = (from: string | undefined) => ({ dir: 'b', limit: MESSAGES_PAGE_LIMIT, filter, from });
    return pulled<StoredEvent[]>(async (emit) => {
      this.#requireSupported();
      let emitted = false;
      const walk = async (fetchPage: FetchEventPage) =>
        walkBackwards(fetchPage, async (events) => {
          emitted = true;
          await emit(events);
        });
      if (this.#capabilities.features.roomMessagesAdmin) {
        try {
          await walk((from) => this.#call(this.#admin, 'GET', PATHS.roomMessagesAdmin, { roomId }, { schema: EventPage, query: query(from) }));
          return;
        } catch (error) {
          if (emitted || !isHomeserverError(error, 'unsupported')) throw error;
        }
      }
      if (!this.#capabilities.features.loginAs) {
        throw new HomeserverError({ kind: 'unsupported', userMessage: MESSAGES_UNAVAILABLE });
      }
      await this.#puppets.asUser(userId, (token) =>
        walk(async (from) => this.#call(this.#bot, 'GET', PATHS.clientMessages, { roomId }, { schema: EventPage, query: query(from), token: await token() })),
      );
    });
  }

  uploadedMedia(userId: string): AsyncIterable<Stored<UploadedMedia>[]> {
    const serverName = userId.slice(userId.indexOf(':') + 1);
    const pages = this.#mediaPages(userId);
    return (async function* () {
      for await (const page of pages) yield toUploadedMedia(page, serverName);
    })();
  }

  async downloadMedia(mxc: string, signal?: AbortSignal): Promise<MediaDownload> {
    const ids = parseMxc(mxc);
    if (ids === null) return { available: false, reason: 'this is not a media address the server can serve' };
    try {
      const answer = await this.#streamWithFallback('GET', PATHS.download, PATHS.legacyDownload, ids, signal ? { signal } : {});
      const length = Number(answer.headers.get('content-length'));
      return {
        available: true,
        contentType: answer.headers.get('content-type'),
        length: Number.isFinite(length) && answer.headers.has('content-length') ? length : null,
        body: answer.body,
      };
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return { available: false, reason: MEDIA_GONE };
      throw error;
    }
  }

  // ---- delivery ----

  async getUploadLimit(): Promise<number | null> {
    const ask = (path: string) => this.#call(this.#bot, 'GET', path, {}, { schema: MediaConfig });
    let config;
    try {
      config = await ask(PATHS.mediaConfig);
    } catch (error) {
      if (!isHomeserverError(error, 'unsupported')) throw error;
      config = await ask(PATHS.legacyMediaConfig);
    }
    return config['m.upload.size'] ?? null;
  }

  async uploadFile(file: UploadSource, signal?: AbortSignal): Promise<string> {
    const answer = await this.#bot.stream('POST', PATHS.upload, {
      query: { filename: file.fileName },
      // Synapse refuses an upload without Content-Length (no chunked uploads).
      headers: { 'content-type': file.contentType, 'content-length': String(file.size) },
      body: () => Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>,
      // A slow link may need a while for a big file: at least 1 MB/s.
      timeoutMs: Math.max(60_000, Math.ceil(file.size / 1_000)),
      ...(signal ? { signal } : {}),
    });
    const text = await new Response(answer.body).text();
    const parsed = UploadAnswer.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new HomeserverError({
        kind: 'bad-response',
        status: answer.status,
        endpoint: `POST ${PATHS.upload}`,
        userMessage: 'The homeserver answered an upload in an unexpected shape.',
      });
    return parsed.data.content_uri;
  }

  async deleteUpload(mxc: string): Promise<'deleted' | 'gone'> {
    const ids = parseMxc(mxc);
    if (ids === null) throw new Error(`deleteUpload: not an mxc URI`);
    try {
      await this.#call(this.#admin, 'DELETE', PATHS.deleteMedia, ids, { schema: DeleteMediaAnswer });
      return 'deleted';
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return 'gone';
      throw error;
    }
  }

  /** Pages through the user's uploads oldest first (new uploads then land after the last page), each page once. */
  async *#mediaPages(userId: string): AsyncGenerator<StoredMediaPage> {
    const fetched = new Set<string>();
    let from: string | null = '0';
    while (from !== null) {
      fetched.add(from);
      const page: StoredMediaPage = await this.#call(
        this.#admin,
        'GET',
        PATHS.media,
        { userId },
        {
          schema: StoredMediaPage,
          query: { from, limit: MEDIA_PAGE_LIMIT, order_by: 'created_ts', dir: 'f' },
        },
      );
      yield page;
      from = nextMediaFrom(page, fetched);
    }
  }

  /** A file transfer on the authenticated media path, or the legacy one where the server lacks it. */
  async #streamWithFallback(method: Method, template: string, legacy: string, params: Record<string, string>, options: StreamOptions) {
    for (const path of [template, legacy]) {
      const name = `${method} ${path}`;
      if (this.#missing.has(name)) continue;
      try {
        return await this.#bot.stream(method, endpoint(path, params), options);
      } catch (error) {
        if (!isHomeserverError(error, 'unsupported') || path === legacy) throw error;
        this.#missing.add(name);
      }
    }
    throw new HomeserverError({ kind: 'unsupported', userMessage: 'The homeserver offers no media download.' });
  }

  /** An initial sync as the user that lists rooms left; presence is left alone (set_presence=offline). */
  #syncWithLeftRooms(token: string): Promise<SyncRooms> {
    return this.#call(
      this.#bot,
      'GET',
      PATHS.sync,
      {},
      {
        schema: SyncRooms,
        token,
        query: { filter: JSON.stringify({ room: { include_leave: true, timeline: { limit: 1 } } }), set_presence: 'offline' },
      },
    );
  }

  /** Calls an endpoint unless it is known missing; remembers it when it turns out missing. */
  async #call<S extends z.ZodType>(
    http: HomeserverHttp,
    method: Method,
    template: string,
    params: Record<string, string>,
    options: RequestOptions<S>,
  ): Promise<z.output<S>> {
    this.#requireSupported();
    const name = `${method} ${template}`;
    if (this.#missing.has(name)) {
      throw new HomeserverError({ kind: 'unsupported', endpoint: name, userMessage: `The homeserver does not offer ${name}.` });
    }
    try {
      return await http.request(method, endpoint(template, params), options);
    } catch (error) {
      if (isHomeserverError(error, 'unsupported')) this.#markMissing(name, template);
      throw error;
    }
  }

  #markMissing(name: string, template: string): void {
    this.#missing.add(name);
    const feature = FEATURE_OF[template];
    if (feature && this.#capabilities.features[feature]) {
      this.#capabilities = { ...this.#capabilities, features: { ...this.#capabilities.features, [feature]: false } };
    }
  }

  async #optional<T>(work: () => Promise<T>): Promise<Availability<T>> {
    try {
      return { available: true, value: await work() };
    } catch (error) {
      if (isHomeserverError(error, 'unsupported')) return { available: false, reason: NOT_AVAILABLE };
      throw error;
    }
  }

  #requireSupported(): void {
    const c = this.#capabilities;
    if (!c.supported) {
      throw new HomeserverError({ kind: 'unsupported', userMessage: c.unsupportedReason ?? 'This homeserver has no usable admin API.' });
    }
  }
}

/**
 * Pages backwards until the chunk is empty or `end` is missing. A server that hands back a token
 * it gave before (the same one forever, or in a circle) would keep the walk going without end:
 * that is an unusable answer, not the end of the room, since what was read may be incomplete.
 */
async function walkBackwards(fetchPage: FetchEventPage, onPage: (events: StoredEvent[]) => Promise<void>): Promise<void> {
  const seen = new Set<string>();
  let from: string | undefined;
  for (;;) {
    const page = await fetchPage(from);
    if (page.chunk.length > 0) await onPage(page.chunk);
    const next = page.end ?? null;
    if (page.chunk.length === 0 || next === null) return;
    if (next === from || seen.has(next)) {
      throw new HomeserverError({
        kind: 'bad-response',
        endpoint: 'GET /messages',
        userMessage: 'The homeserver kept handing back a page token it had given before, so a room’s history could not be read to its end.',
      });
    }
    seen.add(next);
    from = next;
  }
}

export type ConnectOptions = {
  url: string;
  serverName: string;
  adminToken: string;
  botToken: string;
  botUserId: string;
  timeoutMs?: number | undefined;
  puppetLedger: PuppetLedger;
};

/**
 * Detects the server and its capabilities (checking the admin token), builds the Homeserver,
 * and removes what login-as sessions of an earlier run left behind. The notes are for the admins.
 */
export async function connectHomeserver(options: ConnectOptions): Promise<{ homeserver: SynapseAdminHomeserver; notes: string[] }> {
  const admin = httpFor(options, options.adminToken);
  const { capabilities, notes } = await detectCapabilities(admin, { botUserId: options.botUserId, serverName: options.serverName });
  const homeserver = homeserverWith(options, capabilities);
  const cleanedUp = capabilities.supported ? await homeserver.cleanUpPuppetSessions() : [];
  return { homeserver, notes: [...notes, ...cleanedUp] };
}

/**
 * The Homeserver with capabilities detected before (by the bot, for an export process of its
 * own): no probes, and no clean-up of anyone's login-as sessions.
 */
export function homeserverWith(options: ConnectOptions, capabilities: Capabilities): SynapseAdminHomeserver {
  const admin = httpFor(options, options.adminToken);
  const bot = httpFor(options, options.botToken);
  return new SynapseAdminHomeserver({
    admin,
    bot,
    capabilities,
    serverName: options.serverName,
    puppetLedger: options.puppetLedger,
    botUserId: options.botUserId,
  });
}

const httpFor = (options: Pick<ConnectOptions, 'url' | 'timeoutMs'>, accessToken: string): HomeserverHttp =>
  createHomeserverHttp({ baseUrl: options.url, accessToken, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
