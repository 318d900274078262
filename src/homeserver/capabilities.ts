// Which server we talk to, which version, and what it can do: decided once at start-up from
// a version table (pure) and then checked with side-effect-free probes, so that an endpoint
// the table gets wrong is known before the first request of a user.
import { z } from 'zod';
import { isHomeserverError } from './errors.ts';
import type { Capabilities, Flavour } from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import { FederationVersion, NamedServerVersion, SynapseServerVersion } from './schemas.ts';

export type Version = readonly [major: number, minor: number, patch: number];

/** "1.67.0", "1.145.0rc1", "1.99.0 (b=develop, abc)", "v1.8.2 (extra)" → [1, 67, 0] ...; null when unreadable. */
export function parseVersion(version: string | null): Version | null {
  const match = version?.match(/^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function atLeast(version: Version, minimum: Version): boolean {
  for (let i = 0; i < 3; i++) {
    if (version[i]! !== minimum[i]!) return version[i]! > minimum[i]!;
  }
  return true;
}

/**
 * First Synapse release with each optional endpoint (release candidates count: features land in rc1).
 */
export const SYNAPSE_SINCE = {
  // CHANGES.md, Synapse 1.24.0rc1 (2020-12-02): "Add admin API for logging in as a user. (#8617)".
  loginAs: [1, 24, 0],
  // CHANGES.md, Synapse 1.68.0rc1 (2022-09-20): "Add an admin API endpoint to fetch messages within a
  // particular window of time. (#13672)". The 1.67.0 recording (fixture 08) answers 400 M_UNRECOGNIZED.
  roomMessagesAdmin: [1, 68, 0],
  // CHANGES.md, Synapse 1.116.0rc1 (2024-09-25): "Add an asynchronous Admin API endpoint to redact all a
  // user's events, and an endpoint to check on the status of that redaction task. (#17506)".
  redactUser: [1, 116, 0],
  // element-hq/synapse PR #19260 "Add `memberships` admin API" (merged 2025-12); first released in
  // 1.145.0 according to etkecc/ketesa issue #1002 ("Requires Synapse v1.145.0"). Not confirmed from
  // Synapse's own changelog, which is why the start-up probe checks it on every server.
  memberships: [1, 145, 0],
  // CHANGES.md, Synapse 1.130.0rc1: "Add an Admin API endpoint `GET /_synapse/admin/v1/scheduled_tasks` to fetch scheduled tasks. (#18214)".
  scheduledTasks: [1, 130, 0],
} as const satisfies Record<string, Version>;

/**
 * Tuwunel (docs/development/compliance/synapse-admin.md, via the shared reference): 1.8.1 brought the
 * Synapse-compatible admin API without user redact, redact_status and login-as; 1.8.2 added those.
 */
export const TUWUNEL_SINCE = {
  adminApi: [1, 8, 1],
  loginAsAndRedact: [1, 8, 2],
} as const satisfies Record<string, Version>;

/** What each version endpoint answered (null: no usable answer). */
export type VersionAnswers = {
  /**
   * GET /_synapse/admin/v1/server_version. Synapse: {server_version: "1.67.0", python_version}.
   * Tuwunel >= 1.8.1 answers it too, with its own version and nothing to say it is not Synapse:
   * matrix-construct/tuwunel src/api/client/admin/misc/server_version.rs returns
   * `Response::new(version())` (synapse-admin-api's Response, python_version None and skipped),
   * i.e. {"server_version": "1.8.2"}. So this answer alone never decides the flavour.
   */
  synapseAdmin: z.infer<typeof SynapseServerVersion> | null;
  /**
   * GET /_tuwunel/server_version: {"name": "Tuwunel", "version": ...} (matrix-construct/tuwunel
   * src/api/client/tuwunel.rs, tuwunel_server_version). The version is tuwunel_core::version()
   * (src/core/info/version.rs): the build's `git describe --tags` (src/macros/git.rs), falling
   * back to CARGO_PKG_VERSION, followed by " (<git describe --always --dirty>)" when the build is
   * not exactly on a tag, or by " (extra)" when TUWUNEL_VERSION_EXTRA was set at build time:
   * "1.9.0", "1.9.0 (abc1234)", "1.9.0-12 (v1.9.0-12-g5b3669144a)". parseVersion reads the
   * leading numbers. No Tuwunel tag serves /_conduwuit/server_version.
   */
  tuwunel: z.infer<typeof NamedServerVersion> | null;
  /** GET /_conduwuit/server_version: {"name": "Conduwuit" | "conduwuit", "version": ...}. */
  conduwuit: z.infer<typeof NamedServerVersion> | null;
  /** GET /_matrix/federation/v1/version: {server: {name, version}}; a 404 HTML page where there is no federation listener. */
  federation: z.infer<typeof FederationVersion> | null;
};

/** Pure: the flavour and version from whatever the version endpoints answered. */
export function identifyServer(answers: VersionAnswers): { flavour: Flavour; version: string | null } {
  const federationName = answers.federation?.server.name ?? '';
  const federationVersion = answers.federation?.server.version ?? null;
  const named = (pattern: RegExp) => [answers.tuwunel, answers.conduwuit].find((a) => a !== null && pattern.test(a.name)) ?? null;

  const tuwunel = named(/tuwunel/i);
  const federationSaysTuwunel = /tuwunel/i.test(federationName);
  if (tuwunel || federationSaysTuwunel) {
    const version = tuwunel?.version ?? (federationSaysTuwunel ? federationVersion : null) ?? answers.synapseAdmin?.server_version ?? null;
    return { flavour: 'tuwunel', version };
  }
  const conduwuit = named(/conduwuit/i);
  if (conduwuit || /conduwuit/i.test(federationName)) {
    return { flavour: 'conduwuit', version: conduwuit?.version ?? federationVersion };
  }
  if (answers.synapseAdmin) return { flavour: 'synapse', version: answers.synapseAdmin.server_version };
  if (/synapse/i.test(federationName)) return { flavour: 'synapse', version: federationVersion };
  return { flavour: 'unknown', version: federationVersion };
}

const NONE = {
  memberships: false,
  roomMessagesAdmin: false,
  loginAs: false,
  redactUser: false,
  adminRoomCommands: false,
  connectionLog: false,
  loginAsDevice: false,
  makeRoomAdmin: false,
  deactivationLeavesRooms: false,
  membershipsListsForgottenRooms: false,
  membershipsListsRoomsNobodyHereIsIn: false,
  scheduledTasks: false,
  roomPurge: false,
  redactionTaskReachesLeftRooms: false,
  rateLimitOverride: false,
  accountDataDelete: false,
  deactivationRemovesAccountData: false,
  erasedMarkerPrunesAdminReads: false,
  fetchEventShowsRedactions: false,
};

/** Pure: what a flavour and version can do, from the version table. */
export function capabilitiesFor(flavour: Flavour, version: string | null): Capabilities {
  const v = parseVersion(version);
  switch (flavour) {
    case 'synapse':
      return {
        flavour,
        version,
        supported: true,
        unsupportedReason: null,
        features: {
          // Without a readable version, assume the oldest and let the probes find what exists.
          memberships: v !== null && atLeast(v, SYNAPSE_SINCE.memberships),
          roomMessagesAdmin: v !== null && atLeast(v, SYNAPSE_SINCE.roomMessagesAdmin),
          // Cannot be probed without minting a token; a missing one is found on first use.
          loginAs: v === null || atLeast(v, SYNAPSE_SINCE.loginAs),
          redactUser: v !== null && atLeast(v, SYNAPSE_SINCE.redactUser),
          adminRoomCommands: false,
          connectionLog: true,
          loginAsDevice: false,
          // Both recorded on 1.67 (see "Redacting in rooms the user has left" in the reference).
          makeRoomAdmin: true,
          deactivationLeavesRooms: true,
          membershipsListsForgottenRooms: true,
          // Measured on 1.160: a room the user left alone vanishes from /memberships (the reference).
          membershipsListsRoomsNobodyHereIsIn: false,
          scheduledTasks: v !== null && atLeast(v, SYNAPSE_SINCE.scheduledTasks),
          // Measured on 1.67 and 1.160 (the reference, "Rooms nobody local is in any more").
          roomPurge: true,
          // synapse/handlers/admin.py, _redact_all_events: prev_event_ids=[event.event_id]; measured on 1.160.
          redactionTaskReachesLeftRooms: true,
          rateLimitOverride: true,
          accountDataDelete: false,
          deactivationRemovesAccountData: true,
          erasedMarkerPrunesAdminReads: false,
          // Measured on 1.160: fetch_event returns the original content of a redacted event.
          fetchEventShowsRedactions: false,
        },
      };
    case 'tuwunel': {
      if (v !== null && !atLeast(v, TUWUNEL_SINCE.adminApi)) {
        return {
          flavour,
          version,
          supported: false,
          unsupportedReason: `Tuwunel ${version} has no HTTP admin API (it arrived in Tuwunel 1.8.1); upgrade to 1.8.2 or later.`,
          features: { ...NONE, adminRoomCommands: true },
        };
      }
      // An unreadable version is taken as a current one.
      const full = v === null || atLeast(v, TUWUNEL_SINCE.loginAsAndRedact);
      return {
        flavour,
        version,
        supported: true,
        unsupportedReason: null,
        features: {
          memberships: true,
          roomMessagesAdmin: true,
          loginAs: full,
          redactUser: full,
          adminRoomCommands: true,
          connectionLog: false,
          loginAsDevice: full,
          deactivationLeavesRooms: false,
          // From 1.8.1 (src/api/router.rs l.175, 178; src/service/admin/grant.rs), as the rest of the admin API below.
          makeRoomAdmin: true,
          scheduledTasks: true,
          roomPurge: true,
          membershipsListsForgottenRooms: false,
          membershipsListsRoomsNobodyHereIsIn: true,
          redactionTaskReachesLeftRooms: false,
          rateLimitOverride: false,
          // MSC3391 DELETE routes (src/api/router.rs l.246–247, since 1.7.1).
          accountDataDelete: true,
          deactivationRemovesAccountData: false,
          erasedMarkerPrunesAdminReads: true,
          // src/api/client/admin/misc/fetch_event.rs reads the stored PDU; src/service/rooms/timeline/redact.rs replaces it on redaction.
          fetchEventShowsRedactions: true,
        },
      };
    }
    case 'conduwuit':
      return {
        flavour,
        version,
        supported: false,
        unsupportedReason: 'conduwuit has no HTTP admin API; move to Tuwunel 1.8.2 or later (its successor), which has one.',
        features: { ...NONE, adminRoomCommands: true },
      };
    default:
      return {
        flavour: 'unknown',
        version,
        supported: false,
        unsupportedReason: 'The server did not identify itself as Synapse or Tuwunel, so no usable admin API is known.',
        features: NONE,
      };
  }
}

export function serverLabel(capabilities: Pick<Capabilities, 'flavour' | 'version'>): string {
  const name = { synapse: 'Synapse', tuwunel: 'Tuwunel', conduwuit: 'conduwuit', unknown: 'The server' }[capabilities.flavour];
  return capabilities.version && capabilities.flavour !== 'unknown' ? `${name} ${capabilities.version}` : name;
}

export type ProbedFeature = 'memberships' | 'roomMessagesAdmin' | 'redactUser';
export type ProbeResult = 'present' | 'missing' | 'unknown';
export type ProbeResults = Record<ProbedFeature, ProbeResult>;

const PROBED_ENDPOINT: Record<ProbedFeature, string> = {
  memberships: '/memberships',
  roomMessagesAdmin: 'the admin room-messages endpoint',
  redactUser: 'user redaction (redact_status)',
};

/** Pure: the table's capabilities corrected by what the probes saw; the server's answer wins. */
export function applyProbes(capabilities: Capabilities, probes: ProbeResults): Capabilities {
  const features = { ...capabilities.features };
  for (const feature of Object.keys(probes) as ProbedFeature[]) {
    const result = probes[feature];
    if (result !== 'unknown') features[feature] = result === 'present';
  }
  return { ...capabilities, features };
}

/** Pure: plain-English notes for the admins about what this server cannot do and how the bot copes. */
export function notesFor(expected: Capabilities, probes: ProbeResults | null, actual: Capabilities = expected): string[] {
  const label = serverLabel(actual);
  if (!actual.supported) return [`${label}: ${actual.unsupportedReason ?? 'not supported.'}`];
  const notes: string[] = [];
  const f = actual.features;

  if (probes) {
    for (const feature of Object.keys(probes) as ProbedFeature[]) {
      const result = probes[feature];
      if (result === 'unknown') {
        notes.push(
          `${label}: could not check whether ${PROBED_ENDPOINT[feature]} exists; assuming it ${expected.features[feature] ? 'does' : 'does not'} from the version.`,
        );
      } else if ((result === 'present') !== expected.features[feature]) {
        notes.push(
          `${label}: ${PROBED_ENDPOINT[feature]} is ${result === 'present' ? 'there although' : 'missing although'} the version suggests otherwise; going by the server's answer.`,
        );
      }
    }
  }

  const isSynapse = actual.flavour === 'synapse';
  if (!f.memberships) {
    notes.push(
      f.loginAs
        ? `${label}: no /memberships endpoint${isSynapse ? ' (Synapse 1.145+)' : ''}; rooms the user has left are found by logging in as the user.`
        : `${label}: no /memberships endpoint and no login-as; rooms the user has left cannot be listed, only joined ones.`,
    );
  }
  if (!f.roomMessagesAdmin) {
    notes.push(
      f.loginAs
        ? `${label}: no admin room-messages endpoint${isSynapse ? ' (Synapse 1.68+)' : ''}; messages sent are counted by logging in as the user, which sees only what the user could see.`
        : `${label}: no admin room-messages endpoint and no login-as; messages sent cannot be counted.`,
    );
  }
  if (!f.redactUser) {
    notes.push(
      `${label}: no user-redaction endpoint${isSynapse ? ' (Synapse 1.116+)' : actual.flavour === 'tuwunel' ? ' (Tuwunel 1.8.2+)' : ''}; an erasure has to redact the user's events one at a time.`,
    );
  }
  if (actual.flavour === 'tuwunel' && !f.loginAs) {
    notes.push(`${label}: no login-as (Tuwunel 1.8.2+).`);
  }
  if (!f.connectionLog) {
    notes.push(
      `${label}: the server keeps no log of connections and no user agents, only each device's last IP address and time; that is what users are shown.`,
    );
  }
  return notes;
}

export type DetectOptions = {
  /** The bot's own user: the one user the probes may ask about. */
  botUserId: string;
  /** For a room ID that cannot exist, used by a probe. */
  serverName: string;
};

export type Detected = { capabilities: Capabilities; notes: string[] };

/**
 * Asks the version endpoints (no token needed), then probes the GET endpoints a version table
 * could get wrong. Nothing here changes anything on the server. (The tokens themselves are
 * checked before this, by startup/preflight.ts.)
 */
export async function detectCapabilities(http: HomeserverHttp, options: DetectOptions): Promise<Detected> {
  const answers = await askVersions(http);
  const { flavour, version } = identifyServer(answers);
  const expected = capabilitiesFor(flavour, version);
  if (!expected.supported) return { capabilities: expected, notes: notesFor(expected, null) };

  const probes = await probeEndpoints(http, options);
  const capabilities = applyProbes(expected, probes);
  return { capabilities, notes: notesFor(expected, probes, capabilities) };
}

async function askVersions(http: HomeserverHttp): Promise<VersionAnswers> {
  const ask = <S extends z.ZodType>(path: string, schema: S) => http.request('GET', path, { schema, auth: false });
  const settled = await Promise.allSettled([
    ask('/_synapse/admin/v1/server_version', SynapseServerVersion),
    ask('/_tuwunel/server_version', NamedServerVersion),
    ask('/_conduwuit/server_version', NamedServerVersion),
    ask('/_matrix/federation/v1/version', FederationVersion),
  ]);
  // Nothing answered at all: the server is down or the URL is wrong; say so rather than "unknown server".
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length === settled.length) {
    const network = failures.find((e) => isHomeserverError(e, 'unreachable') || isHomeserverError(e, 'timeout'));
    if (network) throw network;
  }
  const value = <T>(s: PromiseSettledResult<T>): T | null => (s.status === 'fulfilled' ? s.value : null);
  const [synapseAdmin, tuwunel, conduwuit, federation] = settled;
  return { synapseAdmin: value(synapseAdmin!), tuwunel: value(tuwunel!), conduwuit: value(conduwuit!), federation: value(federation!) };
}

async function probeEndpoints(http: HomeserverHttp, options: DetectOptions): Promise<ProbeResults> {
  const probe = async (target: ReturnType<typeof endpoint>, query?: Record<string, string | number>): Promise<ProbeResult> => {
    try {
      await http.request('GET', target, { schema: z.unknown(), ...(query ? { query } : {}) });
      return 'present';
    } catch (error) {
      if (!isHomeserverError(error)) throw error;
      if (error.kind === 'unsupported') return 'missing';
      // Any other refusal from the server (404 for the made-up ID, 403, 400 ...) means the route exists;
      // rate limits, server errors and network trouble tell nothing.
      const refusal = ['not-found', 'forbidden', 'unauthorized', 'bad-response'].includes(error.kind) && error.status !== null;
      return refusal ? 'present' : 'unknown';
    }
  };
  const [memberships, redactUser, roomMessagesAdmin] = await Promise.all([
    probe(endpoint('/_synapse/admin/v1/users/{userId}/memberships', { userId: options.botUserId })),
    probe(endpoint('/_synapse/admin/v1/user/redact_status/{redactId}', { redactId: 'dsar-bot-capability-probe' })),
    probe(endpoint('/_synapse/admin/v1/rooms/{roomId}/messages', { roomId: `!dsar-bot-capability-probe:${options.serverName}` }), { dir: 'b', limit: 1 }),
  ]);
  return { memberships, roomMessagesAdmin, redactUser };
}
