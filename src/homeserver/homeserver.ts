// The one boundary between the bot and a homeserver's admin surface.
// Everything the bot learns about a user comes through this interface; each
// server flavour differs only in the Capabilities it reports and in how the
// implementation falls back when an endpoint is missing.
import { z } from 'zod';
import type { JsonObject, JsonValue, StoredEvent } from './stored-schemas.ts';

export type { JsonObject, JsonValue, StoredEvent } from './stored-schemas.ts';

export const Flavour = z.enum(['synapse', 'tuwunel', 'conduwuit', 'unknown']);
export type Flavour = z.infer<typeof Flavour>;

/** What the server can do for us, detected once at start-up. */
export const Capabilities = z.object({
  flavour: Flavour,
  /** As the server reports it, e.g. "1.67.0"; null when it does not say. */
  version: z.string().nullable(),
  /** False for servers without the Synapse admin API (conduwuit, Tuwunel < 1.8.1). */
  supported: z.boolean(),
  /** Human-readable reason when `supported` is false. */
  unsupportedReason: z.string().nullable(),
  features: z.object({
    /** GET /v1/users/{u}/memberships (join, leave, invite, ban). */
    memberships: z.boolean(),
    /** GET /v1/rooms/{r}/messages with a senders filter. */
    roomMessagesAdmin: z.boolean(),
    /** POST /v1/users/{u}/login (puppet token, no device). */
    loginAs: z.boolean(),
    /** POST /v1/user/{u}/redact + redact_status. */
    redactUser: z.boolean(),
    /** `!admin ...` commands in #admins:<server> (Tuwunel): see tuwunel-admin-room.ts. */
    adminRoomCommands: z.boolean(),
    /**
     * whois is a log of connections beside the devices (Synapse's user_ips). Tuwunel keeps none:
     * its whois repeats each device's last IP and time (src/api/client/admin/users/whois.rs).
     */
    connectionLog: z.boolean(),
    /**
     * Login-as opens a device the user can see ("Admin login" on Tuwunel:
     * src/api/client/admin/users/login_as.rs), which must be removed after use; Synapse's makes none.
     */
    loginAsDevice: z.boolean(),
    /**
     * POST /v1/rooms/{r}/make_room_admin and the admin join API (Synapse): a room's most powerful
     * local member grants the bot power there, which lets it redact in rooms the user has left.
     */
    makeRoomAdmin: z.boolean(),
    /**
     * HTTP deactivation also leaves the user's rooms, clears the profile and removes emails
     * (Synapse); Tuwunel's leaves all that to its admin command (src/api/client/admin/users/deactivate.rs).
     */
    deactivationLeavesRooms: z.boolean(),
    /**
     * /memberships still lists rooms the user forgot (Synapse reads the rooms' current state);
     * Tuwunel's forget deletes the entry, so its forgotten rooms must be found by probing.
     */
    membershipsListsForgottenRooms: z.boolean(),
    /**
     * /memberships still lists rooms nobody on this server is in any more (Tuwunel keeps the left
     * state); Synapse drops such a room's current state, and with it the entry, so there the
     * rooms left are also asked for through a login-as /sync with include_leave.
     */
    membershipsListsRoomsNobodyHereIsIn: z.boolean(),
    /** GET /_synapse/admin/v1/scheduled_tasks (Synapse 1.130+, Tuwunel 1.8.1+): finds a redaction task whose ID a crash lost. */
    scheduledTasks: z.boolean(),
    /** DELETE /_synapse/admin/v2/rooms/{room} with purge, and its delete_status: removes a room nobody here is in any more. */
    roomPurge: z.boolean(),
    /**
     * The server's redaction task redacts in rooms the user has left (Synapse sends each redaction
     * after the event it redacts, where the user was still a member); Tuwunel's appends it now, as
     * the user, which a room they left refuses.
     */
    redactionTaskReachesLeftRooms: z.boolean(),
    /** POST/DELETE /_synapse/admin/v1/users/{u}/override_ratelimit: lifts the user's rate limits while the bot redacts as them (Synapse). */
    rateLimitOverride: z.boolean(),
    /** DELETE on account data with the user's own token (MSC3391; Tuwunel); elsewhere deactivation removes it or it stays. */
    accountDataDelete: z.boolean(),
    /**
     * Deactivation with erase removes the user's account data (Synapse's purge_account_data_for_user);
     * Tuwunel keeps it through every deactivation.
     */
    deactivationRemovesAccountData: z.boolean(),
    /**
     * Once the erased marker is set, the admin's own reads serve pruned copies of the user's events
     * (Tuwunel: src/service/rooms/state_accessor/erased.rs), so everything is read back before it is set.
     */
    erasedMarkerPrunesAdminReads: z.boolean(),
    /**
     * GET /_synapse/admin/v1/fetch_event/{id} serves the event as stored, a redacted one in its
     * redacted form (Tuwunel replaces the stored PDU on redaction): an unpruned second look at an
     * event a read showed without content. Synapse's serves the original even once redacted, so
     * it proves nothing there.
     */
    fetchEventShowsRedactions: z.boolean(),
  }),
});
export type Capabilities = z.infer<typeof Capabilities>;

/** A part of the answer the server could not give: the reason is safe to show a user. */
export type Availability<T> = { available: true; value: T } | { available: false; reason: string };

export const UserAccount = z.object({
  userId: z.string(),
  displayName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  admin: z.boolean(),
  deactivated: z.boolean(),
  /** null where the server does not report it (Synapse 1.67). */
  erased: z.boolean().nullable(),
  /** Milliseconds since the epoch; null where unknown (Tuwunel reports 0). */
  createdAt: z.number().nullable(),
  /** Whether a password hash is stored; null where the server does not say. Never the hash. */
  hasPasswordHash: z.boolean().nullable(),
  emails: z.array(z.string()),
  /** Phone numbers (3PID medium msisdn): shown with the email addresses, never hidden. */
  phoneNumbers: z.array(z.string()),
  externalIds: z.array(z.object({ authProvider: z.string(), externalId: z.string() })),
  userType: z.string().nullable(),
  locked: z.boolean().nullable(),
  suspended: z.boolean().nullable(),
  /** Milliseconds since the epoch; null where not reported. */
  lastSeenAt: z.number().nullable(),
});
export type UserAccount = z.infer<typeof UserAccount>;

export const Device = z.object({
  deviceId: z.string(),
  displayName: z.string().nullable(),
  lastSeenAt: z.number().nullable(),
  lastSeenIp: z.string().nullable(),
  lastSeenUserAgent: z.string().nullable(),
});
export type Device = z.infer<typeof Device>;

export const Connection = z.object({
  ip: z.string().nullable(),
  lastSeenAt: z.number().nullable(),
  userAgent: z.string().nullable(),
});
export const Session = z.object({
  /** null where the server groups all connections together (Synapse: device key ""). */
  deviceId: z.string().nullable(),
  connections: z.array(Connection),
});
export type Session = z.infer<typeof Session>;

/**
 * What the server keeps about connections, beyond the device list: a log of them (Synapse's
 * user_ips: every IP address and user agent with its last time, 28 days by default), or only
 * each device's last IP address and time, which the device list already holds (Tuwunel).
 */
export const Sessions = z.discriminatedUnion('kept', [
  z.object({ kept: z.literal('connection-log'), sessions: z.array(Session) }),
  z.object({ kept: z.literal('last-seen-per-device') }),
]);
export type Sessions = z.infer<typeof Sessions>;

export const Membership = z.object({
  roomId: z.string(),
  membership: z.enum(['join', 'leave', 'invite', 'ban', 'knock']),
});
export type Membership = z.infer<typeof Membership>;

/**
 * What getMemberships answers. As an Availability it holds every membership (join, leave,
 * invite, ban, knock) where the server can tell them all; `joined` is always filled, so the
 * rooms the user is in now can be shown even where the rooms they left cannot.
 */
export type Memberships = Availability<Membership[]> & { joined: Membership[] };

/** What the probe found beyond the other sources. */
export type RoomProbe = {
  /** Rooms the person was in that no other source listed (forgotten, or nobody here is in them any more): as left. */
  found: Membership[];
  /** Rooms that could not be checked, with why: never counted as clean. */
  unchecked: { roomId: string; reason: string }[];
  /** How many rooms the server lists, and how many of them the probe asked about. */
  listed: number;
  checked: number;
  /** The probe stopped at its limit: the rooms after it were not checked. */
  truncated: boolean;
};

export type ProbeOptions = {
  /** Check at most this many rooms (an export keeps its probe bounded); unbounded when absent. */
  limit?: number;
  /** Rooms asked about at once. */
  concurrency?: number;
  onProgress?(checked: number, toCheck: number): void;
  signal?: AbortSignal;
};

export const MediaSummary = z.object({ count: z.number().int(), totalBytes: z.number().int() });
export type MediaSummary = z.infer<typeof MediaSummary>;

export const AccountDataSummary = z.object({
  globalTypes: z.array(z.string()),
  rooms: z.array(z.object({ roomId: z.string(), types: z.array(z.string()) })),
});
export type AccountDataSummary = z.infer<typeof AccountDataSummary>;

export const Pusher = z.object({
  kind: z.string(),
  appId: z.string(),
  appDisplayName: z.string().nullable(),
  deviceDisplayName: z.string().nullable(),
  lang: z.string().nullable(),
  /** The push gateway the notifications go to: a recipient of data. */
  gatewayUrl: z.string().nullable(),
});
export type Pusher = z.infer<typeof Pusher>;

export const EncryptionKeys = z.object({
  /** Devices that have uploaded end-to-end keys (identity keys only; never content). */
  devicesWithKeys: z.array(z.string()),
  crossSigning: z.boolean(),
});
export type EncryptionKeys = z.infer<typeof EncryptionKeys>;

export const MessageCount = z.object({
  count: z.number().int(),
  roomsSearched: z.number().int(),
});
export type MessageCount = z.infer<typeof MessageCount>;

/** `!admin users erasure`: whether the user carries Tuwunel's erased marker (MSC4025), and since when. */
export type ErasureStatus = { erased: false } | { erased: true; sinceCount: number };

/**
 * Tuwunel's admin-room commands, for what its HTTP admin API lacks (tuwunel-admin-room.ts).
 * Each one fails with an AdminRoomError unless the server confirms it; those the reference
 * says may claim success falsely are read back.
 */
export interface AdminRoomCommands {
  /**
   * `users deactivate`: with leaveRooms (the default) it also clears the profile, demotes the user
   * and leaves and forgets every joined, invited and knocked room, so read the memberships first.
   * Refused for a user the server does not have (the command would report success and create one).
   * Resolves with the rooms the user is still joined to afterwards (leaving can fail over federation).
   */
  deactivate(userId: string, options?: { leaveRooms?: boolean }): Promise<{ stillJoined: string[] }>;
  /** Sends `users deactivate` without waiting (the server's queue may hold it a while); the command's event ID. */
  sendDeactivate(userId: string): Promise<string>;
  /** Waits for the answer to a `users deactivate` sent earlier: 'pending' when none came within the time. */
  awaitDeactivation(userId: string, commandId: string, timeoutMs: number): Promise<{ stillJoined: string[] } | 'pending'>;
  /** Redacts the bot's commands that name the user, and the server's answers to them where it may. */
  redactCommandsAbout(userId: string): Promise<{ redacted: number; refused: number }>;
  /** `users del-email`, which reports success whether or not the address was bound: read back. */
  deleteEmail(userId: string, address: string): Promise<void>;
  /** `media delete-all-from-user`: how many files went. */
  deleteAllMediaFromUser(userId: string): Promise<number>;
  /** `users force-leave-room`. */
  forceLeaveRoom(userId: string, roomId: string): Promise<void>;
  /** `users erasure`. */
  erasureStatus(userId: string): Promise<ErasureStatus>;
  /** `users list-joined-rooms`: room IDs, biggest room first. */
  listJoinedRooms(userId: string): Promise<string[]>;
}

/** How far a redaction has got, as the job keeps it: opaque to the job, read back by the homeserver layer with its own schema. */
export type RedactionResume = {
  checkpoint: unknown;
  save(checkpoint: unknown): void;
  progress(progress: { roomsDone: number; roomsTotal: number; redacted: number }): void;
  signal: AbortSignal;
};

export type RedactionResult = {
  /** Whether the server's own redaction task ran (then the count below is only what was left for the bot). */
  serverTask: boolean;
  /** Events the server's task reported it could not redact (the bot then tried them itself). */
  serverTaskFailures: number;
  /** Events the bot redacted one by one. */
  redactedOneByOne: number;
  /** Rooms where the user's events could not be redacted here, with why (e.g. a room made elsewhere with no local admin). */
  roomsNotRedacted: { roomId: string; reason: string }[];
};

/** What reading everything back found; an erasure is "verified" only when every check passed. */
export type ReadBack = {
  /** Whether the server still has the account at all (Synapse and Tuwunel keep deactivated ones). */
  accountFound: boolean;
  deactivated: boolean;
  /** null where the server does not report it (Synapse 1.67), or where the marker is set only after the read-back (Tuwunel). */
  erased: boolean | null;
  /** Rooms the user is still joined to or invited to. */
  roomsStillIn: number;
  media: number;
  devices: number;
  /** Email addresses and phone numbers. */
  threepids: number;
  /** A display name or avatar is still set. */
  profileLeft: boolean;
  /** Events of the user whose content anyone could still read, in every room found. */
  readableEvents: number;
  /** The rooms those readable (or unproven) events are in. */
  roomsWithEventsLeft: string[];
  /** Events shown without content but with no proof of redaction: a pruned copy hides them from the reader, not from members. */
  unprovenEvents: number;
  /** Rooms whose events could not be read back at all. */
  unreadableRooms: number;
  /** Rooms of the server that could not be checked for the user at all (the probe could not tell), with why. */
  roomsNotChecked: { roomId: string; reason: string }[];
  /** Rooms that were to be deleted and are still on the server. */
  purgedRoomsLeft: number;
  /** Rooms found now that the erasure had not recorded (they were checked too, and are counted above). */
  roomsFoundLate: number;
  /** Room tags, account data, pushers, key backups and profile fields still there. */
  traces: { tags: number; accountData: number; pushers: number; keyBackups: number; profileFields: number };
  /** Why room tags, key backups and profile fields (which only the user can read) could not be read back; null when they were. */
  tracesUnchecked: string | null;
  /** The public cross-signing keys are still served: no server offers a way to delete them. */
  crossSigning: boolean;
};

/** How an erasure can reach the user's events in one room (room-routes.ts decides it). */
export type RoomRoute =
  /** The server no longer has the room: nothing of it is left here. */
  | { kind: 'gone' }
  /** Nobody here is in the room any more: it is deleted from this server with everything in it. */
  | { kind: 'purge' }
  /** Redacted without anyone joining: as the person (still a member), by the server's task, or by the bot (it has the power). */
  | { kind: 'quiet'; by: 'person' | 'server-task' | 'bot' }
  /** Redacted in a way members see: the bot is made a room admin by `granter` and joins, or the person rejoins a public room. */
  | { kind: 'visible'; how: { by: 'bot-made-admin'; granter: string } | { by: 'person-rejoins' } }
  /** Nobody here can redact there. */
  | { kind: 'cannot'; reason: string };

export type RoomPlan = {
  roomId: string;
  route: RoomRoute;
  /**
   * Where the server's task redacts the person's messages in a room they left, what their other
   * events there (reactions, stickers, a profile change) need; null where the route covers all.
   */
  leftovers: RoomRoute | null;
};

/** Every room of the user an erasure found, and the rooms of the server it could not check. */
export type RoomsFound = { rooms: Membership[]; unchecked: { roomId: string; reason: string }[] };

/** How an erasure reaches the user's events in one room (room-routes.ts), and the other servers there (Art. 19). */
export type PlannedRoom = RoomPlan & { servers: string[] | null };

/** Room deletion: done, already gone, or refused with why. */
export type PurgeOutcome = 'purged' | 'gone' | { refused: string };

/** What the traces step removed: room tags, account data, pushers, key backups, profile fields. */
export type TracesRemoved = ReadBack['traces'];

/** Where the admin-room deactivation stands between runs (Tuwunel): the command's event ID once sent. */
export type AdminCommandResume = { sent: string | null; save(sent: string): void };

/**
 * What an erasure asks of the server (erasure-operations.ts). Each operation is idempotent:
 * a step interrupted by a crash runs again and ends in the same place, without repeating
 * what the server already did.
 */
export interface ErasureOperations {
  /**
   * Every room the user is or was in: every list the server offers and a probe of its whole
   * room list (room-discovery.ts). Throws (unsupported) where the rooms they left cannot be listed.
   */
  allRooms(userId: string, onProgress?: (checked: number, total: number) => void): Promise<RoomsFound>;
  /** How each room will be reached, and which other servers were in it, before anything runs. */
  planRooms(userId: string, roomIds: readonly string[]): Promise<PlannedRoom[]>;
  /**
   * Clears the display name and avatar (read back). Run while the user is still in their rooms,
   * before the redaction: the membership events that carry each change are redacted with the
   * rest, where deactivation would write them after the user is gone.
   */
  clearProfile(userId: string): Promise<'cleared' | 'nothing-set'>;
  /** Deletes a room nobody here is in any more, with everything in it (room-purge.ts). */
  purgeRoom(roomId: string): Promise<PurgeOutcome>;
  /** Lifts the user's rate limits while the bot redacts as them (Synapse); false where the server has no override. */
  liftRateLimits(userId: string): Promise<boolean>;
  /** Gives the user the server's default rate limits back (and forgets the override). */
  restoreRateLimits(userId: string): Promise<void>;
  /** Redacts every event of the user that carries content, in these rooms (redaction.ts). */
  redactEvents(
    userId: string,
    roomIds: readonly string[],
    resume: RedactionResume,
    options: { serverTask: boolean; taskRooms?: readonly string[] },
  ): Promise<RedactionResult>;
  /** Deletes uploads until none is left (read back); how many went. */
  deleteAllMedia(userId: string): Promise<number>;
  /** Removes email addresses and phone numbers (read back); how many went. */
  removeThreepids(userId: string): Promise<number>;
  /** Removes room tags, account data, pushers, key backups and extra profile fields, in these rooms too (erasure-traces.ts). */
  eraseTraces(userId: string, roomIds: readonly string[]): Promise<TracesRemoved>;
  /** Deactivates, with the erased marker unless the server's marker would hide the user's events from the read-back; unless it already is. */
  deactivate(userId: string): Promise<'deactivated' | 'already'>;
  /** Sets the erased marker where deactivation left it for last (Tuwunel), and reads it back. */
  markErased(userId: string): Promise<'marked' | 'already'>;
  /** Leaves every room and clears the profile, where deactivation does not (Tuwunel's admin command, waited for across restarts). */
  leaveRoomsAndClearProfile(userId: string, resume: AdminCommandResume): Promise<'done' | 'nothing-left'>;
  /** Reads everything back: the rooms recorded, any found now, the rooms deleted, the traces. */
  readBack(userId: string, rooms: { recorded: readonly string[]; purged: readonly string[] }): Promise<ReadBack>;
  /** Redacts the bot's own admin-room commands that name the user (Tuwunel's #admins); how many, and how many it could not. */
  forgetAdminCommands(userId: string): Promise<{ redacted: number; refused: number }>;
}

/** A value the bot works with, and the record exactly as the server stores it (exports show what exists, never less). */
export type Stored<T> = { value: T; stored: JsonValue };

export const RoomDetails = z.object({
  roomId: z.string(),
  /** Names, aliases and topics are set by room members: never trusted, always escaped. */
  name: z.string().nullable(),
  canonicalAlias: z.string().nullable(),
  topic: z.string().nullable(),
  /** Whether messages there are end-to-end encrypted (the server then holds only ciphertext). */
  encrypted: z.boolean(),
});
export type RoomDetails = z.infer<typeof RoomDetails>;

export const UploadedMedia = z.object({
  mxc: z.string(),
  mediaId: z.string(),
  /** As the uploader's app declared it; never trusted for anything but choosing a known file extension. */
  contentType: z.string().nullable(),
  size: z.number().nullable(),
  /** The file name the uploader's app sent: data to show, never a path. */
  uploadName: z.string().nullable(),
  createdAt: z.number().nullable(),
  quarantined: z.boolean(),
});
export type UploadedMedia = z.infer<typeof UploadedMedia>;

/** A download: the bytes as a stream, or why the server can no longer serve the file. */
export type MediaDownload =
  | { available: true; contentType: string | null; length: number | null; body: ReadableStream<Uint8Array> }
  | { available: false; reason: string };

/** A file to upload, read from disk as it is sent. */
export type UploadSource = { path: string; size: number; contentType: string; fileName: string };

export type SentEventsOptions = {
  /** Only these event types (e.g. messages, for counting); every type when absent. */
  types?: string[];
};

export interface Homeserver {
  readonly capabilities: Capabilities;
  /** The admin-room commands, where `capabilities.features.adminRoomCommands` (and the admin API to read back); else null. */
  readonly adminRoom: AdminRoomCommands | null;
  /** What an erasure does on this server; null where the server has no usable admin API. */
  readonly erasure: ErasureOperations | null;
  /** The account data about one user; null when the server has no such user. */
  getAccount(userId: string): Promise<UserAccount | null>;
  /**
   * Current and past memberships from every list the server offers (room-discovery.ts). Rooms
   * left need `memberships` or `loginAs`; `joined` is always there. Rooms the user forgot, or
   * that nobody here is in any more, may need probeRooms.
   */
  getMemberships(userId: string): Promise<Memberships>;
  /** The rooms no other source lists: the server's whole room list, each room not in `known` asked about. */
  probeRooms(userId: string, known: ReadonlySet<string>, options?: ProbeOptions): Promise<RoomProbe>;
  getDevices(userId: string): Promise<Device[]>;
  /** Connections (IP, user agent, time) the server remembers beyond the devices, from whois. */
  getSessions(userId: string): Promise<Availability<Sessions>>;
  getAccountData(userId: string): Promise<AccountDataSummary>;
  getPushers(userId: string): Promise<Pusher[]>;
  getMediaSummary(userId: string): Promise<MediaSummary>;
  getEncryptionKeys(userId: string): Promise<Availability<EncryptionKeys>>;
  /** Messages the user sent in the given rooms, where the server can count them. */
  countMessagesSent(userId: string, roomIds: string[]): Promise<Availability<MessageCount>>;

  // ---- what an export reads: every record whole, page by page ----

  getStoredAccount(userId: string): Promise<Stored<UserAccount> | null>;
  getStoredDevices(userId: string): Promise<Stored<Device[]>>;
  getStoredSessions(userId: string): Promise<Availability<Stored<Session[]>>>;
  /** Contents too, global and per room. */
  getStoredAccountData(userId: string): Promise<Stored<AccountDataSummary>>;
  getStoredPushers(userId: string): Promise<Stored<Pusher[]>>;
  /** Public keys only: the server never holds keys that decrypt messages. */
  getStoredEncryptionKeys(userId: string): Promise<Availability<Stored<EncryptionKeys>>>;
  /** The user's room tags (favourites, low priority, their own), room by room where any: only the user can ask, so through a short login-as. */
  getRoomTags(userId: string, roomIds: readonly string[]): Promise<Availability<{ roomId: string; tags: JsonObject }[]>>;
  /** Profile fields besides the display name and avatar (MSC4133: a time zone, custom keys), as the client profile API serves them. */
  getProfileFields(userId: string): Promise<Availability<JsonObject>>;
  /** The server-side key backup's public description, null when there is none. */
  getKeyBackup(userId: string): Promise<Availability<JsonObject | null>>;
  /** Name, topic, encryption; null when the server does not know the room. */
  getRoomDetails(roomId: string): Promise<RoomDetails | null>;
  /**
   * The other servers that had members in the room (Art. 19 recipients); null where the server
   * cannot tell. `asUser`: a user who was in the room, to read it as them where no admin API can.
   */
  roomServers(roomId: string, asUser?: string): Promise<string[] | null>;
  /** The user's current m.room.member event in the room (whoever sent it), or null. */
  getMemberEvent(roomId: string, userId: string): Promise<StoredEvent | null>;
  /**
   * Every event the user sent in the room, newest first, a page at a time, each page fetched
   * once. Throws a HomeserverError: `unsupported` where no way to read them exists,
   * `forbidden`/`not-found` from the messages endpoint where this room cannot be read.
   */
  sentEvents(userId: string, roomId: string, options?: SentEventsOptions): AsyncIterable<StoredEvent[]>;
  /** The user's uploads, oldest first, a page at a time. */
  uploadedMedia(userId: string): AsyncIterable<Stored<UploadedMedia>[]>;
  /** Streams a file from the media repository (mxc://server/id). */
  downloadMedia(mxc: string, signal?: AbortSignal): Promise<MediaDownload>;

  // ---- delivery ----

  /** The largest upload the server accepts (`m.upload.size`), null when it does not say. */
  getUploadLimit(): Promise<number | null>;
  /** Uploads a file as the bot, streamed from disk; answers its mxc:// URI. */
  uploadFile(file: UploadSource, signal?: AbortSignal): Promise<string>;
  /** Deletes an upload for good: 'gone' when it was already gone. */
  deleteUpload(mxc: string): Promise<'deleted' | 'gone'>;
}
