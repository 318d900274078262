// The homeserver layer's reads for exports, against a scripted server: the walk over a room
// (backwards, each page once, a puppet token per room that is logged out even when the walk is
// abandoned), downloads on the authenticated media path with the legacy one as fallback, and
// the key backup.
import { afterEach, describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import { createHomeserverHttp } from '../../src/homeserver/http.ts';
import { MEDIA_GONE, SynapseAdminHomeserver } from '../../src/homeserver/synapse-admin.ts';
import { memoryLedger } from '../support/ledger.ts';
import { type FakeServer, type Handler, type Reply, startFakeServer } from './fake-server.ts';

const ALICE = '@alice:test.local';
const ROOM = '!room:test.local';
const ok = (json: unknown): Reply => ({ status: 200, json });
const unrecognized: Reply = { status: 404, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
const msg = (n: number) => ({ event_id: `$${n}`, type: 'm.room.message', sender: ALICE, origin_server_ts: n, content: { body: `m${n}` } });

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function homeserver(handler: Handler, version = '1.67.0') {
  server = await startFakeServer(handler);
  const common = { baseUrl: server.url, sleep: async () => {}, random: () => 0 };
  return new SynapseAdminHomeserver({
    admin: createHomeserverHttp({ ...common, accessToken: 'admin-token' }),
    bot: createHomeserverHttp({ ...common, accessToken: 'bot-token' }),
    capabilities: capabilitiesFor('synapse', version),
    serverName: 'example.org',
    puppetLedger: memoryLedger(),
    botUserId: '@privacybot:example.org',
    now: () => 1_000_000,
  });
}

/** Synapse 1.67: login-as, three pages backwards, logout. */
const puppetRoom: Handler = (r) => {
  if (r.path.endsWith('/login')) return ok({ access_token: 'puppet' });
  if (r.path === '/_matrix/client/v3/logout') return ok({});
  if (r.path.endsWith('/messages')) {
    const from = r.query.get('from');
    if (from === null) return ok({ chunk: [msg(3), msg(2)], start: 's', end: 't2' });
    if (from === 't2') return ok({ chunk: [msg(1)], start: 't2', end: 't3' });
    return ok({ chunk: [], start: 't3' });
  }
  return unrecognized;
};

describe('sentEvents', () => {
  it.each([
    ['the same token forever', (from: string | null) => (from === null ? 't1' : from)],
    ['tokens in a circle', (from: string | null) => (from === 't2' ? 't1' : 't2')],
  ])('stops with a clear error when the server hands back %s, and still logs the puppet token out', async (_what, nextOf) => {
    const hs = await homeserver((r) => {
      if (r.path.endsWith('/login')) return ok({ access_token: 'puppet' });
      if (r.path === '/_matrix/client/v3/logout') return ok({});
      if (r.path.endsWith('/messages')) return ok({ chunk: [msg(1)], start: 's', end: nextOf(r.query.get('from')) });
      return unrecognized;
    });
    let error: unknown;
    try {
      for await (const _page of hs.sentEvents(ALICE, ROOM)) void _page;
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: 'bad-response', userMessage: expect.stringMatching(/page token it had given before/) });
    expect(server!.requests.filter((r) => r.path.endsWith('/messages')).length).toBeLessThanOrEqual(3);
    expect(server!.requests.filter((r) => r.path === '/_matrix/client/v3/logout')).toHaveLength(1);
  });

  it('pages backwards from the end as the user, each page once, and logs the puppet token out', async () => {
    const hs = await homeserver(puppetRoom);
    const pages: string[][] = [];
    for await (const page of hs.sentEvents(ALICE, ROOM)) pages.push(page.map((e) => e.event_id));
    expect(pages).toEqual([['$3', '$2'], ['$1']]);
    const messages = server!.requests.filter((r) => r.path.endsWith('/messages'));
    expect(messages.map((r) => [r.query.get('dir'), r.query.get('from')])).toEqual([
      ['b', null],
      ['b', 't2'],
      ['b', 't3'],
    ]);
    expect(JSON.parse(messages[0]!.query.get('filter')!)).toEqual({ senders: [ALICE] });
    expect(messages.every((r) => r.authorization === 'Bearer puppet')).toBe(true);
    expect(server!.requests.at(-1)).toMatchObject({ path: '/_matrix/client/v3/logout', authorization: 'Bearer puppet' });
  });

  it('logs the puppet token out when the walk is abandoned half-way', async () => {
    const hs = await homeserver(puppetRoom);
    for await (const page of hs.sentEvents(ALICE, ROOM)) {
      expect(page).toHaveLength(2);
      break;
    }
    expect(server!.requests.filter((r) => r.path === '/_matrix/client/v3/logout')).toHaveLength(1);
    expect(server!.requests.filter((r) => r.path.endsWith('/messages')).length).toBeLessThanOrEqual(2);
  });

  it('uses the admin endpoint where the server has it, with no token minted', async () => {
    const hs = await homeserver((r) => (r.path.startsWith('/_synapse/admin/v1/rooms/') ? puppetRoom(r) : unrecognized), '1.150.0');
    let events = 0;
    for await (const page of hs.sentEvents(ALICE, ROOM)) events += page.length;
    expect(events).toBe(3);
    expect(server!.requests.every((r) => r.authorization === 'Bearer admin-token')).toBe(true);
  });
});

describe('downloadMedia', () => {
  it('falls back to the legacy media path where authenticated media is missing, and remembers it', async () => {
    const hs = await homeserver((r) =>
      r.path.startsWith('/_matrix/media/v3/download/test.local/')
        ? r.path.endsWith('/gone')
          ? { status: 404, json: { errcode: 'M_NOT_FOUND', error: 'Not found' } }
          : { status: 200, html: 'file bytes', headers: { 'content-type': 'text/plain' } }
        : unrecognized,
    );
    const first = await hs.downloadMedia('mxc://test.local/abc');
    expect(first.available).toBe(true);
    if (first.available) expect(await new Response(first.body).text()).toBe('file bytes');
    expect(await hs.downloadMedia('mxc://test.local/gone')).toEqual({ available: false, reason: MEDIA_GONE });
    expect(server!.requests.map((r) => r.path)).toEqual([
      '/_matrix/client/v1/media/download/test.local/abc',
      '/_matrix/media/v3/download/test.local/abc',
      '/_matrix/media/v3/download/test.local/gone',
    ]);
  });

  it('never puts anything but a well-formed mxc URI into a URL', async () => {
    const hs = await homeserver(() => unrecognized);
    for (const bad of ['mxc://test.local/../../admin', 'https://evil.example/x', 'mxc://test.local/a?b=c']) {
      expect((await hs.downloadMedia(bad)).available).toBe(false);
    }
    expect(server!.requests).toHaveLength(0);
  });
});

describe('getKeyBackup', () => {
  it('reads "No backup found" as no backup, through a login-as token it logs out', async () => {
    const hs = await homeserver((r) => {
      if (r.path.endsWith('/login')) return ok({ access_token: 'puppet' });
      if (r.path === '/_matrix/client/v3/logout') return ok({});
      if (r.path === '/_matrix/client/v3/room_keys/version') return { status: 404, json: { errcode: 'M_NOT_FOUND', error: 'No backup found' } };
      return unrecognized;
    });
    expect(await hs.getKeyBackup(ALICE)).toEqual({ available: true, value: null });
    expect(server!.requests.map((r) => r.path).at(-1)).toBe('/_matrix/client/v3/logout');
  });
});
