// The in-memory world of the test homeserver: users, devices, tokens, rooms
// with their timelines, media, account data and pushers. Everything is
// synchronous so that a test can seed a world in a few lines; the HTTP layer
// (server.ts) only reads and writes through these methods.
//
// Time: every change takes the next position on one global stream (`pos`).
// Sync tokens are stream positions; a long-polling sync wakes up when the
// model emits 'change'.
import { EventEmitter } from 'node:events';
import { EndToEndKeys } from './e2ee-keys.ts';
import type { JsonObject, MatrixEvent, StoredEvent } from './events.ts';
import { syncEvent, updatedRedactionRules } from './events.ts';
import type { GeneratedBytes } from './generated-media.ts';
import { newAccessToken, newDeviceId, newEventId, newMediaId, newRoomId } from './ids.ts';

export type { JsonObject, MatrixEvent, StoredEvent } from './events.ts';

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock';

export interface Device {
  deviceId: string;
  displayName: string | null;
  lastSeenIp: string | null;
  lastSeenUserAgent: string | null;
  lastSeenAt: number | null;
  /** Whether the device uploaded end-to-end identity keys (keys/query shows it). */
  hasKeys: boolean;
}

export interface DeviceSeed {
  deviceId: string;
  displayName?: string;
  lastSeenIp?: string;
  lastSeenUserAgent?: string;
  lastSeenAt?: number;
  hasKeys?: boolean;
}

export interface UserSeed {
  localpart: string;
  displayName?: string;
  avatarUrl?: string;
  admin?: boolean;
  emails?: string[];
  /** Milliseconds since the epoch. */
  createdAt?: number;
  devices?: DeviceSeed[];
  crossSigning?: boolean;
  deactivated?: boolean;
  /** Enables POST /login with m.login.password. */
  password?: string;
  /** Profile keys besides the display name and avatar (MSC4133, e.g. {"m.tz": "Europe/Bucharest"}). */
  profile?: JsonObject;
}

export interface Email {
  address: string;
  addedAt: number;
  validatedAt: number;
}

/** A pusher in the client-API shape (POST /pushers/set). */
export interface Pusher {
  kind: string;
  app_id: string;
  pushkey: string;
  app_display_name: string;
  device_display_name: string;
  profile_tag?: string;
  lang: string;
  data: JsonObject;
  /** The device whose token set it (Tuwunel removes a device's pushers with the device); absent when seeded. */
  deviceId?: string | null;
}

/** Account data with the stream position it was last written at (sync shows changes). */
interface Versioned {
  content: JsonObject;
  pos: number;
  /** Deleted through MSC3391 (Tuwunel): a tombstone with empty content that only incremental syncs show. */
  deleted?: boolean;
}

export interface UserRecord {
  userId: string;
  localpart: string;
  /** False for users of other servers (federation is simulated). */
  local: boolean;
  displayName: string | null;
  avatarUrl: string | null;
  admin: boolean;
  emails: Email[];
  createdAt: number;
  password: string | null;
  deactivated: boolean;
  /** Stream position at which the user was erased, or null. */
  erasedAt: number | null;
  crossSigning: boolean;
  devices: Map<string, Device>;
  accountData: Map<string, Versioned>;
  roomAccountData: Map<string, Map<string, Versioned>>;
  /** Room tags (m.tag in sync), kept apart from room account data as Synapse does. */
  tags: Map<string, Versioned>;
  pushers: Pusher[];
  filters: JsonObject[];
  /** Profile keys besides the display name and avatar. */
  profileFields: Map<string, unknown>;
  /** Rooms the user left and then forgot (POST /rooms/{r}/forget); a new membership brings one back. */
  forgotten: Set<string>;
  /** The server-side key backup (GET /room_keys/version), if the user made one. */
  keyBackup?: KeyBackup;
  /** Uploaded cross-signing keys by usage (master, self_signing, user_signing), as uploaded. */
  crossSigningKeys: Map<string, JsonObject>;
  /** Synapse 1.150+ deleted the profile row at erasure: the client profile API answers 404. */
  profileDeleted: boolean;
}

/** What GET /_matrix/client/v3/room_keys/version answers: public parts only. */
export interface KeyBackup {
  algorithm: string;
  auth_data: JsonObject;
  count: number;
  etag: string;
  version: string;
}

export interface TokenRecord {
  token: string;
  userId: string;
  /** null for Synapse's login-as (puppet) tokens, which create no device. */
  deviceId: string | null;
  validUntil: number | null;
  /** The admin a login-as token was made for (Synapse's authenticated entity); absent for the user's own tokens. */
  puppetedBy?: string;
}

/** A per-user rate-limit override (Synapse's ratelimit_override table); 0 messages per second: no limit. */
export interface RateLimitOverride {
  messagesPerSecond: number;
  burstCount: number;
}

export interface RoomRecord {
  roomId: string;
  version: string;
  creator: string;
  events: StoredEvent[];
  /** Current state: "type\u0000stateKey" -> event. */
  state: Map<string, StoredEvent>;
  /** Read receipts: userId -> event ID, for unread_notifications. */
  receipts: Map<string, string>;
  /** Who is typing now, and the stream position of the last change (sync's ephemeral m.typing). */
  typing: { userIds: string[]; pos: number };
}

export interface MediaRecord {
  mediaId: string;
  serverName: string;
  userId: string;
  contentType: string;
  bytes: Buffer;
  filename: string | null;
  createdAt: number;
  /** Made on download (benchmarks); `bytes` is then empty. */
  generated?: GeneratedBytes;
  /** Quarantined by this admin: still listed, no longer downloadable. */
  quarantinedBy?: string;
}

/** A media file's size, whether its bytes are stored or generated. */
export const mediaLength = (m: MediaRecord): number => m.generated?.length ?? m.bytes.length;

export interface CreateRoomOptions {
  name?: string;
  topic?: string;
  /** Localpart of the alias: gives #alias:server. */
  alias?: string;
  invite?: string[];
  isDirect?: boolean;
  encrypted?: boolean;
  /** private_chat (default), trusted_private_chat or public_chat. */
  preset?: string;
  /** Extra m.room.create content, e.g. {"m.federate": true}. */
  creationContent?: JsonObject;
  initialState?: Array<{ type: string; state_key?: string; content: JsonObject }>;
  ts?: number;
}

export interface SendOptions {
  stateKey?: string;
  ts?: number;
  redacts?: string;
  /**
   * Sent through an endpoint with a transaction ID; `key` says which earlier sends it
   * repeats (transactions.ts), by default the same token and transaction ID in this room.
   */
  txn?: { token: string; txnId: string; key?: string };
}

export type RoomEvent = MatrixEvent & { room_id: string };

const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

export class HomeserverModel {
  readonly serverName: string;
  /** The last position taken on the global stream. */
  pos = 1;
  readonly users = new Map<string, UserRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly rooms = new Map<string, RoomRecord>();
  readonly aliases = new Map<string, string>();
  readonly media = new Map<string, MediaRecord>();
  /** Per-user rate-limit overrides (POST /_synapse/admin/v1/users/{u}/override_ratelimit). */
  readonly rateLimitOverrides = new Map<string, RateLimitOverride>();
  /** Tuwunel only: the admin room and the server user (set by tuwunel-admin-room.ts). */
  adminRoomId: string | null = null;
  serverUserId: string | null = null;
  /** 'change' (anything, for sync), 'event' (StoredEvent), 'user' (UserRecord added). */
  readonly emitter = new EventEmitter();
  /** Uploaded end-to-end keys and to-device inboxes (e2ee-keys.ts). */
  readonly e2ee = new EndToEndKeys(() => this.bump());
  private readonly txnCache = new Map<string, string>();

  /** The version of rooms created here: Synapse 1.67's 9, current Synapse's and Tuwunel's 11. */
  readonly roomVersion: string;

  constructor(serverName: string, roomVersion = '9') {
    this.serverName = serverName;
    this.roomVersion = roomVersion;
    this.emitter.setMaxListeners(0);
  }

  /** Takes the next stream position and wakes long-polling syncs. */
  private bump(): number {
    this.pos += 1;
    queueMicrotask(() => this.emitter.emit('change'));
    return this.pos;
  }

  // ---- users, devices, tokens ----

  addUser(seed: UserSeed): { userId: string; accessToken: string } {
    const userId = `@${seed.localpart}:${this.serverName}`;
    if (this.users.has(userId)) throw new Error(`user ${userId} already exists`);
    const createdAt = seed.createdAt ?? Date.now();
    const user: UserRecord = {
      userId,
      localpart: seed.localpart,
      local: true,
      // Synapse sets the display name to the localpart at registration.
      displayName: seed.displayName ?? seed.localpart,
      avatarUrl: seed.avatarUrl ?? null,
      admin: seed.admin ?? false,
      emails: (seed.emails ?? []).map((address) => ({ address, addedAt: createdAt, validatedAt: createdAt })),
      createdAt,
      password: seed.password ?? null,
      deactivated: false,
      erasedAt: null,
      crossSigning: seed.crossSigning ?? false,
      devices: new Map(),
      accountData: new Map(),
      roomAccountData: new Map(),
      tags: new Map(),
      pushers: [],
      filters: [],
      profileFields: new Map(Object.entries(seed.profile ?? {})),
      forgotten: new Set(),
      crossSigningKeys: new Map(),
      profileDeleted: false,
    };
    for (const d of seed.devices ?? []) {
      user.devices.set(d.deviceId, {
        deviceId: d.deviceId,
        displayName: d.displayName ?? null,
        lastSeenIp: d.lastSeenIp ?? null,
        lastSeenUserAgent: d.lastSeenUserAgent ?? null,
        lastSeenAt: d.lastSeenAt ?? null,
        hasKeys: d.hasKeys ?? false,
      });
    }
    this.users.set(userId, user);
    const { accessToken } = this.login(userId);
    if (seed.deactivated) {
      user.deactivated = true;
      this.removeDevicesAndTokens(userId);
    }
    this.emitter.emit('user', user);
    return { userId, accessToken };
  }

  /** A user of another server: can be in rooms and send events, has no devices here. */
  addRemoteUser(userId: string): void {
    const localpart = userId.slice(1, userId.indexOf(':'));
    this.users.set(userId, {
      userId,
      localpart,
      local: false,
      displayName: localpart,
      avatarUrl: null,
      admin: false,
      emails: [],
      createdAt: Date.now(),
      password: null,
      deactivated: false,
      erasedAt: null,
      crossSigning: false,
      devices: new Map(),
      accountData: new Map(),
      roomAccountData: new Map(),
      tags: new Map(),
      pushers: [],
      filters: [],
      profileFields: new Map(),
      forgotten: new Set(),
      crossSigningKeys: new Map(),
      profileDeleted: false,
    });
  }

  user(userId: string): UserRecord | undefined {
    return this.users.get(userId);
  }

  localUser(userId: string): UserRecord | undefined {
    const user = this.users.get(userId);
    return user?.local ? user : undefined;
  }

  private requireUser(userId: string): UserRecord {
    const user = this.users.get(userId);
    if (!user) throw new Error(`no such user ${userId}`);
    return user;
  }

  /** Like a password login: a new device and a token for it. */
  login(userId: string, deviceDisplayName: string | null = null, deviceId?: string): { accessToken: string; deviceId: string } {
    const user = this.requireUser(userId);
    const id = deviceId ?? newDeviceId();
    if (!user.devices.has(id)) {
      user.devices.set(id, {
        deviceId: id,
        displayName: deviceDisplayName,
        lastSeenIp: null,
        lastSeenUserAgent: null,
        lastSeenAt: null,
        hasKeys: false,
      });
    }
    const accessToken = newAccessToken(user.localpart);
    this.tokens.set(accessToken, { token: accessToken, userId, deviceId: id, validUntil: null });
    return { accessToken, deviceId: id };
  }

  /**
   * Admin login-as: on Synapse a token without a device; given a device name (Tuwunel's
   * "Admin login"), a token for a new device the user can see, last seen now, with no IP.
   */
  loginAs(userId: string, validUntil: number | null = null, deviceName: string | null = null, by?: string): string {
    const user = this.requireUser(userId);
    const token = newAccessToken(user.localpart);
    let deviceId: string | null = null;
    if (deviceName !== null) {
      deviceId = newDeviceId();
      user.devices.set(deviceId, {
        deviceId,
        displayName: deviceName,
        lastSeenIp: null,
        lastSeenUserAgent: null,
        lastSeenAt: Date.now(),
        hasKeys: false,
      });
    }
    this.tokens.set(token, { token, userId, deviceId, validUntil, ...(by === undefined ? {} : { puppetedBy: by }) });
    return token;
  }

  /** The token's record if it is still valid, else undefined. */
  tokenInfo(token: string): TokenRecord | undefined {
    const rec = this.tokens.get(token);
    if (!rec) return undefined;
    if (rec.validUntil !== null && Date.now() >= rec.validUntil) return undefined;
    return rec;
  }

  logout(token: string): void {
    const rec = this.tokens.get(token);
    if (!rec) return;
    this.tokens.delete(token);
    if (rec.deviceId && this.users.get(rec.userId)?.devices.delete(rec.deviceId)) this.e2ee.forgetDevice(rec.userId, rec.deviceId);
  }

  /** Records a request seen from a device, as Synapse's user_ips does. */
  touchDevice(rec: TokenRecord, ip: string, userAgent: string | null): void {
    if (!rec.deviceId) return;
    const device = this.users.get(rec.userId)?.devices.get(rec.deviceId);
    if (!device) return;
    device.lastSeenIp = ip;
    device.lastSeenUserAgent = userAgent;
    device.lastSeenAt = Date.now();
  }

  /** Removes one device and its tokens (admin DELETE device); false when there was none. */
  removeDevice(userId: string, deviceId: string): boolean {
    for (const [token, rec] of this.tokens) if (rec.userId === userId && rec.deviceId === deviceId) this.tokens.delete(token);
    return this.users.get(userId)?.devices.delete(deviceId) ?? false;
  }

  removeDevicesAndTokens(userId: string): void {
    for (const deviceId of this.users.get(userId)?.devices.keys() ?? []) this.e2ee.forgetDevice(userId, deviceId);
    this.users.get(userId)?.devices.clear();
    for (const [token, rec] of this.tokens) if (rec.userId === userId) this.tokens.delete(token);
  }

  // ---- profile ----

  /** Changes the profile and, like Synapse, sends a member event in every joined room. */
  setProfile(userId: string, change: { displayName?: string | null; avatarUrl?: string | null }): void {
    const user = this.requireUser(userId);
    if (change.displayName !== undefined) user.displayName = change.displayName;
    if (change.avatarUrl !== undefined) user.avatarUrl = change.avatarUrl;
    for (const { roomId, membership } of this.memberships(userId)) {
      if (membership === 'join') this.sendEvent(roomId, userId, 'm.room.member', this.memberContent(userId, 'join'), { stateKey: userId });
    }
  }

  private memberContent(userId: string, membership: Membership, extra: JsonObject = {}): JsonObject {
    const user = this.users.get(userId);
    const content: JsonObject = { ...extra, membership };
    if (membership === 'join' || membership === 'invite') {
      if (user?.displayName) content['displayname'] = user.displayName;
      if (user?.avatarUrl) content['avatar_url'] = user.avatarUrl;
    }
    return content;
  }

  // ---- rooms and events ----

  room(roomId: string): RoomRecord | undefined {
    return this.rooms.get(roomId);
  }

  private requireRoom(roomId: string): RoomRecord {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`no such room ${roomId}`);
    return room;
  }

  /** Creates a room with the events Synapse 1.67's createRoom sends, in its order. */
  createRoom(creator: string, opts: CreateRoomOptions = {}): string {
    const roomId = newRoomId(this.serverName);
    this.rooms.set(roomId, {
      roomId,
      version: this.roomVersion,
      creator,
      events: [],
      state: new Map(),
      receipts: new Map(),
      typing: { userIds: [], pos: 0 },
    });
    const preset = opts.preset ?? (opts.isDirect ? 'trusted_private_chat' : 'private_chat');
    const invitees = opts.invite ?? [];
    const ts = opts.ts;
    const state = (type: string, content: JsonObject, stateKey = ''): void => {
      this.sendEvent(roomId, creator, type, content, ts === undefined ? { stateKey } : { stateKey, ts });
    };
    // Room version 11 drops `creator` from the create event: the sender is the creator.
    state(
      'm.room.create',
      updatedRedactionRules(this.roomVersion)
        ? { ...opts.creationContent, room_version: this.roomVersion }
        : { ...opts.creationContent, room_version: this.roomVersion, creator },
    );
    state('m.room.member', this.memberContent(creator, 'join'), creator);
    const users: JsonObject = { [creator]: 100 };
    if (preset === 'trusted_private_chat') for (const u of invitees) users[u] = 100;
    state('m.room.power_levels', defaultPowerLevels(users));
    if (opts.alias) {
      const alias = `#${opts.alias}:${this.serverName}`;
      this.aliases.set(alias, roomId);
      state('m.room.canonical_alias', { alias });
    }
    state('m.room.join_rules', { join_rule: preset === 'public_chat' ? 'public' : 'invite' });
    state('m.room.history_visibility', { history_visibility: 'shared' });
    if (preset !== 'public_chat') state('m.room.guest_access', { guest_access: 'can_join' });
    if (opts.encrypted) state('m.room.encryption', { algorithm: 'm.megolm.v1.aes-sha2' });
    for (const s of opts.initialState ?? []) state(s.type, s.content, s.state_key ?? '');
    if (opts.name !== undefined) state('m.room.name', { name: opts.name });
    if (opts.topic !== undefined) state('m.room.topic', { topic: opts.topic });
    for (const target of invitees) this.invite(roomId, creator, target, { isDirect: opts.isDirect ?? false });
    return roomId;
  }

  invite(roomId: string, sender: string, target: string, opts: { isDirect?: boolean } = {}): string {
    // Synapse puts is_direct first in the invite's content.
    const extra: JsonObject = opts.isDirect ? { is_direct: true } : {};
    return this.sendEvent(roomId, sender, 'm.room.member', this.memberContent(target, 'invite', extra), { stateKey: target });
  }

  join(roomId: string, userId: string): string {
    return this.sendEvent(roomId, userId, 'm.room.member', this.memberContent(userId, 'join'), { stateKey: userId });
  }

  /** Asks to join (room version 7+ knocking). */
  knock(roomId: string, userId: string): string {
    return this.sendEvent(roomId, userId, 'm.room.member', { membership: 'knock' }, { stateKey: userId });
  }

  /** Forgets a room the user is no longer in (the client API checks that). */
  forget(roomId: string, userId: string): void {
    this.requireUser(userId).forgotten.add(roomId);
    this.bump();
  }

  leave(roomId: string, userId: string, reason?: string): string {
    const content: JsonObject = { membership: 'leave' };
    if (reason !== undefined) content['reason'] = reason;
    return this.sendEvent(roomId, userId, 'm.room.member', content, { stateKey: userId });
  }

  sendMessage(
    roomId: string,
    sender: string,
    body: string,
    opts: { msgtype?: string; ts?: number; formattedBody?: string; extraContent?: JsonObject } = {},
  ): string {
    const content: JsonObject = { msgtype: opts.msgtype ?? 'm.text', body };
    if (opts.formattedBody !== undefined) {
      content['format'] = 'org.matrix.custom.html';
      content['formatted_body'] = opts.formattedBody;
    }
    Object.assign(content, opts.extraContent);
    return this.sendEvent(roomId, sender, 'm.room.message', content, opts.ts === undefined ? {} : { ts: opts.ts });
  }

  /** Appends an event to a room's timeline; state events also update current state. */
  sendEvent(roomId: string, sender: string, type: string, content: JsonObject, opts: SendOptions = {}): string {
    const room = this.requireRoom(roomId);
    const txnKey = opts.txn && (opts.txn.key ?? `${opts.txn.token}\u0000${roomId}\u0000${opts.txn.txnId}`);
    if (txnKey !== undefined) {
      const cached = this.txnCache.get(txnKey);
      if (cached) return cached;
    }
    const last = room.events[room.events.length - 1];
    const ev: StoredEvent = {
      eventId: newEventId(),
      roomId,
      type,
      sender,
      content,
      stateKey: opts.stateKey,
      redacts: opts.redacts,
      // Keep timelines in time order even when two events share a millisecond.
      ts: opts.ts ?? Math.max(Date.now(), last ? last.ts + 1 : 0),
      pos: this.bump(),
      index: room.events.length,
      roomVersion: room.version,
      replaces: undefined,
      txn: opts.txn && { token: opts.txn.token, txnId: opts.txn.txnId },
      redactedBy: undefined,
    };
    if (opts.stateKey !== undefined) {
      const key = stateKeyOf(type, opts.stateKey);
      ev.replaces = room.state.get(key);
      room.state.set(key, ev);
      // A new membership brings a forgotten room back.
      if (type === 'm.room.member') this.users.get(opts.stateKey)?.forgotten.delete(roomId);
    }
    if (type === 'm.room.redaction' && opts.redacts) {
      const target = room.events.find((e) => e.eventId === opts.redacts);
      if (target && !target.redactedBy) target.redactedBy = ev;
    }
    room.events.push(ev);
    if (txnKey !== undefined) this.txnCache.set(txnKey, ev.eventId);
    this.emitter.emit('event', ev);
    return ev.eventId;
  }

  redact(roomId: string, sender: string, eventId: string, reason?: string, txn?: SendOptions['txn']): string {
    const content: JsonObject = reason === undefined ? {} : { reason };
    // Room version 11 moves `redacts` into the content (it stays at the top level for clients too).
    if (updatedRedactionRules(this.requireRoom(roomId).version)) content['redacts'] = eventId;
    return this.sendEvent(roomId, sender, 'm.room.redaction', content, txn ? { redacts: eventId, txn } : { redacts: eventId });
  }

  /** The user's power level in the room (users, else users_default, else 0). */
  powerLevel(roomId: string, userId: string): number {
    const content = this.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {};
    const users = (content['users'] ?? {}) as JsonObject;
    const level = users[userId] ?? content['users_default'] ?? 0;
    return typeof level === 'number' ? level : 0;
  }

  /**
   * Why `redactor` may not redact the event under the room's rules, or null when it may: it
   * needs the `redact` level, or the level to send m.room.redaction for its own events, and it
   * must be joined (the auth rules refuse events from non-members). Checked in this order, as
   * Tuwunel does (user_can_redact, then the auth check of the new event).
   */
  redactionRefusal(roomId: string, redactor: string, eventId: string): string | null {
    const event = this.findEvent(roomId, eventId);
    const content = this.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {};
    const level = this.powerLevel(roomId, redactor);
    const redactLevel = typeof content['redact'] === 'number' ? content['redact'] : 50;
    const events = (content['events'] ?? {}) as JsonObject;
    const sendLevel = events['m.room.redaction'] ?? content['events_default'] ?? 0;
    const ownEvent = event?.sender === redactor && level >= (typeof sendLevel === 'number' ? sendLevel : 0);
    if (level < redactLevel && !ownEvent) return 'The redactor lacks the redaction power level in this room.';
    if (this.membership(roomId, redactor) !== 'join') return `Auth check failed: ${redactor} is not joined to ${roomId}`;
    return null;
  }

  /**
   * As redactionRefusal, but judged by the state at the redacted event instead of the room's
   * current state: Synapse's redaction task sends each redaction with the redacted event as its
   * only prev event, so the auth rules see the room as it was then (the user was joined when
   * they wrote, whether or not they, or anyone local, are still there).
   */
  redactionRefusalAtEvent(roomId: string, redactor: string, eventId: string): string | null {
    const event = this.findEvent(roomId, eventId);
    if (!event) return null;
    const member = [...this.requireRoom(roomId).events].filter((e) => e.index <= event.index && e.type === 'm.room.member' && e.stateKey === redactor).pop();
    if (member?.content['membership'] !== 'join') return `403: User ${redactor} not in room ${roomId} (None)`;
    const powerLevels = [...this.requireRoom(roomId).events]
      .filter((e) => e.index <= event.index && e.type === 'm.room.power_levels' && e.stateKey === '')
      .pop();
    const content = powerLevels?.content ?? {};
    const users = (content['users'] ?? {}) as JsonObject;
    const levelOf = (u: string): number => {
      const level = users[u] ?? content['users_default'] ?? 0;
      return typeof level === 'number' ? level : 0;
    };
    const events = (content['events'] ?? {}) as JsonObject;
    const sendLevel = events['m.room.redaction'] ?? content['events_default'] ?? 0;
    const redactLevel = typeof content['redact'] === 'number' ? content['redact'] : 50;
    const level = levelOf(redactor);
    if (level < (typeof sendLevel === 'number' ? sendLevel : 0)) return "403: You don't have permission to post that to the room.";
    if (event.sender !== redactor && level < redactLevel) return "403: You don't have permission to redact events";
    return null;
  }

  /** Whether a send under this transaction key would repeat an earlier one. */
  isRetransmission(txnKey: string): boolean {
    return this.txnCache.has(txnKey);
  }

  /**
   * Forgets every transaction ID, as a server does once its retention ends (Synapse:
   * 24 hours) or, for the in-memory part, when it restarts. Sends repeated after this
   * create new events.
   */
  forgetTransactions(): void {
    this.txnCache.clear();
  }

  findEvent(roomId: string, eventId: string): StoredEvent | undefined {
    return this.rooms.get(roomId)?.events.find((e) => e.eventId === eventId);
  }

  stateEvent(roomId: string, type: string, stateKey: string): StoredEvent | undefined {
    return this.rooms.get(roomId)?.state.get(stateKeyOf(type, stateKey));
  }

  /** The full timeline, in order, as clients would see it (with room_id). */
  events(roomId: string): RoomEvent[] {
    const now = Date.now();
    return this.requireRoom(roomId).events.map((e) => ({ ...syncEvent(e, { token: null }, now), room_id: roomId }));
  }

  /** The level an action needs in a room (redact, kick, ban, invite, state_default). */
  requiredLevel(roomId: string, action: 'redact' | 'kick' | 'ban' | 'invite' | 'state_default'): number {
    const content = this.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {};
    const value = content[action];
    return typeof value === 'number' ? value : action === 'invite' ? 0 : 50;
  }

  /** Sets a user's power level, sent as `sender` (who must have enough power: checked by the HTTP layer). */
  setPowerLevel(roomId: string, sender: string, userId: string, level: number): string {
    const content = { ...(this.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {}) };
    content['users'] = { ...((content['users'] ?? {}) as Record<string, number>), [userId]: level };
    return this.sendEvent(roomId, sender, 'm.room.power_levels', content, { stateKey: '' });
  }

  membership(roomId: string, userId: string): Membership | null {
    const ev = this.stateEvent(roomId, 'm.room.member', userId);
    return ev ? (ev.content['membership'] as Membership) : null;
  }

  /** Every room where the user has a membership event, with the current membership. */
  memberships(userId: string): Array<{ roomId: string; membership: Membership }> {
    const out: Array<{ roomId: string; membership: Membership }> = [];
    for (const room of this.rooms.values()) {
      const m = this.membership(room.roomId, userId);
      if (m) out.push({ roomId: room.roomId, membership: m });
    }
    return out;
  }

  joinedRooms(userId: string): string[] {
    return this.memberships(userId)
      .filter((m) => m.membership === 'join')
      .map((m) => m.roomId);
  }

  /** Whether a local user is joined: what a server needs to be "in" the room (and keep its current state, on Synapse). */
  serverInRoom(roomId: string): boolean {
    return this.joinedMembers(roomId).some((u) => this.users.get(u)?.local === true);
  }

  joinedMembers(roomId: string): string[] {
    const out: string[] = [];
    for (const ev of this.requireRoom(roomId).state.values()) {
      if (ev.type === 'm.room.member' && ev.content['membership'] === 'join' && ev.stateKey) out.push(ev.stateKey);
    }
    return out;
  }

  /** The user's membership just after the event at `index` in the room. */
  membershipAt(roomId: string, userId: string, index: number): Membership | null {
    let m: Membership | null = null;
    for (const ev of this.requireRoom(roomId).events) {
      if (ev.index > index) break;
      if (ev.type === 'm.room.member' && ev.stateKey === userId) m = ev.content['membership'] as Membership;
    }
    return m;
  }

  /**
   * Resolves with the first event matching the predicate, including events
   * already sent; rejects after timeoutMs naming what was awaited.
   */
  waitForEvent(predicate: (ev: RoomEvent) => boolean, timeoutMs = 5000, description?: string): Promise<RoomEvent> {
    const toRoomEvent = (e: StoredEvent): RoomEvent => ({ ...syncEvent(e, { token: null }), room_id: e.roomId });
    for (const room of this.rooms.values()) {
      for (const e of room.events) {
        const ev = toRoomEvent(e);
        if (predicate(ev)) return Promise.resolve(ev);
      }
    }
    return new Promise((resolve, reject) => {
      const onEvent = (e: StoredEvent): void => {
        const ev = toRoomEvent(e);
        if (!predicate(ev)) return;
        clearTimeout(timer);
        this.emitter.off('event', onEvent);
        resolve(ev);
      };
      const timer = setTimeout(() => {
        this.emitter.off('event', onEvent);
        const what = description ?? predicate.toString().replace(/\s+/g, ' ').slice(0, 200);
        reject(new Error(`waitForEvent: no event matching ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.emitter.on('event', onEvent);
    });
  }

  // ---- media ----

  uploadMedia(userId: string, file: { contentType: string; bytes: Buffer; filename?: string; createdAt?: number }): string {
    const mediaId = newMediaId();
    this.media.set(mediaId, {
      mediaId,
      serverName: this.serverName,
      userId,
      contentType: file.contentType,
      bytes: file.bytes,
      filename: file.filename ?? null,
      createdAt: file.createdAt ?? Date.now(),
    });
    return `mxc://${this.serverName}/${mediaId}`;
  }

  /** An upload whose bytes are generated on download: big media without the memory. */
  uploadGeneratedMedia(userId: string, file: { contentType: string; length: number; seed?: number; filename?: string; createdAt?: number }): string {
    const uri = this.uploadMedia(userId, {
      contentType: file.contentType,
      bytes: Buffer.alloc(0),
      ...(file.filename ? { filename: file.filename } : {}),
      ...(file.createdAt ? { createdAt: file.createdAt } : {}),
    });
    const record = this.media.get(uri.slice(uri.lastIndexOf('/') + 1))!;
    record.generated = { length: file.length, seed: file.seed ?? this.media.size };
    return uri;
  }

  /** As Synapse's quarantine: the file stays listed but the server no longer serves it. */
  quarantineMedia(mediaId: string, by: string): void {
    const media = this.media.get(mediaId);
    if (!media) throw new Error(`no such media ${mediaId}`);
    media.quarantinedBy = by;
  }

  /** The user's uploads, newest first (the admin API's order). */
  mediaOf(userId: string): MediaRecord[] {
    return [...this.media.values()].filter((m) => m.userId === userId).sort((a, b) => b.createdAt - a.createdAt);
  }

  deleteMedia(mediaId: string): boolean {
    return this.media.delete(mediaId);
  }

  // ---- account data, tags, pushers, receipts ----

  setAccountData(userId: string, type: string, content: JsonObject, roomId?: string): void {
    this.writeAccountData(userId, type, { content, pos: this.bump() }, roomId);
  }

  /**
   * MSC3391's delete (Tuwunel 1.9.0, src/service/account_data/mod.rs): the entry becomes a
   * tombstone with content {}; a GET and an initial sync treat it as absent, an incremental sync
   * shows the empty content, the admin account-data listing shows it as {}.
   */
  deleteAccountData(userId: string, type: string, roomId?: string): void {
    this.writeAccountData(userId, type, { content: {}, pos: this.bump(), deleted: true }, roomId);
  }

  private writeAccountData(userId: string, type: string, entry: Versioned, roomId: string | undefined): void {
    const user = this.requireUser(userId);
    if (roomId === undefined) {
      user.accountData.set(type, entry);
      return;
    }
    let rooms = user.roomAccountData.get(roomId);
    if (!rooms) {
      rooms = new Map();
      user.roomAccountData.set(roomId, rooms);
    }
    rooms.set(type, entry);
  }

  setRoomTag(userId: string, roomId: string, tag: string, content: JsonObject = {}): void {
    const user = this.requireUser(userId);
    const tags = { ...(user.tags.get(roomId)?.content ?? {}), [tag]: content };
    user.tags.set(roomId, { content: tags, pos: this.bump() });
  }

  deleteRoomTag(userId: string, roomId: string, tag: string): void {
    const user = this.requireUser(userId);
    const tags = { ...(user.tags.get(roomId)?.content ?? {}) };
    delete tags[tag];
    user.tags.set(roomId, { content: tags, pos: this.bump() });
  }

  /** Adds or replaces (same app_id + pushkey) a pusher; kind null removes it, as in the spec. */
  addPusher(userId: string, pusher: Pusher | (Omit<Pusher, 'kind'> & { kind: null })): void {
    const user = this.requireUser(userId);
    user.pushers = user.pushers.filter((p) => !(p.app_id === pusher.app_id && p.pushkey === pusher.pushkey));
    if (pusher.kind !== null) user.pushers.push(pusher as Pusher);
  }

  setKeyBackup(userId: string, backup: KeyBackup): void {
    this.requireUser(userId).keyBackup = backup;
  }

  /**
   * Appends `count` text messages from one sender quickly (benchmarks): one event per
   * message as sendEvent makes them, but without waking syncs for each one.
   */
  appendMessages(roomId: string, sender: string, count: number, body: (i: number) => string, startTs = Date.now() - count): void {
    const room = this.requireRoom(roomId);
    let ts = Math.max(startTs, (room.events[room.events.length - 1]?.ts ?? 0) + 1);
    for (let i = 0; i < count; i++) {
      this.pos += 1;
      room.events.push({
        eventId: newEventId(),
        roomId,
        type: 'm.room.message',
        sender,
        content: { msgtype: 'm.text', body: body(i) },
        stateKey: undefined,
        redacts: undefined,
        ts: ts++,
        pos: this.pos,
        index: room.events.length,
        roomVersion: room.version,
        replaces: undefined,
        txn: undefined,
        redactedBy: undefined,
      });
    }
    queueMicrotask(() => this.emitter.emit('change'));
  }

  setReceipt(roomId: string, userId: string, eventId: string): void {
    this.requireRoom(roomId).receipts.set(userId, eventId);
    this.bump();
  }

  /** Starts or stops a typing notification; it ends by itself after timeoutMs. */
  setTyping(roomId: string, userId: string, typing: boolean, timeoutMs = 30000): void {
    const room = this.requireRoom(roomId);
    const others = room.typing.userIds.filter((u) => u !== userId);
    room.typing = { userIds: typing ? [...others, userId] : others, pos: this.bump() };
    if (typing) {
      setTimeout(() => {
        if (room.typing.userIds.includes(userId)) this.setTyping(roomId, userId, false);
      }, timeoutMs).unref();
    }
  }

  // ---- primitives used by deactivation (deactivation.ts composes them per flavour) ----

  markErased(userId: string): void {
    this.requireUser(userId).erasedAt = this.bump();
  }

  /** Removes global and per-room account data; room tags live apart and stay (Synapse's purge_account_data_for_user). */
  clearAccountData(userId: string): void {
    const user = this.requireUser(userId);
    user.accountData.clear();
    user.roomAccountData.clear();
    this.bump();
  }

  /** Leaves every joined room and rejects every pending invite. */
  leaveAllRooms(userId: string): void {
    for (const { roomId, membership } of this.memberships(userId)) {
      if (membership === 'join' || membership === 'invite') this.leave(roomId, userId);
    }
  }

  /**
   * Removes a room and everything stored about it (Synapse's purge_room, Tuwunel's purge): its
   * events and state, its aliases, and each user's room account data, tags and forget mark.
   * Media the room's events pointed at stays.
   */
  purgeRoom(roomId: string): void {
    this.rooms.delete(roomId);
    for (const [alias, target] of this.aliases) if (target === roomId) this.aliases.delete(alias);
    for (const user of this.users.values()) {
      user.roomAccountData.delete(roomId);
      user.tags.delete(roomId);
      user.forgotten.delete(roomId);
    }
    this.bump();
  }

  // ---- Tuwunel admin room ----

  /** An unrelated notice from the server user in the admin room (Tuwunel only). */
  postServerNotice(text: string): string {
    if (!this.adminRoomId || !this.serverUserId) throw new Error('postServerNotice: this flavour has no admin room');
    return this.sendMessage(this.adminRoomId, this.serverUserId, text, { msgtype: 'm.notice' });
  }
}

/** Synapse 1.67's default power levels for a new room. */
function defaultPowerLevels(users: JsonObject): JsonObject {
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
    historical: 100,
  };
}
