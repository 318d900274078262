// What differs between the servers the bot meets: version strings, which
// admin endpoints exist, and the quirks of their answers. Handlers ask these
// descriptors instead of testing the flavour name.
import { SYNAPSE_MESSAGE_RATE, type RateSettings } from './rate-limits.ts';
import type { TransactionScope } from './transactions.ts';

export type Flavour = 'synapse-1.67' | 'synapse' | 'tuwunel';

/** Admin endpoints that not every server has. */
/** makeRoomAdmin covers make_room_admin and the admin join API, which Synapse has and Tuwunel lacks. */
export type OptionalAdminEndpoint = 'memberships' | 'roomMessages' | 'userRedact' | 'loginAs' | 'makeRoomAdmin' | 'anyAdmin' | 'register';

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
  /** POST /v1/user/{u}/redact and its status, where the servers differ. */
  redaction: {
    /** 404 for a user the server does not know (Tuwunel checks nothing: src/api/client/admin/users/redact.rs). */
    checksUser: boolean;
    /** The task fails as a whole at a room the server does not know (Tuwunel's timeline lookup errors there). */
    failsOnUnknownRoom: boolean;
    /** failed_redactions only once complete, and `error` once failed (Tuwunel); Synapse always sends failed_redactions. */
    failuresOnlyWhenComplete: boolean;
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
  /** The message rate limit every event a user makes meets (rate-limits.ts), with the admin override API; null: none. */
  messageRateLimit: RateSettings | null;
  /** Background leave after Synapse's deactivation; null: deactivation leaves no rooms. */
  deactivationLeaveDelayMs: number | null;
  /** Deactivation clears profile, emails and account data (Synapse only). */
  deactivationClearsProfile: boolean;
  /** Tuwunel's admin room (#admins) with `!admin` commands. */
  adminRoom: boolean;
  /** Why POST /rooms/{r}/forget is refused (400) for a user with this membership, or null. */
  forgetRefusal: (userId: string, roomId: string, membership: string | null) => string | null;
  /** Which earlier sends a repeated transaction ID refers to (transactions.ts). */
  transactionScope: TransactionScope;
  /** Admin room details carry topic, avatar, joined_local_devices and forgotten, nulls included (Synapse; Tuwunel has none of them and leaves unset fields out). */
  roomDetailsFull: boolean;
  /** The largest /messages page the server serves, whatever `limit` asks (Synapse 1000, Tuwunel 100). */
  maxMessagesLimit: number;
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
      return synapseCurrent(versionOverride ?? '1.142.0');
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
    redaction: { checksUser: true, failsOnUnknownRoom: false, failuresOnlyWhenComplete: false },
    accountDataIncludesTags: false,
    federationVersion: false,
    tuwunelVersionEndpoint: false,
    authenticatedMedia: false,
    legacyMediaDownload: 'serves',
    messageRateLimit: SYNAPSE_MESSAGE_RATE,
    deactivationLeaveDelayMs: 500,
    deactivationClearsProfile: true,
    adminRoom: false,
    // synapse/handlers/room_member.py, forget: only a joined user is refused.
    forgetRefusal: (userId, roomId, membership) => (membership === 'join' ? `User ${userId} is in room ${roomId}` : null),
    transactionScope: 'room+token',
    roomDetailsFull: true,
    // synapse/streams/config.py: MAX_LIMIT = 1000.
    maxMessagesLimit: 1000,
    // Synapse 1.67 leaks the Python bytes repr into the message.
    mediaNotFoundError: (server, id) => `Not found [b'${server}', b'${id}']`,
    has: (endpoint) => endpoint === 'loginAs' || endpoint === 'makeRoomAdmin' || endpoint === 'anyAdmin' || endpoint === 'register',
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
    // Measured on Synapse 1.160 (test/real/synapse-facts.test.ts); authenticated by default since 1.120.
    legacyMediaDownload: 'not-found',
    deactivationLeaveDelayMs: 200,
    transactionScope: 'room+device',
    mediaNotFoundError: () => 'Not found',
    has: () => true,
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
    redaction: { checksUser: false, failsOnUnknownRoom: true, failuresOnlyWhenComplete: true },
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
    adminRoom: true,
    // src/api/client/membership/forget.rs: joined, knocked and invited users must leave first.
    forgetRefusal: (_userId, _roomId, membership) =>
      membership === 'join' || membership === 'invite' || membership === 'knock' ? 'You must leave the room before forgetting it' : null,
    transactionScope: 'device',
    // src/api/client/admin/rooms/mod.rs, room_row(): the fields of synapse-admin-api's RoomDetails.
    roomDetailsFull: false,
    // src/api/client/message.rs: LIMIT_MAX = 100, shared by the admin room-messages endpoint.
    maxMessagesLimit: 100,
    mediaNotFoundError: () => 'Media not found.',
    has: (endpoint) => {
      if (endpoint === 'register') return hasRegister;
      if (!hasAdmin) return false;
      if (endpoint === 'userRedact' || endpoint === 'loginAs') return hasRedactAndLogin;
      return endpoint !== 'makeRoomAdmin';
    },
  };
}
