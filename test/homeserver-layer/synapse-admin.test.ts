import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import type { Capabilities } from '../../src/homeserver/homeserver.ts';
import { createHomeserverHttp } from '../../src/homeserver/http.ts';
import { PUPPET_TTL_MS } from '../../src/homeserver/puppets.ts';
import {
  connectHomeserver,
  LEFT_ROOMS_REFUSED,
  LEFT_ROOMS_UNAVAILABLE,
  MESSAGES_REFUSED,
  MESSAGES_UNAVAILABLE,
  NOT_AVAILABLE,
  SynapseAdminHomeserver,
} from '../../src/homeserver/synapse-admin.ts';
import { memoryLedger } from '../support/ledger.ts';
import { type FakeServer, type Handler, type Reply, type SeenRequest, startFakeServer, TWISTED_404 } from './fake-server.ts';

const ALICE = '@alice:test.local';
const A = '%40alice%3Atest.local';
const R1 = '!joined:test.local';
const R2 = '!left:test.local';
const ADMIN = 'Bearer admin-token';
const BOT = 'Bearer bot-token';

const fixture = (file: string): unknown =>
  (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'synapse-1.67', file), 'utf8')) as { response: unknown }).response;
const unrecognized: Reply = { status: 400, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
const ok = (json: unknown): Reply => ({ status: 200, json });

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

type Setup = { capabilities?: Capabilities; now?: () => number };

async function homeserver(handler: Handler, setup: Setup = {}) {
  server = await startFakeServer(handler);
  const common = { baseUrl: server.url, sleep: async () => {}, random: () => 0 };
  const hs = new SynapseAdminHomeserver({
    admin: createHomeserverHttp({ ...common, accessToken: 'admin-token' }),
    bot: createHomeserverHttp({ ...common, accessToken: 'bot-token' }),
    capabilities: setup.capabilities ?? capabilitiesFor('synapse', '1.67.0'),
    serverName: 'test.local',
    puppetLedger: memoryLedger(),
    botUserId: '@privacybot:test.local',
    now: setup.now ?? (() => 1_000_000),
  });
  return { hs, requests: server.requests };
}

const summary = (requests: SeenRequest[]) => requests.map((r) => `${r.method} ${r.path} ${r.authorization ?? '-'}`);

describe('getAccount', () => {
  it('normalises the admin user object, and answers null for a user the server does not have', async () => {
    const { hs } = await homeserver((r) =>
      r.path === `/_synapse/admin/v2/users/${A}`
        ? ok(fixture('01-query-user-account-v2.json'))
        : { status: 404, json: { errcode: 'M_NOT_FOUND', error: 'User not found' } },
    );
    expect(await hs.getAccount(ALICE)).toMatchObject({ userId: ALICE, admin: false, createdAt: 1_795_693_927_000, erased: null });
    expect(await hs.getAccount('@nobody:test.local')).toBeNull();
  });
});

describe('getMemberships', () => {
  /** Synapse 1.67: joined_rooms, login-as, sync with include_leave, logout. */
  const synapse167: Handler = (r) => {
    if (r.path === `/_synapse/admin/v1/users/${A}/joined_rooms`) return ok({ joined_rooms: [R1], total: 1 });
    if (r.path === `/_synapse/admin/v1/users/${A}/login`) return ok({ access_token: 'puppet-1' });
    if (r.path === '/_matrix/client/v3/sync') return ok({ next_batch: 's1', rooms: { join: { [R1]: {} }, leave: { [R2]: { timeline: { events: [] } } } } });
    if (r.path === '/_matrix/client/v3/logout') return ok({});
    return unrecognized;
  };

  it('on Synapse 1.67 finds rooms left through a short-lived login-as token, and logs it out', async () => {
    const { hs, requests } = await homeserver(synapse167);
    expect(await hs.getMemberships(ALICE)).toEqual({
      available: true,
      value: [
        { roomId: R1, membership: 'join' },
        { roomId: R2, membership: 'leave' },
      ],
      joined: [{ roomId: R1, membership: 'join' }],
    });
    expect(summary(requests)).toEqual([
      `GET /_synapse/admin/v1/users/${A}/joined_rooms ${ADMIN}`,
      `POST /_synapse/admin/v1/users/${A}/login ${ADMIN}`,
      'GET /_matrix/client/v3/sync Bearer puppet-1',
      'POST /_matrix/client/v3/logout Bearer puppet-1',
    ]);
    expect(requests[1]?.body).toEqual({ valid_until_ms: 1_000_000 + PUPPET_TTL_MS });
    expect(JSON.parse(requests[2]?.query.get('filter') ?? '')).toEqual({ room: { include_leave: true, timeline: { limit: 1 } } });
    // The user's presence is not touched by the puppet sync.
    expect(requests[2]?.query.get('set_presence')).toBe('offline');
  });

  it('logs the puppet token out even when the sync fails', async () => {
    const { hs, requests } = await homeserver((r) => (r.path === '/_matrix/client/v3/sync' ? { status: 500, json: { errcode: 'M_UNKNOWN' } } : synapse167(r)));
    await expect(hs.getMemberships(ALICE)).rejects.toMatchObject({ kind: 'server-error' });
    expect(summary(requests).at(-1)).toBe('POST /_matrix/client/v3/logout Bearer puppet-1');
  });

  it('still shows joined rooms where rooms left are not available, and remembers the missing login-as', async () => {
    const { hs, requests } = await homeserver((r) =>
      r.path.endsWith('/login') ? { status: 404, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } } : synapse167(r),
    );
    const expected = { available: false, reason: LEFT_ROOMS_UNAVAILABLE, joined: [{ roomId: R1, membership: 'join' }] };
    expect(await hs.getMemberships(ALICE)).toEqual(expected);
    expect(hs.capabilities.features.loginAs).toBe(false);
    expect(await hs.getMemberships(ALICE)).toEqual(expected);
    expect(requests.filter((r) => r.path.endsWith('/login'))).toHaveLength(1);
  });

  it('still shows joined rooms when the server refuses to log in as this user', async () => {
    const { hs, requests } = await homeserver((r) =>
      r.path.endsWith('/login') ? { status: 400, json: { errcode: 'M_UNKNOWN', error: 'Cannot use admin API to login as self' } } : synapse167(r),
    );
    expect(await hs.getMemberships(ALICE)).toEqual({ available: false, reason: LEFT_ROOMS_REFUSED, joined: [{ roomId: R1, membership: 'join' }] });
    // Refused for this user only: login-as stays available for others.
    expect(hs.capabilities.features.loginAs).toBe(true);
    expect(requests.some((r) => r.path === '/_matrix/client/v3/logout')).toBe(false);
  });

  it('uses /memberships where the server has it', async () => {
    const { hs, requests } = await homeserver(
      (r) =>
        r.path === `/_synapse/admin/v1/users/${A}/memberships`
          ? ok({ memberships: { [R2]: 'leave', [R1]: 'join', '!b:t': 'ban', '!x:t': 'something-new' } })
          : unrecognized,
      { capabilities: capabilitiesFor('tuwunel', '1.9.0') },
    );
    expect(await hs.getMemberships(ALICE)).toEqual({
      available: true,
      value: [
        { roomId: R1, membership: 'join' },
        { roomId: R2, membership: 'leave' },
        { roomId: '!b:t', membership: 'ban' },
      ],
      joined: [{ roomId: R1, membership: 'join' }],
    });
    expect(requests).toHaveLength(1);
  });

  it('on current Synapse adds the rooms /memberships misses (nobody here is in them any more) from a login-as sync', async () => {
    const ABANDONED = '!abandoned:test.local';
    const { hs, requests } = await homeserver(
      (r) => {
        if (r.path === `/_synapse/admin/v1/users/${A}/memberships`) return ok({ memberships: { [R1]: 'join', [R2]: 'leave' } });
        if (r.path === '/_matrix/client/v3/sync') return ok({ next_batch: 's1', rooms: { leave: { [R2]: {}, [ABANDONED]: {} } } });
        return synapse167(r);
      },
      { capabilities: capabilitiesFor('synapse', '1.160.0') },
    );
    expect((await hs.getMemberships(ALICE)).available && (await hs.getMemberships(ALICE))).toMatchObject({
      value: [
        { roomId: R1, membership: 'join' },
        { roomId: R2, membership: 'leave' },
        { roomId: ABANDONED, membership: 'leave' },
      ],
    });
    // joined_rooms is not asked: /memberships says which rooms are joined.
    expect(requests.some((r) => r.path.endsWith('/joined_rooms'))).toBe(false);
  });

  it('falls back from a /memberships that turns out missing, and does not ask it again', async () => {
    const { hs, requests } = await homeserver(synapse167, { capabilities: capabilitiesFor('synapse', '1.150.0') });
    expect((await hs.getMemberships(ALICE)).available).toBe(true);
    expect(hs.capabilities.features.memberships).toBe(false);
    await hs.getMemberships(ALICE);
    expect(requests.filter((r) => r.path.endsWith('/memberships'))).toHaveLength(1);
  });
});

describe('countMessagesSent', () => {
  const page = (chunk: { type: string; sender: string }[], end?: string) => ok({ chunk, start: 's', ...(end ? { end } : {}) });
  const msg = (sender: string, type = 'm.room.message') => ({
    type,
    sender,
    content: { body: 'secret text' },
    event_id: '$e',
    origin_server_ts: 1_795_693_929_053,
  });
  /** Room R1 in two pages, then an empty one; R2 is closed to this reader. */
  const rooms = (r: SeenRequest): Reply | null => {
    const room = decodeURIComponent(r.path.split('/rooms/')[1]?.split('/')[0] ?? '');
    if (room === R2) return { status: 403, json: { errcode: 'M_FORBIDDEN', error: 'User not in room' } };
    const from = r.query.get('from');
    if (from === null) return page([msg(ALICE), msg(ALICE, 'm.room.encrypted'), msg('@bob:test.local'), msg(ALICE, 'm.room.member')], 't1');
    if (from === 't1') return page([msg(ALICE)], 't2');
    return page([]);
  };

  it('pages the admin room-messages endpoint backwards and counts only messages the user sent', async () => {
    const { hs, requests } = await homeserver((r) => (r.path.startsWith('/_synapse/admin/v1/rooms/') ? rooms(r)! : unrecognized), {
      capabilities: capabilitiesFor('synapse', '1.150.0'),
    });
    expect(await hs.countMessagesSent(ALICE, [R1, R2])).toEqual({ available: true, value: { count: 3, roomsSearched: 1 } });
    const first = requests[0]!;
    expect(first.path).toBe('/_synapse/admin/v1/rooms/%21joined%3Atest.local/messages');
    expect(first.authorization).toBe(ADMIN);
    expect(first.query.get('dir')).toBe('b');
    expect(first.query.get('limit')).toBe('1000');
    expect(JSON.parse(first.query.get('filter') ?? '')).toMatchObject({ senders: [ALICE] });
    expect(requests.map((r) => r.query.get('from'))).toEqual([null, 't1', 't2', null]);
  });

  it('on Synapse 1.67 reads as the user through a puppet token, then logs it out', async () => {
    const { hs, requests } = await homeserver((r) => {
      if (r.path.endsWith('/login')) return ok({ access_token: 'puppet-1' });
      if (r.path.startsWith('/_matrix/client/v3/rooms/')) return rooms(r)!;
      if (r.path === '/_matrix/client/v3/logout') return ok({});
      return unrecognized;
    });
    expect(await hs.countMessagesSent(ALICE, [R1, R2])).toEqual({ available: true, value: { count: 3, roomsSearched: 1 } });
    expect(requests.some((r) => r.path.startsWith('/_synapse/admin/v1/rooms/'))).toBe(false);
    expect(requests.filter((r) => r.path.includes('/messages')).every((r) => r.authorization === 'Bearer puppet-1')).toBe(true);
    expect(summary(requests).at(-1)).toBe('POST /_matrix/client/v3/logout Bearer puppet-1');
  });

  it('does not mistake a refused login-as for rooms it cannot read', async () => {
    const { hs, requests } = await homeserver((r) =>
      r.path.endsWith('/login')
        ? { status: 403, json: { errcode: 'M_FORBIDDEN', error: 'nope' } }
        : r.path.startsWith('/_matrix/client/v3/rooms/')
          ? rooms(r)!
          : unrecognized,
    );
    expect(await hs.countMessagesSent(ALICE, [R1, R2])).toEqual({ available: false, reason: MESSAGES_REFUSED });
    expect(requests.filter((r) => r.path.endsWith('/login'))).toHaveLength(1);
    expect(requests.some((r) => r.path.includes('/messages'))).toBe(false);
  });

  it('falls back to login-as when the admin endpoint turns out missing, and remembers it', async () => {
    const { hs, requests } = await homeserver(
      (r) => {
        if (r.path.endsWith('/login')) return ok({ access_token: 'puppet-1' });
        if (r.path.startsWith('/_matrix/client/v3/rooms/')) return rooms(r)!;
        if (r.path === '/_matrix/client/v3/logout') return ok({});
        return unrecognized;
      },
      { capabilities: capabilitiesFor('synapse', '1.150.0') },
    );
    expect((await hs.countMessagesSent(ALICE, [R1])).available).toBe(true);
    expect(hs.capabilities.features.roomMessagesAdmin).toBe(false);
    await hs.countMessagesSent(ALICE, [R1]);
    expect(requests.filter((r) => r.path.startsWith('/_synapse/admin/v1/rooms/'))).toHaveLength(1);
  });

  it('renews a puppet token that is about to run out, logging the old one out', async () => {
    let clock = 1_000_000;
    let logins = 0;
    const { hs, requests } = await homeserver(
      (r) => {
        if (r.path.endsWith('/login')) return ok({ access_token: `puppet-${++logins}` });
        if (r.path === '/_matrix/client/v3/logout') return ok({});
        clock += PUPPET_TTL_MS / 2 + 1; // each page takes a long time
        return rooms(r)!;
      },
      { now: () => clock },
    );
    expect(await hs.countMessagesSent(ALICE, [R1])).toEqual({ available: true, value: { count: 3, roomsSearched: 1 } });
    const logouts = requests.filter((r) => r.path === '/_matrix/client/v3/logout').map((r) => r.authorization);
    expect(logins).toBeGreaterThan(1);
    expect(logouts).toEqual(Array.from({ length: logins }, (_, i) => `Bearer puppet-${i + 1}`));
  });

  it('is unavailable where neither the admin endpoint nor login-as exists', async () => {
    const { hs, requests } = await homeserver(() => unrecognized, { capabilities: capabilitiesFor('tuwunel', '1.8.1') });
    // Tuwunel 1.8.1 has the admin endpoint per the table; it turns out missing here, and login-as does not exist.
    expect(await hs.countMessagesSent(ALICE, [R1])).toEqual({ available: false, reason: MESSAGES_UNAVAILABLE });
    expect(requests.some((r) => r.path.endsWith('/login'))).toBe(false);
  });

  it('counts nothing, without asking, when there are no rooms', async () => {
    const { hs, requests } = await homeserver(() => unrecognized);
    expect(await hs.countMessagesSent(ALICE, [])).toEqual({ available: true, value: { count: 0, roomsSearched: 0 } });
    expect(requests).toHaveLength(0);
  });
});

describe('the other reads', () => {
  it('pages through media once per page, oldest first', async () => {
    const media = (n: number) => Array.from({ length: n }, (_, i) => ({ media_id: `m${i}`, media_length: 10, media_type: 'text/plain' }));
    const { hs, requests } = await homeserver((r) => {
      const from = r.query.get('from');
      if (from === '0') return ok({ media: media(2), total: 5, next_token: 2 });
      if (from === '2') return ok({ media: media(2), total: 5, next_token: 4 });
      if (from === '4') return ok({ media: media(1), total: 5 });
      return unrecognized;
    });
    expect(await hs.getMediaSummary(ALICE)).toEqual({ count: 5, totalBytes: 50 });
    expect(requests.map((r) => r.query.get('from'))).toEqual(['0', '2', '4']);
    expect(requests[0]?.query.get('order_by')).toBe('created_ts');
    expect(requests[0]?.query.get('dir')).toBe('f');
  });

  it('never fetches a media page twice, even if the server repeats a token', async () => {
    const { hs, requests } = await homeserver(() => ok({ media: [{ media_id: 'm', media_length: 3 }], total: 9, next_token: 0 }));
    expect(await hs.getMediaSummary(ALICE)).toEqual({ count: 1, totalBytes: 3 });
    expect(requests).toHaveLength(1);
  });

  it('reads devices, account data (types only) and pushers as recorded on Synapse 1.67', async () => {
    const { hs } = await homeserver((r) => {
      if (r.path.endsWith('/devices')) return ok(fixture('03-list-devices-v2.json'));
      if (r.path.endsWith('/accountdata')) return ok(fixture('06-account-data.json'));
      if (r.path.endsWith('/pushers')) return ok(fixture('07-pushers.json'));
      return unrecognized;
    });
    expect((await hs.getDevices(ALICE)).map((d) => d.deviceId)).toEqual(['ALICEPHONE', 'BEFFEYLINS', 'OBCNYVUPSN']);
    const accountData = await hs.getAccountData(ALICE);
    expect(accountData.globalTypes).toEqual(['org.example.privacy_prefs']);
    expect(JSON.stringify(accountData)).not.toContain('blue');
    expect((await hs.getPushers(ALICE))[0]?.gatewayUrl).toBe('http://127.0.0.1:9/_matrix/push/v1/notify');
  });

  it('reads sessions from whois, and marks a missing whois unavailable once and for all', async () => {
    const first = await homeserver((r) =>
      r.path.startsWith('/_synapse/admin/v1/whois/') ? ok(fixture('05-whois-sessions-ips-user-agents.json')) : unrecognized,
    );
    expect(await first.hs.getSessions(ALICE)).toEqual({
      available: true,
      value: {
        kept: 'connection-log',
        sessions: [{ deviceId: null, connections: [{ ip: '127.0.0.1', lastSeenAt: 1_795_693_928_778, userAgent: 'Python-urllib/3.11' }] }],
      },
    });
    await server?.close();

    const second = await homeserver(() => ({ status: 404, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } }));
    expect(await second.hs.getSessions(ALICE)).toEqual({ available: false, reason: NOT_AVAILABLE });
    expect(await second.hs.getSessions(ALICE)).toEqual({ available: false, reason: NOT_AVAILABLE });
    expect(second.requests).toHaveLength(1);
  });

  it('does not ask whois where it only repeats the devices (Tuwunel)', async () => {
    const { hs, requests } = await homeserver(() => unrecognized, { capabilities: capabilitiesFor('tuwunel', '1.9.0') });
    expect(await hs.getSessions(ALICE)).toEqual({ available: true, value: { kept: 'last-seen-per-device' } });
    expect(requests).toHaveLength(0);
  });

  it('asks for encryption keys with the bot token and keeps presence only', async () => {
    const { hs, requests } = await homeserver((r) =>
      r.path === '/_matrix/client/v3/keys/query'
        ? ok({
            device_keys: { [ALICE]: { DEV1: { keys: { 'ed25519:DEV1': 'k' } }, DEV2: { keys: {} } } },
            master_keys: { [ALICE]: { keys: { 'ed25519:x': 'y' } } },
            failures: {},
          })
        : unrecognized,
    );
    expect(await hs.getEncryptionKeys(ALICE)).toEqual({ available: true, value: { devicesWithKeys: ['DEV1', 'DEV2'], crossSigning: true } });
    expect(requests[0]?.authorization).toBe(BOT);
    expect(requests[0]?.body).toEqual({ device_keys: { [ALICE]: [] } });
  });

  it('refuses everything, without a request, on a server without an admin API', async () => {
    const { hs, requests } = await homeserver(() => ok({}), { capabilities: capabilitiesFor('conduwuit', '0.4.6') });
    await expect(hs.getAccount(ALICE)).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(hs.getMemberships(ALICE)).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(hs.getMediaSummary(ALICE)).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toHaveLength(0);
  });
});

describe('connectHomeserver', () => {
  it('connects to a Synapse 1.67 and reports what it lacks', async () => {
    server = await startFakeServer((r) => {
      if (r.path === '/_synapse/admin/v1/server_version') return ok({ server_version: '1.67.0', python_version: '3.11.2' });
      if (r.path === '/_synapse/admin/v2/users/%40privacybot%3Atest.local') return ok({ name: '@privacybot:test.local', admin: 1 });
      if (r.path.startsWith('/_synapse/admin/')) return unrecognized;
      return { status: 404, html: TWISTED_404 };
    });
    const { homeserver: hs, notes } = await connectHomeserver({
      url: server.url,
      serverName: 'test.local',
      adminToken: 'admin-token',
      botToken: 'bot-token',
      botUserId: '@privacybot:test.local',
      timeoutMs: 5000,
      puppetLedger: memoryLedger(),
    });
    expect(hs.capabilities).toEqual(capabilitiesFor('synapse', '1.67.0'));
    expect(notes).toHaveLength(3);
  });
});
