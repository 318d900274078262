// Pure mappings from raw server answers (schemas.ts) to the bot's domain types (homeserver.ts).
// Every server quirk that changes a value, rather than a shape, is settled here.
import type { AccountDataSummary, Device, EncryptionKeys, MediaSummary, Membership, Pusher, Session, Sessions, UserAccount } from './homeserver.ts';
import type { ListedRoom } from './room-discovery.ts';
import type { AccountData, AdminDevices, AdminUser, KeysQuery, Pushers, RoomList, SyncRooms, Whois } from './schemas.ts';
import type { EventPage, StoredMediaPage as MediaPage } from './stored-schemas.ts';

/**
 * Account creation time in ms. Synapse's admin user object gives seconds (1.67 and the current
 * docs alike) while its user list gives ms; Tuwunel gives 0 (unknown). Values below 1e11 cannot
 * be ms of any real account (that would be 1973), so they are taken as seconds.
 */
export function creationTimeMs(value: number | null | undefined): number | null {
  if (value === null || value === undefined || value <= 0) return null;
  return value < 1e11 ? value * 1000 : value;
}

export function toUserAccount(raw: AdminUser): UserAccount {
  return {
    userId: raw.name,
    displayName: raw.displayname ?? null,
    avatarUrl: raw.avatar_url ?? null,
    admin: raw.admin ?? false,
    deactivated: raw.deactivated ?? false,
    erased: raw.erased ?? null,
    createdAt: creationTimeMs(raw.creation_ts),
    hasPasswordHash: raw.password_hash ?? null,
    emails: (raw.threepids ?? []).filter((t) => t.medium === 'email').map((t) => t.address),
    phoneNumbers: (raw.threepids ?? []).filter((t) => t.medium === 'msisdn').map((t) => t.address),
    externalIds: (raw.external_ids ?? []).map((e) => ({ authProvider: e.auth_provider, externalId: e.external_id })),
    userType: raw.user_type ?? null,
    locked: raw.locked ?? null,
    suspended: raw.suspended ?? null,
    lastSeenAt: raw.last_seen_ts && raw.last_seen_ts > 0 ? raw.last_seen_ts : null,
  };
}

export function toDevices(raw: AdminDevices): Device[] {
  return raw.devices.map((d) => ({
    deviceId: d.device_id,
    displayName: d.display_name ?? null,
    lastSeenAt: d.last_seen_ts ?? null,
    lastSeenIp: d.last_seen_ip ?? null,
    lastSeenUserAgent: d.last_seen_user_agent ?? null,
  }));
}

/**
 * A whois that is a connection log. Synapse groups every connection under the device key ""
 * (so no device is known: null); a server that keys by device gets one Session per device.
 * Entries without a single connection (Synapse answers that for users who do not exist) are
 * left out.
 */
export function toSessions(raw: Whois): Extract<Sessions, { kept: 'connection-log' }> {
  return { kept: 'connection-log', sessions: toSessionList(raw) };
}

function toSessionList(raw: Whois): Session[] {
  return Object.entries(raw.devices)
    .map(([key, device]) => ({
      deviceId: key === '' ? null : key,
      connections: device.sessions.flatMap((s) =>
        s.connections.map((c) => ({ ip: c.ip ?? null, lastSeenAt: c.last_seen ?? null, userAgent: c.user_agent ?? null })),
      ),
    }))
    .filter((session) => session.connections.length > 0);
}

/** Types only: the contents of account data are never looked at. */
export function toAccountDataSummary(raw: AccountData): AccountDataSummary {
  return {
    globalTypes: Object.keys(raw.account_data.global),
    rooms: Object.entries(raw.account_data.rooms)
      .map(([roomId, types]) => ({ roomId, types: Object.keys(types) }))
      .filter((room) => room.types.length > 0),
  };
}

export function toPushers(raw: Pushers): Pusher[] {
  return raw.pushers.map((p) => ({
    kind: p.kind,
    appId: p.app_id,
    appDisplayName: p.app_display_name ?? null,
    deviceDisplayName: p.device_display_name ?? null,
    lang: p.lang ?? null,
    gatewayUrl: p.data?.url ?? null,
  }));
}

const MEMBERSHIPS: ReadonlySet<string> = new Set(['join', 'leave', 'invite', 'ban', 'knock']);

function isMembership(value: string): value is Membership['membership'] {
  return MEMBERSHIPS.has(value);
}

export function joinedMemberships(roomIds: readonly string[]): Membership[] {
  return roomIds.map((roomId) => ({ roomId, membership: 'join' }));
}

/** The /memberships map ({roomId: membership}); values this bot does not know are skipped. */
export function membershipsFromMap(map: Readonly<Record<string, string>>): Membership[] {
  return Object.entries(map).flatMap(([roomId, membership]) => (isMembership(membership) ? [{ roomId, membership }] : []));
}

/**
 * Rooms left (including kicks and bans: sync puts them all under `leave`) and pending invites,
 * from a login-as sync with include_leave. Rooms the user "forgot" are not in it.
 */
export function membershipsFromSync(raw: SyncRooms): Membership[] {
  const left = Object.keys(raw.rooms?.leave ?? {}).map((roomId): Membership => ({ roomId, membership: 'leave' }));
  const invited = Object.keys(raw.rooms?.invite ?? {}).map((roomId): Membership => ({ roomId, membership: 'invite' }));
  return [...left, ...invited];
}

/**
 * Who was ever a member of a room, from member events (state or timeline): joins, and leaves and
 * bans, which follow a join unless they end an invite (a refused invite counts too: its server
 * heard of the room). Invites alone are left out: nothing of the room went to the invitee's server.
 */
export function memberIdsOf(events: readonly { type: string; state_key?: string | null | undefined; content?: unknown }[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type !== 'm.room.member' || typeof event.state_key !== 'string') continue;
    const membership = (event.content as { membership?: unknown } | undefined)?.membership;
    if (membership !== 'invite') ids.add(event.state_key);
  }
  return [...ids];
}

/** The servers of these user IDs, other than our own, sorted. */
export function otherServers(userIds: readonly string[], ownServer: string): string[] {
  const servers = new Set(userIds.map((id) => id.slice(id.indexOf(':') + 1)).filter((server) => server !== '' && server !== ownServer));
  return [...servers].sort();
}

/** A room of the server's room list, as the probe reads it. */
export function toListedRoom(raw: RoomList['rooms'][number]): ListedRoom {
  return { roomId: raw.room_id, joinedLocalMembers: raw.joined_local_members ?? null, creator: raw.creator ?? null };
}

/** Presence only: which devices have keys, and whether a cross-signing master key exists. */
export function toEncryptionKeys(raw: KeysQuery, userId: string): EncryptionKeys {
  return {
    devicesWithKeys: Object.keys(raw.device_keys?.[userId] ?? {}),
    crossSigning: raw.master_keys?.[userId] !== undefined && raw.master_keys[userId] !== null,
  };
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(['m.room.message', 'm.room.encrypted']);

/** Messages (plain or encrypted, redacted ones included) sent by the user in one page. */
export function countSentMessages(page: Pick<EventPage, 'chunk'>, userId: string): number {
  return page.chunk.filter((event) => event.sender === userId && MESSAGE_TYPES.has(event.type)).length;
}

export function addMediaPage(summary: MediaSummary, page: MediaPage): MediaSummary {
  return {
    count: summary.count + page.media.length,
    totalBytes: summary.totalBytes + page.media.reduce((sum, m) => sum + (m.media_length ?? 0), 0),
  };
}

/** The `from` of the next media page, or null when there is none or it was already fetched. */
export function nextMediaFrom(page: MediaPage, fetched: ReadonlySet<string>): string | null {
  if (page.media.length === 0 || page.next_token === null || page.next_token === undefined) return null;
  const next = String(page.next_token);
  return fetched.has(next) ? null : next;
}
