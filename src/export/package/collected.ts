// Everything an export gathered about one user, before it is written out.
import type {
  AccountDataSummary,
  Availability,
  Device,
  EncryptionKeys,
  JsonObject,
  Memberships,
  Pusher,
  Session,
  Stored,
  StoredEvent,
  UserAccount,
} from '../../homeserver/homeserver.ts';
import type { Inventory } from '../../inventory/inventory.ts';
import type { MediaEntry } from './media-files.ts';
import type { RoomMessages } from './room-messages.ts';

export type ExportedRoom = RoomMessages & {
  /** The user's membership now: join, leave, invite, ban, knock. */
  membership: string;
  /** Every m.room.member event about the user found, oldest first (theirs, and the last one by others). */
  membershipHistory: StoredEvent[];
  /** The other servers that had members in the room (they received what the user sent there); null where the server cannot tell. */
  servers: string[] | null;
};

export type Collected = {
  userId: string;
  serverName: string;
  generatedAt: number;
  account: Stored<UserAccount>;
  memberships: Memberships;
  devices: Stored<Device[]>;
  sessions: Availability<Stored<Session[]>>;
  accountData: Stored<AccountDataSummary>;
  pushers: Stored<Pusher[]>;
  keys: Availability<Stored<EncryptionKeys>>;
  keyBackup: Availability<JsonObject | null>;
  rooms: ExportedRoom[];
  media: MediaEntry[];
  /** Room tags, room by room (favourites, low priority, their own): apart from account data on Synapse. */
  roomTags: Availability<{ roomId: string; tags: JsonObject }[]>;
  /** Profile fields besides the display name and avatar (a time zone, custom keys). */
  profileFields: Availability<JsonObject>;
  /** Rooms of the server that could not be checked for the user (with why), and how many the bounded probe did not ask about. */
  roomsNotChecked: { rooms: { roomId: string; reason: string }[]; notAskedAbout: number };
};

const value = <T>(a: Availability<Stored<T>>): Availability<T> => (a.available ? { available: true, value: a.value.value } : a);

/** The same facts !whatdoyouhave shows, so that the package's summary and the chat answer agree. */
export function inventoryOf(c: Collected): Inventory {
  const readable = c.rooms.filter((r) => r.unavailable === null);
  // Where not one room could be read, the count is unknown rather than zero.
  const unreadable = readable.length === 0 ? c.rooms.find((r) => r.unavailable !== null) : undefined;
  return {
    userId: c.userId,
    collectedAt: c.generatedAt,
    account: c.account.value,
    memberships: c.memberships,
    devices: c.devices.value,
    // The package holds the connection log where the server keeps one; elsewhere each device's last connection is with the devices.
    sessions: c.sessions.available
      ? { available: true, value: { kept: 'connection-log', sessions: c.sessions.value.value } }
      : { available: true, value: { kept: 'last-seen-per-device' } },
    accountData: c.accountData.value,
    pushers: c.pushers.value,
    media: {
      count: c.media.filter((m) => m.origin === 'upload').length,
      totalBytes: c.media.filter((m) => m.origin === 'upload').reduce((sum, m) => sum + (m.media.size ?? m.file?.size ?? 0), 0),
    },
    encryptionKeys: value(c.keys),
    messages:
      unreadable !== undefined
        ? { available: false, reason: unreadable.unavailable! }
        : { available: true, value: { count: readable.reduce((sum, r) => sum + r.messages, 0), roomsSearched: readable.length } },
    recipients: recipientsOf(c.rooms),
  };
}

/** The rooms shared with other servers, room by room, as the export found them. */
function recipientsOf(rooms: readonly ExportedRoom[]): Inventory['recipients'] {
  const unknown = rooms.filter((r) => r.servers === null).length;
  if (unknown > 0)
    return { available: false, reason: `this server cannot tell which other servers were in ${unknown} of your rooms; the privacy contact can find out` };
  return { available: true, value: rooms.flatMap((r) => (r.servers !== null && r.servers.length > 0 ? [{ roomId: r.roomId, servers: r.servers }] : [])) };
}
