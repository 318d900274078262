// What differs between the servers the bot meets: version strings, which
// admin endpoints exist, and the quirks of their answers. Handlers ask these
// descriptors instead of testing the flavour name.
export type Flavour = 'synapse-1.67' | 'synapse' | 'tuwunel';

/** Admin endpoints that not every server has. */
export type OptionalAdminEndpoint = 'memberships' | 'roomMessages' | 'userRedact' | 'loginAs' | 'anyAdmin';

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
  /** erased, locked, suspended, last_seen_ts in the admin user object. */
  extendedUserFields: boolean;
  /** creation_ts in the admin user object is always 0 (Tuwunel). */
  zeroCreationTs: boolean;
  /** Devices carry last_seen_user_agent (not on Tuwunel). */
  deviceUserAgents: boolean;
  /** whois: all connections under device "" (Synapse) or one entry per device (Tuwunel). */
  whoisPerDevice: boolean;
  /** Admin accountdata includes m.tag per room (Tuwunel stores tags as room account data). */
  accountDataIncludesTags: boolean;
  /** GET /_matrix/federation/v1/version answers (1.67 was recorded without a federation listener). */
  federationVersion: boolean;
  /** /_tuwunel/server_version and /_conduwuit/server_version exist. */
  tuwunelVersionEndpoints: boolean;
  /** Authenticated media under /_matrix/client/v1/media (MSC3916). */
  authenticatedMedia: boolean;
  /** Background leave after Synapse's deactivation; null: deactivation leaves no rooms. */
  deactivationLeaveDelayMs: number | null;
  /** Deactivation clears profile, emails and account data (Synapse only). */
  deactivationClearsProfile: boolean;
  /** Tuwunel's admin room (#admins) with `!admin` commands. */
  adminRoom: boolean;
  /** Admin room details carry topic, avatar, joined_local_devices and forgotten, nulls included (Synapse; Tuwunel has none of them and leaves unset fields out). */
  roomDetailsFull: boolean;
  /** The largest /messages page the server serves, whatever `limit` asks (Synapse 1000, Tuwunel 100). */
  maxMessagesLimit: number;
  /** The 404 text for a deleted or unknown media download. */
  mediaNotFoundError: (serverName: string, mediaId: string) => string;
  has(endpoint: OptionalAdminEndpoint): boolean;
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
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
    extendedUserFields: false,
    zeroCreationTs: false,
    deviceUserAgents: true,
    whoisPerDevice: false,
    accountDataIncludesTags: false,
    federationVersion: false,
    tuwunelVersionEndpoints: false,
    authenticatedMedia: false,
    deactivationLeaveDelayMs: 500,
    deactivationClearsProfile: true,
    adminRoom: false,
    roomDetailsFull: true,
    // synapse/streams/config.py: MAX_LIMIT = 1000.
    maxMessagesLimit: 1000,
    // Synapse 1.67 leaks the Python bytes repr into the message.
    mediaNotFoundError: (server, id) => `Not found [b'${server}', b'${id}']`,
    has: (endpoint) => endpoint === 'loginAs' || endpoint === 'anyAdmin',
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
    deactivationLeaveDelayMs: 200,
    mediaNotFoundError: () => 'Not found',
    has: () => true,
  };
}

function tuwunel(version: string): FlavourDescriptor {
  // 1.8.1 brought the Synapse admin API; 1.8.2 added redact, redact_status and login-as.
  const hasAdmin = compareVersions(version, '1.8.1') >= 0;
  const hasRedactAndLogin = compareVersions(version, '1.8.2') >= 0;
  return {
    flavour: 'tuwunel',
    version,
    // Tuwunel answers with its own semantic version only (tuwunel_core::version()).
    serverVersionBody: { server_version: version },
    unknownAdminStatus: 404,
    htmlNotFound: false,
    chunkedJson: false,
    intBooleans: false,
    extendedUserFields: true,
    zeroCreationTs: true,
    deviceUserAgents: false,
    whoisPerDevice: true,
    accountDataIncludesTags: true,
    federationVersion: true,
    tuwunelVersionEndpoints: true,
    authenticatedMedia: true,
    deactivationLeaveDelayMs: null,
    deactivationClearsProfile: false,
    adminRoom: true,
    // src/api/client/admin/rooms/mod.rs, room_row(): the fields of synapse-admin-api's RoomDetails.
    roomDetailsFull: false,
    // src/api/client/message.rs: LIMIT_MAX = 100, shared by the admin room-messages endpoint.
    maxMessagesLimit: 100,
    mediaNotFoundError: () => 'Media not found.',
    has: (endpoint) => {
      if (!hasAdmin) return false;
      if (endpoint === 'userRedact' || endpoint === 'loginAs') return hasRedactAndLogin;
      return true;
    },
  };
}
