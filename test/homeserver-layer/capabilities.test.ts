import { afterEach, describe, expect, it } from 'vitest';
import {
  applyProbes,
  atLeast,
  capabilitiesFor,
  detectCapabilities,
  identifyServer,
  notesFor,
  parseVersion,
  type VersionAnswers,
} from '../../src/homeserver/capabilities.ts';
import type { Capabilities, Flavour } from '../../src/homeserver/homeserver.ts';
import { createHomeserverHttp } from '../../src/homeserver/http.ts';
import { closedPort, type FakeServer, type Handler, startFakeServer, TWISTED_404 } from './fake-server.ts';

type Features = Capabilities['features'];
const F = (memberships: boolean, roomMessagesAdmin: boolean, loginAs: boolean, redactUser: boolean, adminRoomCommands: boolean): Features => ({
  memberships,
  roomMessagesAdmin,
  loginAs,
  redactUser,
  adminRoomCommands,
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
});
/**
 * Synapse's whois is a log of connections; it has make_room_admin, room purge and the rate-limit
 * override; its deactivation leaves rooms and removes account data; its redaction task reaches rooms
 * the user left; /memberships keeps forgotten rooms. scheduled_tasks from 1.130.
 */
const S = (m: boolean, r: boolean, l: boolean, u: boolean, a: boolean, scheduledTasks = false): Features => ({
  ...F(m, r, l, u, a),
  connectionLog: true,
  makeRoomAdmin: true,
  deactivationLeavesRooms: true,
  membershipsListsForgottenRooms: true,
  scheduledTasks,
  roomPurge: true,
  redactionTaskReachesLeftRooms: true,
  rateLimitOverride: true,
  deactivationRemovesAccountData: true,
});
/** Tuwunel's login-as leaves a device; with its admin API (1.8.1) come make_room_admin, purge, scheduled tasks; account data deletes (MSC3391); the erased marker prunes admin reads. */
const T = (...f: Parameters<typeof F>): Features => ({ ...F(...f), loginAsDevice: f[2] });
const TA = (...f: Parameters<typeof F>): Features => ({
  ...T(...f),
  makeRoomAdmin: true,
  scheduledTasks: true,
  roomPurge: true,
  membershipsListsRoomsNobodyHereIsIn: true,
  accountDataDelete: true,
  erasedMarkerPrunesAdminReads: true,
  fetchEventShowsRedactions: true,
});

describe('capabilitiesFor', () => {
  const table: [Flavour, string | null, boolean, Features][] = [
    // Synapse 1.67: none of memberships / admin room messages / user redact, but login-as (recordings 08, 41, 56, 11).
    ['synapse', '1.67.0', true, S(false, false, true, false, false)],
    ['synapse', '1.68.0', true, S(false, true, true, false, false)],
    ['synapse', '1.115.1', true, S(false, true, true, false, false)],
    ['synapse', '1.116.0', true, S(false, true, true, true, false)],
    ['synapse', '1.144.0', true, S(false, true, true, true, false, true)],
    ['synapse', '1.129.0', true, S(false, true, true, true, false)],
    ['synapse', '1.130.0', true, S(false, true, true, true, false, true)],
    ['synapse', '1.145.0rc1', true, S(true, true, true, true, false, true)],
    ['synapse', '1.150.0 (b=develop, abcdef)', true, S(true, true, true, true, false, true)],
    ['synapse', '1.23.0', true, S(false, false, false, false, false)],
    ['synapse', null, true, S(false, false, true, false, false)],
    ['tuwunel', '1.9.0', true, TA(true, true, true, true, true)],
    ['tuwunel', '1.8.2', true, TA(true, true, true, true, true)],
    ['tuwunel', '1.8.1', true, TA(true, true, false, false, true)],
    ['tuwunel', '1.8.0', false, T(false, false, false, false, true)],
    ['tuwunel', '1.4.3', false, T(false, false, false, false, true)],
    ['conduwuit', '0.5.0', false, F(false, false, false, false, true)],
    ['unknown', null, false, F(false, false, false, false, false)],
  ];
  it.each(table)('%s %s', (flavour, version, supported, features) => {
    const capabilities = capabilitiesFor(flavour, version);
    expect(capabilities.flavour).toBe(flavour);
    expect(capabilities.version).toBe(version);
    expect(capabilities.supported).toBe(supported);
    expect(capabilities.unsupportedReason === null).toBe(supported);
    expect(capabilities.features).toEqual(features);
  });

  it('says why an old Tuwunel and conduwuit are not supported', () => {
    expect(capabilitiesFor('tuwunel', '1.8.0').unsupportedReason).toMatch(/no HTTP admin API.*1\.8\.1/);
    expect(capabilitiesFor('conduwuit', '0.5.0').unsupportedReason).toMatch(/conduwuit has no HTTP admin API/);
  });
});

describe('parseVersion', () => {
  it.each([
    ['1.67.0', [1, 67, 0]],
    ['1.145.0rc1', [1, 145, 0]],
    ['v1.8.2 (abc123)', [1, 8, 2]],
    // Tuwunel's version() off a tag: git describe, then the commit (src/core/info/version.rs).
    ['1.9.0-12 (v1.9.0-12-g5b3669144a)', [1, 9, 0]],
    ['1.9.0 (abc1234)', [1, 9, 0]],
    ['1.9', [1, 9, 0]],
    ['main', null],
    [null, null],
  ] as const)('%s', (input, expected) => {
    expect(parseVersion(input)).toEqual(expected);
  });

  it('compares versions', () => {
    expect(atLeast([1, 8, 2], [1, 8, 1])).toBe(true);
    expect(atLeast([1, 8, 1], [1, 8, 1])).toBe(true);
    expect(atLeast([1, 9, 0], [1, 10, 0])).toBe(false);
    expect(atLeast([2, 0, 0], [1, 145, 0])).toBe(true);
  });
});

describe('identifyServer', () => {
  const none: VersionAnswers = { synapseAdmin: null, tuwunel: null, conduwuit: null, federation: null };
  it.each([
    ['Synapse 1.67 (the others 404)', { ...none, synapseAdmin: { server_version: '1.67.0', python_version: '3.11.2' } }, 'synapse', '1.67.0'],
    [
      'Tuwunel 1.9.0, which also answers the Synapse version endpoint with its own number',
      { ...none, synapseAdmin: { server_version: '1.9.0' }, tuwunel: { name: 'Tuwunel', version: '1.9.0' } },
      'tuwunel',
      '1.9.0',
    ],
    ['Tuwunel 1.8.0 (no Synapse admin API yet)', { ...none, tuwunel: { name: 'Tuwunel', version: '1.8.0' } }, 'tuwunel', '1.8.0'],
    [
      'Tuwunel known only from federation',
      { ...none, synapseAdmin: { server_version: '1.8.2' }, federation: { server: { name: 'Tuwunel', version: '1.8.2' } } },
      'tuwunel',
      '1.8.2',
    ],
    ['conduwuit', { ...none, conduwuit: { name: 'Conduwuit', version: '0.4.6' } }, 'conduwuit', '0.4.6'],
    ['Synapse known only from federation', { ...none, federation: { server: { name: 'Synapse', version: '1.120.0' } } }, 'synapse', '1.120.0'],
    ['Dendrite', { ...none, federation: { server: { name: 'Dendrite', version: '0.13.7' } } }, 'unknown', '0.13.7'],
    ['nothing', none, 'unknown', null],
  ] as const)('%s', (_name, answers, flavour, version) => {
    expect(identifyServer(answers)).toEqual({ flavour, version });
  });
});

describe('notesFor and applyProbes', () => {
  it('explains Synapse 1.67 in plain English', () => {
    const notes = notesFor(capabilitiesFor('synapse', '1.67.0'), null);
    expect(notes).toContain('Synapse 1.67.0: no /memberships endpoint (Synapse 1.145+); rooms the user has left are found by logging in as the user.');
    expect(notes.join('\n')).toMatch(/no admin room-messages endpoint \(Synapse 1\.68\+\); messages sent are counted by logging in as the user/);
    expect(notes.join('\n')).toMatch(/no user-redaction endpoint \(Synapse 1\.116\+\)/);
  });

  it('says nothing is missing on a current Synapse', () => {
    expect(notesFor(capabilitiesFor('synapse', '1.150.0'), { memberships: 'present', roomMessagesAdmin: 'present', redactUser: 'present' })).toEqual([]);
  });

  it('gives the reason for an unsupported server', () => {
    expect(notesFor(capabilitiesFor('tuwunel', '1.8.0'), null)).toEqual([
      'Tuwunel 1.8.0: Tuwunel 1.8.0 has no HTTP admin API (it arrived in Tuwunel 1.8.1); upgrade to 1.8.2 or later.',
    ]);
  });

  it('lets the server answer win over the table, and says so', () => {
    const expected = capabilitiesFor('tuwunel', '1.9.0');
    const probes = { memberships: 'missing', roomMessagesAdmin: 'present', redactUser: 'unknown' } as const;
    const actual = applyProbes(expected, probes);
    expect(actual.features).toEqual(TA(false, true, true, true, true));
    const notes = notesFor(expected, probes, actual).join('\n');
    expect(notes).toMatch(/\/memberships is missing although the version suggests otherwise/);
    expect(notes).toMatch(/could not check whether user redaction/);
    expect(notes).toMatch(/no log of connections and no user agents, only each device's last IP address and time/);
  });
});

describe('detectCapabilities', () => {
  let server: FakeServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  const unrecognized = { status: 400, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
  const bot = { status: 200, json: { name: '@privacybot:test.local', admin: 1, deactivated: 0, creation_ts: 1795695500 } };

  async function detect(handler: Handler) {
    server = await startFakeServer(handler);
    const http = createHomeserverHttp({ baseUrl: server.url, accessToken: 'admin-token', sleep: async () => {} });
    return detectCapabilities(http, { botUserId: '@privacybot:test.local', serverName: 'test.local' });
  }

  /** Synapse 1.67 as recorded: the version endpoint, Twisted 404 pages elsewhere, 400 M_UNRECOGNIZED for unknown admin paths. */
  const synapse167: Handler = (r) => {
    if (r.path === '/_synapse/admin/v1/server_version') return { status: 200, json: { server_version: '1.67.0', python_version: '3.11.2' } };
    if (r.path === '/_synapse/admin/v2/users/%40privacybot%3Atest.local') return bot;
    if (r.path.startsWith('/_synapse/admin/')) return unrecognized;
    return { status: 404, html: TWISTED_404 };
  };

  it('detects Synapse 1.67 and confirms its missing endpoints with side-effect-free probes', async () => {
    const { capabilities, notes } = await detect(synapse167);
    expect(capabilities).toEqual(capabilitiesFor('synapse', '1.67.0'));
    expect(notes[0]).toBe('Synapse 1.67.0: no /memberships endpoint (Synapse 1.145+); rooms the user has left are found by logging in as the user.');
    const probes = server!.requests.filter((r) => r.path.startsWith('/_synapse/admin/v1/') && r.path !== '/_synapse/admin/v1/server_version');
    expect(probes.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(probes.map((r) => r.path).sort()).toEqual([
      '/_synapse/admin/v1/rooms/%21dsar-bot-capability-probe%3Atest.local/messages',
      '/_synapse/admin/v1/user/redact_status/dsar-bot-capability-probe',
      '/_synapse/admin/v1/users/%40privacybot%3Atest.local/memberships',
    ]);
    // The version endpoints are asked without a token.
    const versions = server!.requests.filter((r) => r.path.endsWith('version'));
    expect(versions.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('detects a current Tuwunel, whose probes answer (404 for made-up IDs)', async () => {
    const { capabilities, notes } = await detect((r) => {
      if (r.path === '/_tuwunel/server_version') return { status: 200, json: { name: 'Tuwunel', version: '1.9.0' } };
      if (r.path === '/_synapse/admin/v1/server_version') return { status: 200, json: { server_version: '1.9.0' } };
      if (r.path === '/_matrix/federation/v1/version') return { status: 403, json: { errcode: 'M_FORBIDDEN', error: 'Federation is disabled.' } };
      if (r.path === '/_synapse/admin/v2/users/%40privacybot%3Atest.local') return bot;
      if (r.path.endsWith('/memberships')) return { status: 200, json: { memberships: {} } };
      if (r.path.startsWith('/_synapse/admin/')) return { status: 404, json: { errcode: 'M_NOT_FOUND', error: 'Not found' } };
      return { status: 404, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
    });
    expect(capabilities).toEqual(capabilitiesFor('tuwunel', '1.9.0'));
    expect(notes).toEqual([
      "Tuwunel 1.9.0: the server keeps no log of connections and no user agents, only each device's last IP address and time; that is what users are shown.",
    ]);
  });

  it('does not probe a server without an admin API', async () => {
    const { capabilities, notes } = await detect((r) =>
      r.path === '/_conduwuit/server_version'
        ? { status: 200, json: { name: 'Conduwuit', version: '0.4.6' } }
        : { status: 404, json: { errcode: 'M_UNRECOGNIZED' } },
    );
    expect(capabilities.supported).toBe(false);
    expect(notes[0]).toMatch(/^conduwuit 0\.4\.6: conduwuit has no HTTP admin API/);
    expect(server!.requests).toHaveLength(4);
  });

  it('says the server is unreachable rather than unknown when nothing answers', async () => {
    const http = createHomeserverHttp({ baseUrl: await closedPort(), accessToken: 'x', sleep: async () => {} });
    await expect(detectCapabilities(http, { botUserId: '@b:test.local', serverName: 'test.local' })).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
