// The Homeserver over the Synapse admin API, as Synapse and Tuwunel (>= 1.8.1) serve it.
// The admin token is used for admin calls, the bot token for the bot's own client calls, and
// a short-lived login-as ("puppet") token only where a server lacks an admin endpoint; every
// puppet session is ended again, whatever happens (puppets.ts).
import { z } from 'zod';
import { detectCapabilities } from './capabilities.ts';
import { HomeserverError, isHomeserverError, type HomeserverErrorKind } from './errors.ts';
import type {
  AccountDataSummary,
  AdminRoomCommands,
  Availability,
  Capabilities,
  Device,
  EncryptionKeys,
  Homeserver,
  MediaSummary,
  Memberships,
  MessageCount,
  Pusher,
  Sessions,
  UserAccount,
} from './homeserver.ts';
import { createHomeserverHttp, endpoint, type HomeserverHttp, type Method, type RequestOptions } from './http.ts';
import type { PuppetLedger } from './puppet-ledger.ts';
import { Puppets } from './puppets.ts';
import { TuwunelAdminRoom } from './tuwunel-admin-room.ts';
import {
  addMediaPage,
  countSentMessages,
  joinedMemberships,
  membershipsFromMap,
  membershipsFromSync,
  mergeMemberships,
  nextMediaFrom,
  nextMessagesToken,
  toAccountDataSummary,
  toDevices,
  toEncryptionKeys,
  toPushers,
  toSessions,
  toUserAccount,
} from './normalise.ts';
import {
  AccountData,
  AdminDevices,
  AdminUser,
  JoinedRooms,
  KeysQuery,
  LoginAsAnswer,
  MediaPage,
  MembershipsAnswer,
  MessagesPage,
  Pushers,
  SyncRooms,
  Whois,
} from './schemas.ts';

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
  keysQuery: '/_matrix/client/v3/keys/query',
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

/**
 * Refusals of the login-as fallback that concern this one user (Synapse will not log an admin in
 * as themselves, a token may be refused for a deactivated account ...): the rest of the answer
 * still goes out, with this part marked unavailable. Server errors and network trouble still throw.
 */
const PUPPET_REFUSALS: ReadonlySet<HomeserverErrorKind> = new Set(['unauthorized', 'forbidden', 'not-found', 'bad-response']);

const MESSAGES_PAGE_LIMIT = 1000;
const MEDIA_PAGE_LIMIT = 100;
const MESSAGE_TYPES = ['m.room.message', 'm.room.encrypted'];

type FetchMessagesPage = (roomId: string, from: string | undefined) => Promise<MessagesPage>;

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
  now?: () => number;
};

export class SynapseAdminHomeserver implements Homeserver {
  readonly #admin: HomeserverHttp;
  readonly #bot: HomeserverHttp;
  readonly #puppets: Puppets;
  readonly adminRoom: AdminRoomCommands | null;
  #capabilities: Capabilities;
  /** Endpoint templates that answered M_UNRECOGNIZED: not asked again. */
  readonly #missing = new Set<string>();

  constructor(options: SynapseAdminOptions) {
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
  }

  /** Removes what login-as sessions of an earlier run left behind; notes for the admins. */
  cleanUpPuppetSessions(): Promise<string[]> {
    return this.#puppets.cleanUp();
  }

  /** As detected at start-up, minus what turned out missing since. */
  get capabilities(): Capabilities {
    return this.#capabilities;
  }

  async getAccount(userId: string): Promise<UserAccount | null> {
    try {
      return toUserAccount(await this.#call(this.#admin, 'GET', PATHS.user, { userId }, { schema: AdminUser }));
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return null;
      throw error;
    }
  }

  async getMemberships(userId: string): Promise<Memberships> {
    this.#requireSupported();
    if (this.#capabilities.features.memberships) {
      try {
        const answer = await this.#call(this.#admin, 'GET', PATHS.memberships, { userId }, { schema: MembershipsAnswer });
        const all = membershipsFromMap(answer.memberships);
        const joined = all.filter((m) => m.membership === 'join');
        return { available: true, value: mergeMemberships(joined, all), joined };
      } catch (error) {
        if (!isHomeserverError(error, 'unsupported')) throw error;
      }
    }

    const joined = joinedMemberships((await this.#call(this.#admin, 'GET', PATHS.joinedRooms, { userId }, { schema: JoinedRooms })).joined_rooms);
    if (this.#capabilities.features.loginAs) {
      try {
        const others = await this.#puppets.asUser(userId, async (token) => membershipsFromSync(await this.#syncWithLeftRooms(await token())));
        return { available: true, value: mergeMemberships(joined, others), joined };
      } catch (error) {
        if (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind)) return { available: false, reason: LEFT_ROOMS_REFUSED, joined };
        if (!isHomeserverError(error, 'unsupported')) throw error;
      }
    }
    return { available: false, reason: LEFT_ROOMS_UNAVAILABLE, joined };
  }

  /** The user's devices, less the bot's own live login-as sessions (Tuwunel), which are not theirs. */
  async getDevices(userId: string): Promise<Device[]> {
    const devices = toDevices(await this.#call(this.#admin, 'GET', PATHS.devices, { userId }, { schema: AdminDevices }));
    const own = this.#puppets.ownDevices(userId);
    return devices.filter((d) => !own.has(d.deviceId));
  }

  /** Asks whois only where it is a connection log: elsewhere it repeats the device list. */
  async getSessions(userId: string): Promise<Availability<Sessions>> {
    if (!this.#capabilities.features.connectionLog) return { available: true, value: { kept: 'last-seen-per-device' } };
    return this.#optional(async () => toSessions(await this.#call(this.#admin, 'GET', PATHS.whois, { userId }, { schema: Whois })));
  }

  async getAccountData(userId: string): Promise<AccountDataSummary> {
    return toAccountDataSummary(await this.#call(this.#admin, 'GET', PATHS.accountData, { userId }, { schema: AccountData }));
  }

  async getPushers(userId: string): Promise<Pusher[]> {
    return toPushers(await this.#call(this.#admin, 'GET', PATHS.pushers, { userId }, { schema: Pushers }));
  }

  /** Pages through the user's uploads oldest first (new uploads then land after the last page), each page once. */
  async getMediaSummary(userId: string): Promise<MediaSummary> {
    let summary: MediaSummary = { count: 0, totalBytes: 0 };
    const fetched = new Set<string>();
    let from: string | null = '0';
    while (from !== null) {
      fetched.add(from);
      const page = await this.#call(this.#admin, 'GET', PATHS.media, { userId }, {
        schema: MediaPage,
        query: { from, limit: MEDIA_PAGE_LIMIT, order_by: 'created_ts', dir: 'f' },
      });
      summary = addMediaPage(summary, page);
      from = nextMediaFrom(page, fetched);
    }
    return summary;
  }

  /** Which devices have keys and whether cross-signing is set up: asked with the bot's own token. */
  async getEncryptionKeys(userId: string): Promise<Availability<EncryptionKeys>> {
    return this.#optional(async () =>
      toEncryptionKeys(
        await this.#call(this.#bot, 'POST', PATHS.keysQuery, {}, { schema: KeysQuery, body: { device_keys: { [userId]: [] } }, retry: true }),
        userId,
      ),
    );
  }

  async countMessagesSent(userId: string, roomIds: string[]): Promise<Availability<MessageCount>> {
    this.#requireSupported();
    if (roomIds.length === 0) return { available: true, value: { count: 0, roomsSearched: 0 } };
    const filter = JSON.stringify({ senders: [userId], types: MESSAGE_TYPES });
    const query = (from: string | undefined) => ({ dir: 'b', limit: MESSAGES_PAGE_LIMIT, filter, from });

    if (this.#capabilities.features.roomMessagesAdmin) {
      try {
        const page: FetchMessagesPage = (roomId, from) =>
          this.#call(this.#admin, 'GET', PATHS.roomMessagesAdmin, { roomId }, { schema: MessagesPage, query: query(from) });
        return { available: true, value: await countInRooms(userId, roomIds, page) };
      } catch (error) {
        if (!isHomeserverError(error, 'unsupported')) throw error;
      }
    }
    if (this.#capabilities.features.loginAs) {
      try {
        const value = await this.#puppets.asUser(userId, (token) => {
          const page: FetchMessagesPage = async (roomId, from) =>
            this.#call(this.#bot, 'GET', PATHS.clientMessages, { roomId }, { schema: MessagesPage, query: query(from), token: await token() });
          return countInRooms(userId, roomIds, page);
        });
        return { available: true, value };
      } catch (error) {
        if (isHomeserverError(error) && PUPPET_REFUSALS.has(error.kind)) return { available: false, reason: MESSAGES_REFUSED };
        if (!isHomeserverError(error, 'unsupported')) throw error;
      }
    }
    return { available: false, reason: MESSAGES_UNAVAILABLE };
  }

  /** An initial sync as the user that lists rooms left; presence is left alone (set_presence=offline). */
  #syncWithLeftRooms(token: string): Promise<SyncRooms> {
    return this.#call(this.#bot, 'GET', PATHS.sync, {}, {
      schema: SyncRooms,
      token,
      query: { filter: JSON.stringify({ room: { include_leave: true, timeline: { limit: 1 } } }), set_presence: 'offline' },
    });
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
 * Counts the user's messages room by room, paging backwards from the end of each room until the
 * chunk is empty or `end` is missing. A room whose messages the path cannot read (403/404 from
 * the messages endpoint itself: e.g. never joined) is skipped and not counted as searched; any
 * other failure (the login-as behind a page, a server error) ends the count.
 */
async function countInRooms(userId: string, roomIds: readonly string[], fetchPage: FetchMessagesPage): Promise<MessageCount> {
  let count = 0;
  let roomsSearched = 0;
  for (const roomId of roomIds) {
    try {
      let from: string | undefined;
      let inRoom = 0;
      for (;;) {
        const page = await fetchPage(roomId, from);
        inRoom += countSentMessages(page, userId);
        const next = nextMessagesToken(page, from);
        if (next === null) break;
        from = next;
      }
      count += inRoom;
      roomsSearched++;
    } catch (error) {
      const roomRefused = (isHomeserverError(error, 'forbidden') || isHomeserverError(error, 'not-found')) && error.endpoint?.endsWith('/messages') === true;
      if (roomRefused) continue;
      throw error;
    }
  }
  return { count, roomsSearched };
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
export async function connectHomeserver(options: ConnectOptions): Promise<{ homeserver: Homeserver; notes: string[] }> {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const admin = createHomeserverHttp({ baseUrl: options.url, accessToken: options.adminToken, ...timeout });
  const bot = createHomeserverHttp({ baseUrl: options.url, accessToken: options.botToken, ...timeout });
  const { capabilities, notes } = await detectCapabilities(admin, { botUserId: options.botUserId, serverName: options.serverName });
  const homeserver = new SynapseAdminHomeserver({ admin, bot, capabilities, serverName: options.serverName, puppetLedger: options.puppetLedger });
  const cleanedUp = capabilities.supported ? await homeserver.cleanUpPuppetSessions() : [];
  return { homeserver, notes: [...notes, ...cleanedUp] };
}
