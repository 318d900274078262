// What differs between the servers the bot meets: version strings, which
// admin endpoints exist, and the quirks of their answers. Handlers ask these
// descriptors instead of testing the flavour name.
import { badJson, MatrixError } from './errors.ts';
import { type RateSettings, SYNAPSE_MESSAGE_RATE } from './message-rate.ts';
import type { TaskStatus } from './task-scheduler.ts';
import type { TransactionScope } from './transactions.ts';

export type Flavour = 'synapse-1.67' | 'synapse' | 'tuwunel';

/** Admin endpoints that not every server has. */
/** makeRoomAdmin covers make_room_admin and the admin join API (Synapse; Tuwunel from 1.8.1). */
export type OptionalAdminEndpoint =
  | 'memberships'
  | 'roomMessages'
  | 'userRedact'
  | 'loginAs'
  | 'makeRoomAdmin'
  | 'anyAdmin'
  | 'register'
  /** GET /v1/scheduled_tasks: Synapse 1.130+, Tuwunel 1.8.1+. */
  | 'scheduledTasks'
  /** GET /v1/fetch_event/{id}: Synapse 1.140+, Tuwunel 1.8.1+. */
  | 'fetchEvent';

export interface FlavourDescriptor {
  flavour: Flavour;
  version: string;
  /** Body of GET /_synapse/admin/v1/server_version. */
  serverVersionBody: Record<string, string>;
  /** Status for unknown paths under /_synapse/admin (Synapse 1.67: 400, others 404). */
  unknownAdminStatus: number;
  /** Synapse (Twisted) answers unknown top-level paths with an HTML page; Tuwunel with JSON. */
  htmlNotFound: boolean;
  /** Twisted sends JSON with Transfer-Encoding: chunked; Tuwunel (hyper) with Content-Length. */
  chunkedJson: boolean;
  /** 0/1 integers instead of booleans in the admin user object (Synapse 1.67). */
  intBooleans: boolean;
  /**
   * How the admin user object is written. 'synapse': every field, null or [] when empty.
   * 'tuwunel': synapse-admin-api's UserDetails, which leaves out empty lists and most absent
   * values but sends consent_ts, last_seen_ts and displayname as null (matrix-construct/tuwunel
   * src/api/client/admin/users/mod.rs, user_details).
   */
  userObject: 'synapse' | 'tuwunel';
  /**
   * The errcode of a 400 for a parameter the server refuses (a remote user where only local
   * ones are allowed, login-as oneself, a redaction already running): Synapse's SynapseError
   * defaults to M_UNKNOWN, Tuwunel says M_INVALID_PARAM.
   */
  badParamErrcode: 'M_UNKNOWN' | 'M_INVALID_PARAM';
  /** erased, locked, suspended, last_seen_ts in the admin user object. */
  extendedUserFields: boolean;
  /** creation_ts in the admin user object is always 0 (Tuwunel). */
  zeroCreationTs: boolean;
  /** Devices carry last_seen_user_agent (not on Tuwunel). */
  deviceUserAgents: boolean;
  /**
   * whois: 'connection-log' (Synapse: every IP and user agent pair under the device key "");
   * 'device-snapshot' (Tuwunel: also under "", but one connection per device with its last IP
   * and time, devices without an IP included: src/api/client/admin/users/whois.rs).
   */
  whois: 'connection-log' | 'device-snapshot';
  /** Login-as mints its token for a new device with this name (Tuwunel: "Admin login"); null: no device. */
  loginAsDeviceName: string | null;
  /** Pushers of a user the server does not know: 404 (Synapse) or 200 and an empty list (Tuwunel). */
  pushersCheckUser: boolean;
  /**
   * /memberships read from Tuwunel's state cache: bans come back as "leave" and forgotten
   * rooms are gone (src/service/rooms/state_cache/mod.rs, user_memberships).
   */
  membershipsFromStateCache: boolean;
  /**
   * Synapse drops a room's current state once no local member is joined any more: the admin
   * /memberships, /state and details read it and see nothing, make_room_admin answers "Server
   * not in room" and no join can get back in, while sync with include_leave and the admin
   * /messages still find the room (measured on Synapse 1.160). Tuwunel keeps the state.
   */
  dropsStateWhenServerLeaves: boolean;
  /** POST /v1/user/{u}/redact and its status, where the servers differ. */
  redaction: {
    /** Tuwunel skips events already redacted; Synapse's skip never fires, so every task redacts everything again. */
    skipsRedacted: boolean;
    /** Each redaction is authorised against the state at the redacted event (Synapse), not the room's current rules (Tuwunel). */
    authorisedAtEvent: boolean;
    /** Which tasks of the same user refuse a new one: Synapse only a running one, Tuwunel a scheduled one too. */
    blockingStatuses: readonly TaskStatus[];
    /** The answer to a body without `rooms`. */
    missingRooms: () => MatrixError;
    /** A negative `limit` is a 400 (Synapse); Tuwunel treats it as the default. */
    refusesNegativeLimit: boolean;
    /** The error of a task that reached a room the server does not know (it fails as a whole there). */
    unknownRoomError: (roomId: string) => string;
    /** The 404 text for an unknown redact ID. */
    unknownTaskError: (redactId: string) => string;
  };
  /** Admin accountdata includes m.tag per room (Tuwunel stores tags as room account data). */
  accountDataIncludesTags: boolean;
  /** GET /_matrix/federation/v1/version answers (1.67 was recorded without a federation listener). */
  federationVersion: boolean;
  /** /_tuwunel/server_version exists (no Tuwunel tag has /_conduwuit/server_version). */
  tuwunelVersionEndpoint: boolean;
  /** Authenticated media under /_matrix/client/v1/media (MSC3916). */
  authenticatedMedia: boolean;
  /**
   * What the unauthenticated /_matrix/media/v3/download does with an upload made on this server:
   * 'serves' it (Synapse 1.67); 'not-found' (Synapse from 1.120, enable_authenticated_media on by
   * default: uploads are marked authenticated and served only under /_matrix/client/v1/media);
   * 'forbidden' (Tuwunel: allow_legacy_media is off by default, 403 for every legacy download).
   */
  legacyMediaDownload: 'serves' | 'not-found' | 'forbidden';
  /**
   * The message rate limit every event a user makes meets (rate-limits.ts, with the
   * `rateLimits: 'synapse-defaults'` option), and the admin override API; null: neither (Tuwunel
   * has no per-user limiter: docs/development/compliance/synapse-admin.md).
   */
  messageRateLimit: RateSettings | null;
  /** Background leave after Synapse's deactivation; null: deactivation leaves no rooms. */
  deactivationLeaveDelayMs: number | null;
  /** Deactivation clears profile, emails and account data (Synapse only). */
  deactivationClearsProfile: boolean;
  /**
   * What else a deactivation (HTTP admin API) removes, per server (deactivation.ts).
   * `keyBackup`: the server-side key backup (current Synapse, measured on 1.160; 1.67 keeps it).
   * `allPushers`: every pusher (Synapse); Tuwunel removes only those tied to a removed device.
   * `profileOnErase`: 'member-events' (Synapse before 1.150: the name and avatar are cleared in
   * every joined room), 'deleted' (1.150+: the profile row and custom fields go, no member events,
   * the client profile answers 404), or 'kept' (Tuwunel's HTTP deactivation).
   */
  deactivationRemoves: { keyBackup: boolean; allPushers: boolean; profileOnErase: 'member-events' | 'deleted' | 'kept' };
  /** Custom profile fields (MSC4133, e.g. m.tz) through PUT/GET /profile/{user}/{field}: current Synapse and Tuwunel. */
  profileFields: boolean;
  /** Tuwunel's admin room (#admins) with `!admin` commands. */
  adminRoom: boolean;
  /** Why POST /rooms/{r}/forget is refused (400) for a user with this membership, or null. */
  forgetRefusal: (userId: string, roomId: string, membership: string | null) => string | null;
  /** Which earlier sends a repeated transaction ID refers to (transactions.ts). */
  transactionScope: TransactionScope;
  /**
   * Admin room details add `tombstoned` and `replacement_room` (current Synapse, measured on 1.160;
   * Tuwunel 1.9.0's room_details.rs, which fills every field and sends nulls as null).
   */
  roomDetailsTombstone: boolean;
  /** What the room details' `forgotten` means (room-summary.ts). */
  roomForgotten: 'every-local-member-forgot' | 'none-joined-once-joined';
  /**
   * GET /_synapse/admin/v1/rooms: Synapse sorts in SQL (each column its own default direction,
   * nulls first ascending, ties by room ID; the search matches name, the alias's localpart, or the
   * exact room ID; an empty term is a 400); Tuwunel sorts every column ascending in memory and
   * reverses for `dir=b`, matches name or whole alias, or the room ID against the lower-cased term
   * (src/api/client/admin/rooms/list_rooms.rs).
   */
  roomsList: 'synapse' | 'tuwunel';
  /** MSC3391's account-data DELETE routes under /_matrix/client/unstable/org.matrix.msc3391 (Tuwunel: src/api/client/account_data/delete_*.rs). */
  accountDataDelete: boolean;
  /** 403 text when a user who is not joined sends or redacts (Synapse 1.67 recorded "(None)"; 1.160 measured without). */
  notJoinedError: (userId: string, roomId: string) => string;
  /** The version of new rooms: 9 on Synapse 1.67 (recorded), 11 on current Synapse (measured on 1.160) and Tuwunel 1.9.0 (default_room_version). */
  roomVersion: string;
  /** How make_room_admin picks its granter and the admin join gets the user in (admin-rooms.ts). */
  makeRoomAdmin: 'synapse' | 'tuwunel';
  /** After erasure the admin /messages and /context prune the erased sender's events unless the admin was joined then (Tuwunel; admin-rooms.ts). */
  erasurePrunesAdminReads: boolean;
  /** fetch_event serves a redacted event pruned with its redaction (Tuwunel's rewritten PDU); Synapse serves the original (fetch-event.ts). */
  fetchEventShowsRedaction: boolean;
  /** Admin reads of a room the server does not know (or purged): Synapse pages through nothing and finds no event; Tuwunel refuses /messages. */
  unknownRoomReads: { messages: 'empty' | 'forbidden'; context: 'event-not-found' | 'room-not-found' };
  /**
   * DELETE /_synapse/admin/v2/rooms/{room} (room-deletion.ts). `runningStatus`: what the status
   * says while it runs (the task scheduler's "active"; Synapse 1.67's in-memory "purging").
   * `leaveReason`: the reason on the leave of each evicted member (Tuwunel: "Room Deleted").
   * `removesAliases`: the shutdown lists the local aliases it removed (Tuwunel); Synapse reports none.
   */
  roomDeletion: {
    runningStatus: 'active' | 'purging';
    leaveReason: string | null;
    reportsAliases: boolean;
    unknownDeleteIdError: (deleteId: string) => string;
    noTaskForRoomError: (roomId: string) => string;
  };
  /** The largest /messages page the server serves, whatever `limit` asks (1000 on both). */
  maxMessagesLimit: number;
  /**
   * /messages without `dir` or `from`. Synapse 1.67 (recorded): `dir=f` without `from` starts at
   * the end and finds nothing. Current Synapse (measured on 1.160, client and admin alike)
   * defaults to `f` and starts a forward read without `from` at the beginning of the room
   * (synapse/handlers/pagination.py, get_start_token_for_pagination); Tuwunel's admin endpoint
   * does the same (src/api/client/admin/rooms/messages.rs, src/api/client/message.rs).
   */
  messages: { clientDefaultDir: 'b' | 'f'; adminDefaultDir: 'b' | 'f'; forwardWithoutFromStartsAtBeginning: boolean };
  /** The 404 text for a deleted or unknown media download. */
  mediaNotFoundError: (serverName: string, mediaId: string) => string;
  has(endpoint: OptionalAdminEndpoint): boolean;
}

/** The dotted numbers a version starts with: "1.9.0-12 (v1.9.0-12-g5b36691)" → [1, 9, 0]. */
const versionNumbers = (v: string): number[] => (/^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);

/** Compares versions by their leading dotted numbers: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = versionNumbers(a);
  const pb = versionNumbers(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function describeFlavour(flavour: Flavour, versionOverride?: string): FlavourDescriptor {
  switch (flavour) {
    case 'synapse-1.67':
      return synapse167(versionOverride ?? '1.67.0');
    case 'synapse':
      return synapseCurrent(versionOverride ?? '1.160.0');
    case 'tuwunel':
      return tuwunel(versionOverride ?? '1.9.0');
  }
}

function synapse167(version: string): FlavourDescriptor {
  return {
    flavour: 'synapse-1.67',
    version,
    serverVersionBody: { server_version: version, python_version: '3.11.2' },
    unknownAdminStatus: 400,
    htmlNotFound: true,
    chunkedJson: true,
    intBooleans: true,
    userObject: 'synapse',
    badParamErrcode: 'M_UNKNOWN',
    extendedUserFields: false,
    zeroCreationTs: false,
    deviceUserAgents: true,
    whois: 'connection-log',
    loginAsDeviceName: null,
    pushersCheckUser: true,
    membershipsFromStateCache: false,
    dropsStateWhenServerLeaves: true,
    // synapse/rest/admin/users.py (RedactUser, RedactUserStatus) and synapse/handlers/admin.py
    // (_redact_all_events), measured on 1.160: no check that the user exists.
    redaction: {
      skipsRedacted: false,
      authorisedAtEvent: true,
      blockingStatuses: ['active'],
      missingRooms: () =>
        new MatrixError(400, 'M_MISSING_PARAM', '1 validation error for PostBody\nrooms\n  Field required [type=missing, input_value={}, input_type=dict]'),
      refusesNegativeLimit: true,
      unknownRoomError: (roomId) => `404: Could not find room_version for ${roomId}`,
      unknownTaskError: (id) => `redact id '${id}' not found`,
    },
    accountDataIncludesTags: false,
    federationVersion: false,
    tuwunelVersionEndpoint: false,
    authenticatedMedia: false,
    legacyMediaDownload: 'serves',
    messageRateLimit: SYNAPSE_MESSAGE_RATE,
    deactivationLeaveDelayMs: 500,
    deactivationClearsProfile: true,
    deactivationRemoves: { keyBackup: false, allPushers: true, profileOnErase: 'member-events' },
    profileFields: false,
    adminRoom: false,
    // synapse/handlers/room_member.py, forget: only a joined user is refused.
    forgetRefusal: (userId, roomId, membership) => (membership === 'join' ? `User ${userId} is in room ${roomId}` : null),
    transactionScope: 'room+token',
    roomDetailsTombstone: false,
    roomForgotten: 'every-local-member-forgot',
    roomsList: 'synapse',
    fetchEventShowsRedaction: false,
    erasurePrunesAdminReads: false,
    makeRoomAdmin: 'synapse',
    roomVersion: '9',
    notJoinedError: (userId, roomId) => `User ${userId} not in room ${roomId} (None)`,
    accountDataDelete: false,
    unknownRoomReads: { messages: 'empty', context: 'event-not-found' },
    // synapse/rest/admin/rooms.py (RoomRestV2Servlet, DeleteRoomStatusBy*), synapse/handlers/room.py shutdown_room.
    roomDeletion: {
      runningStatus: 'purging',
      leaveReason: null,
      reportsAliases: false,
      unknownDeleteIdError: (id) => `delete id '${id}' not found`,
      noTaskForRoomError: (roomId) => `No delete task for room_id '${roomId}' found`,
    },
    // synapse/streams/config.py: MAX_LIMIT = 1000.
    maxMessagesLimit: 1000,
    messages: { clientDefaultDir: 'b', adminDefaultDir: 'b', forwardWithoutFromStartsAtBeginning: false },
    // Synapse 1.67 leaks the Python bytes repr into the message.
    mediaNotFoundError: (server, id) => `Not found [b'${server}', b'${id}']`,
    has: (endpoint) => ['loginAs', 'makeRoomAdmin', 'anyAdmin', 'register'].includes(endpoint),
  };
}

function synapseCurrent(version: string): FlavourDescriptor {
  return {
    ...synapse167(version),
    flavour: 'synapse',
    // python_version was removed in Synapse 1.94.
    serverVersionBody: { server_version: version },
    unknownAdminStatus: 404,
    intBooleans: false,
    extendedUserFields: true,
    federationVersion: true,
    authenticatedMedia: true,
    // Measured on Synapse 1.160 (test/real/homeserver-facts.test.ts); authenticated by default since 1.120.
    legacyMediaDownload: 'not-found',
    messages: { clientDefaultDir: 'f', adminDefaultDir: 'f', forwardWithoutFromStartsAtBeginning: true },
    roomDetailsTombstone: true,
    roomVersion: '11',
    // synapse/handlers/message.py, create_event: checked before the auth rules.
    notJoinedError: (userId, roomId) => `User ${userId} not in room ${roomId}`,
    // synapse/handlers/deactivate_account.py: backups deleted; the profile deleted on erase from 1.150.
    deactivationRemoves: { keyBackup: true, allPushers: true, profileOnErase: compareVersions(version, '1.150.0') >= 0 ? 'deleted' : 'member-events' },
    profileFields: true,
    // Room deletion runs on the task scheduler since Synapse 1.9x: "active" while it runs.
    roomDeletion: { ...synapse167(version).roomDeletion, runningStatus: 'active' },
    deactivationLeaveDelayMs: 200,
    transactionScope: 'room+device',
    mediaNotFoundError: () => 'Not found',
    has: (endpoint) => {
      // From the changelog: the user redaction 1.116, scheduled tasks 1.130, fetch_event 1.140.
      const since = { userRedact: '1.116.0', scheduledTasks: '1.130.0', fetchEvent: '1.140.0' } as Partial<Record<OptionalAdminEndpoint, string>>;
      const from = since[endpoint];
      return from === undefined || compareVersions(version, from) >= 0;
    },
  };
}

/**
 * Tuwunel as its 1.9.0 source reads. The version may carry a suffix, as `git describe` gives it
 * (src/core/info/version.rs): '1.9.0 (abc1234)' is reported as is everywhere.
 */
function tuwunel(version: string): FlavourDescriptor {
  // 1.7.0 brought shared-secret registration, 1.8.1 the rest of the Synapse admin API;
  // 1.8.2 added redact, redact_status and login-as.
  const hasRegister = compareVersions(version, '1.7.0') >= 0;
  const hasAdmin = compareVersions(version, '1.8.1') >= 0;
  const hasRedactAndLogin = compareVersions(version, '1.8.2') >= 0;
  return {
    flavour: 'tuwunel',
    version,
    // tuwunel_core::version::version(), with python_version left out (src/api/client/admin/misc/server_version.rs).
    serverVersionBody: { server_version: version },
    unknownAdminStatus: 404,
    htmlNotFound: false,
    chunkedJson: false,
    intBooleans: false,
    userObject: 'tuwunel',
    badParamErrcode: 'M_INVALID_PARAM',
    extendedUserFields: true,
    zeroCreationTs: true,
    deviceUserAgents: false,
    whois: 'device-snapshot',
    // src/api/client/admin/users/login_as.rs: create_device(..., Some("Admin login"), ...).
    loginAsDeviceName: 'Admin login',
    pushersCheckUser: false,
    membershipsFromStateCache: true,
    dropsStateWhenServerLeaves: false,
    // src/api/client/admin/users/redact.rs and redact_status.rs.
    redaction: {
      skipsRedacted: true,
      authorisedAtEvent: false,
      blockingStatuses: ['scheduled', 'active'],
      missingRooms: () => badJson('missing field `rooms`'),
      refusesNegativeLimit: false,
      unknownRoomError: (roomId) => `Room ${JSON.stringify(roomId)} not found`,
      unknownTaskError: () => 'Unknown redact task',
    },
    accountDataIncludesTags: true,
    federationVersion: true,
    tuwunelVersionEndpoint: true,
    authenticatedMedia: true,
    // src/api/router.rs, register_legacy_media_routes: legacy_media_disabled, "Unauthenticated media is disabled."
    legacyMediaDownload: 'forbidden',
    // No message rate limit in Tuwunel's source (only media creation is limited).
    messageRateLimit: null,
    deactivationLeaveDelayMs: null,
    deactivationClearsProfile: false,
    // src/service/users/device.rs remove_device takes the device's pushers; nothing else goes.
    deactivationRemoves: { keyBackup: false, allPushers: false, profileOnErase: 'kept' },
    profileFields: true,
    adminRoom: true,
    // src/api/client/membership/forget.rs: joined, knocked and invited users must leave first.
    forgetRefusal: (_userId, _roomId, membership) =>
      membership === 'join' || membership === 'invite' || membership === 'knock' ? 'You must leave the room before forgetting it' : null,
    transactionScope: 'device',
    roomDetailsTombstone: true,
    roomForgotten: 'none-joined-once-joined',
    roomsList: 'tuwunel',
    fetchEventShowsRedaction: true,
    erasurePrunesAdminReads: true,
    makeRoomAdmin: 'tuwunel',
    roomVersion: '11',
    notJoinedError: (userId, roomId) => `User ${userId} not in room ${roomId} (None)`,
    accountDataDelete: true,
    unknownRoomReads: { messages: 'forbidden', context: 'room-not-found' },
    // src/api/client/admin/rooms/delete_room.rs, delete_status.rs; src/service/rooms/delete/mod.rs.
    roomDeletion: {
      runningStatus: 'active',
      leaveReason: 'Room Deleted',
      reportsAliases: true,
      unknownDeleteIdError: () => 'Unknown delete task',
      noTaskForRoomError: () => 'No delete task for this room found',
    },
    // src/api/client/message.rs: LIMIT_MAX = 1000 in every tag from 1.8.0 to 1.9.0, shared by the
    // admin room-messages endpoint (100 is /context's LIMIT_MAX).
    maxMessagesLimit: 1000,
    // The client route requires `dir` (ruma); this default is only the test homeserver's leniency.
    messages: { clientDefaultDir: 'b', adminDefaultDir: 'f', forwardWithoutFromStartsAtBeginning: true },
    mediaNotFoundError: () => 'Media not found.',
    has: (endpoint) => {
      if (endpoint === 'register') return hasRegister;
      if (!hasAdmin) return false;
      if (endpoint === 'userRedact' || endpoint === 'loginAs') return hasRedactAndLogin;
      // make_room_admin and the admin join came with the rest in 1.8.1 (src/api/router.rs).
      return true;
    },
  };
}
