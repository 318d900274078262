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
  /** null where the server does not report it (Synapse 1.67). */
  erased: boolean | null;
  /** Rooms the user is still joined to or invited to. */
  roomsStillIn: number;
  media: number;
  devices: number;
  /** Email addresses and phone numbers. */
  threepids: number;
  /** A display name or avatar is still set. */
  profileLeft: boolean;
  /** Events of the user in the recorded rooms whose content anyone could still read. */
  readableEvents: number;
  /** Recorded rooms whose events could not be read back at all. */
  unreadableRooms: number;
};

/**
 * What an erasure asks of the server (erasure-operations.ts). Each operation is idempotent:
 * a step interrupted by a crash runs again and ends in the same place, without repeating
 * what the server already did.
 */
export interface ErasureOperations {
  /** Every room the user is or was in; throws (unsupported) when the rooms they left cannot be listed. */
  allMemberships(userId: string): Promise<Membership[]>;
  /**
   * Clears the display name and avatar (read back). Run while the user is still in their rooms,
   * before the redaction: the membership events that carry each change are redacted with the
   * rest, where deactivation would write them after the user is gone.
   */
  clearProfile(userId: string): Promise<'cleared' | 'nothing-set'>;
  /** Redacts every event of the user that carries content, in these rooms. */
  redactEvents(userId: string, roomIds: readonly string[], resume: RedactionResume): Promise<RedactionResult>;
  /** Deletes uploads until none is left (read back); how many went. */
  deleteAllMedia(userId: string): Promise<number>;
  /** Removes email addresses and phone numbers (read back); how many went. */
  removeThreepids(userId: string): Promise<number>;
  /** Deactivates with erase, unless the account already is. */
  deactivate(userId: string): Promise<'deactivated' | 'already'>;
  /** Leaves every room and clears the profile, where deactivation does not (Tuwunel's admin command). */
  leaveRoomsAndClearProfile(userId: string): Promise<'done' | 'nothing-left'>;
  readBack(userId: string, roomIds: readonly string[]): Promise<ReadBack>;
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
  /** Current and past memberships. Rooms left need `memberships` or `loginAs`; `joined` is always there. */
  getMemberships(userId: string): Promise<Memberships>;
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
  /** The server-side key backup's public description, null when there is none. */
  getKeyBackup(userId: string): Promise<Availability<JsonObject | null>>;
  /** Name, topic, encryption; null when the server does not know the room. */
  getRoomDetails(roomId: string): Promise<RoomDetails | null>;
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
