// Login-as sessions against the tuwunel flavour over real HTTP, where each one is an
// "Admin login" device the user can see: it must be gone after every job, however the job
// ended, and one a crash left behind must be gone after the next start.

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import type { Capabilities } from '../../src/homeserver/homeserver.ts';
import { createHomeserverHttp } from '../../src/homeserver/http.ts';
import { PUPPET_TTL_MS } from '../../src/homeserver/puppets.ts';
import { SynapseAdminHomeserver } from '../../src/homeserver/synapse-admin.ts';
import { migrate } from '../../src/store/migrations.ts';
import { SqlitePuppetLedger } from '../../src/store/puppet-sessions.ts';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from '../homeserver/test-helpers.ts';
import { memoryLedger } from '../support/ledger.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

const ALICE = '@alice:test.local';

/** Tuwunel 1.9.0 as if it lacked the admin endpoints that spare login-as, so that the bot needs it. */
const needsLoginAs = (): Capabilities => {
  const c = capabilitiesFor('tuwunel', '1.9.0');
  return { ...c, features: { ...c.features, memberships: false, roomMessagesAdmin: false } };
};

async function world(options: { now?: () => number; ledger?: SqlitePuppetLedger } = {}) {
  hs = await startTestHomeserver({ flavour: 'tuwunel' });
  const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
  hs.model.addUser({ localpart: 'alice' });
  const ledger = options.ledger ?? memoryLedger();
  const http = (token: string) => createHomeserverHttp({ baseUrl: hs.url, accessToken: token, sleep: async () => {}, maxRetries: 1 });
  const homeserver = new SynapseAdminHomeserver({
    admin: http(bot.accessToken),
    bot: http(bot.accessToken),
    capabilities: needsLoginAs(),
    serverName: 'test.local',
    puppetLedger: ledger,
    botUserId: bot.userId,
    ...(options.now ? { now: options.now } : {}),
  });
  const puppetDevices = () => [...(hs.model.user(ALICE)?.devices.values() ?? [])].filter((d) => d.displayName === 'Admin login');
  /** A login-as made behind the bot's back, as a crash would leave it: the device it opened. */
  const strayLogin = async (): Promise<string> => {
    const token = (await call(hs.url, 'POST', `/_synapse/admin/v1/users/${enc(ALICE)}/login`, { token: bot.accessToken, body: {} })).body
      .access_token as string;
    return hs.model.tokenInfo(token)?.deviceId ?? '';
  };
  return { bot, ledger, homeserver, puppetDevices, strayLogin };
}

describe('login-as on Tuwunel', () => {
  it('opens an "Admin login" device for the job and removes it when done', async () => {
    const { homeserver, ledger, puppetDevices } = await world();
    const room = hs.model.createRoom(ALICE);
    hs.model.leave(room, ALICE);
    const memberships = await homeserver.getMemberships(ALICE);
    expect(memberships).toMatchObject({ available: true, value: [{ roomId: room, membership: 'leave' }] });
    expect(hs.requests.some((r) => r.method === 'POST' && r.path.endsWith('/login'))).toBe(true);
    expect(puppetDevices()).toEqual([]);
    expect(ledger.unfinished()).toEqual([]);
  });

  it('removes it when the job fails', async () => {
    const { homeserver, ledger, puppetDevices } = await world();
    hs.faults.add({ path: '/_matrix/client/v3/sync', kind: 'status', status: 500, times: 5 });
    await expect(homeserver.getMemberships(ALICE)).rejects.toMatchObject({ kind: 'server-error' });
    expect(puppetDevices()).toEqual([]);
    expect(ledger.unfinished()).toEqual([]);
  });

  it('deletes the device with an admin call when the token expired before it could log out', async () => {
    // The bot's clock runs so that the token it asks for ends 300 ms from now; the sync outlasts it.
    const { homeserver, ledger, puppetDevices } = await world({ now: () => Date.now() - PUPPET_TTL_MS + 300 });
    hs.faults.add({ path: '/_matrix/client/v3/sync', kind: 'latency', latencyMs: 500 });
    await homeserver.getMemberships(ALICE);
    const logout = hs.requests.find((r) => r.path === '/_matrix/client/v3/logout');
    expect(logout?.status).toBe(401);
    expect(hs.requests.some((r) => r.method === 'DELETE' && r.path.includes('/devices/'))).toBe(true);
    expect(puppetDevices()).toEqual([]);
    expect(ledger.unfinished()).toEqual([]);
  });

  it("does not show the bot's live session as the user's device, but shows anyone else's", async () => {
    const { homeserver, ledger, strayLogin } = await world();
    const ours = await strayLogin();
    const someoneElses = await strayLogin();
    ledger.attachDevice(ledger.begin(ALICE, Date.now()), ours);
    const shown = (await homeserver.getDevices(ALICE)).map((d) => d.deviceId);
    expect(shown).not.toContain(ours);
    expect(shown).toContain(someoneElses);
  });
});

describe('after a crash', () => {
  it('removes the device of a session the bot had recorded, at the next start', async () => {
    const { homeserver, ledger, strayLogin, puppetDevices } = await world();
    const device = await strayLogin();
    ledger.attachDevice(ledger.begin(ALICE, Date.now()), device);
    const notes = await homeserver.cleanUpPuppetSessions();
    expect(notes).toEqual([`Removed the login-as device ${device} the bot had left on ${ALICE}'s account when it stopped unexpectedly.`]);
    expect(puppetDevices()).toEqual([]);
    expect(ledger.unfinished()).toEqual([]);
  });

  it('finds the device of a session that crashed before its device was known, and leaves older ones alone', async () => {
    const { homeserver, ledger, strayLogin } = await world();
    hs.model.user(ALICE)?.devices.set('HUMAN', {
      deviceId: 'HUMAN',
      displayName: 'Admin login',
      lastSeenIp: null,
      lastSeenUserAgent: null,
      lastSeenAt: Date.now() - 3_600_000,
      hasKeys: false,
    });
    ledger.begin(ALICE, Date.now());
    const device = await strayLogin();
    await homeserver.cleanUpPuppetSessions();
    expect(hs.model.user(ALICE)?.devices.has(device)).toBe(false);
    expect(hs.model.user(ALICE)?.devices.has('HUMAN')).toBe(true);
    expect(ledger.unfinished()).toEqual([]);
  });

  it('ends what one process (an export process) left, and only that: never the live session of another on the same account', async () => {
    const db = new Database(':memory:');
    migrate(db);
    const bots = new SqlitePuppetLedger(db);
    const exporters = new SqlitePuppetLedger(db, 'export:R-TEST');
    const { homeserver, strayLogin, puppetDevices } = await world({ ledger: bots });
    const live = await strayLogin();
    bots.attachDevice(bots.begin(ALICE, Date.now()), live);
    // The export process died after its login-as and before it learnt the device's ID.
    exporters.begin(ALICE, Date.now());
    const left = await strayLogin();
    expect(await homeserver.cleanUpPuppetSessions('export:R-TEST')).toEqual([
      `Removed the login-as device ${left} the bot had left on ${ALICE}'s account when it stopped unexpectedly.`,
    ]);
    expect(puppetDevices().map((d) => d.deviceId)).toEqual([live]);
    expect(exporters.unfinished('export:R-TEST')).toEqual([]);
    expect(bots.unfinished()).toMatchObject([{ userId: ALICE, deviceId: live }]);
  });

  it('keeps the record when the server cannot be reached, to try again', async () => {
    const { homeserver, ledger, strayLogin } = await world();
    const device = await strayLogin();
    ledger.attachDevice(ledger.begin(ALICE, Date.now()), device);
    // Both attempts of the first clean-up are dropped (one retry).
    hs.faults.add({ method: 'DELETE', path: /\/devices\//, kind: 'drop', times: 2 });
    expect(await homeserver.cleanUpPuppetSessions()).toEqual([
      `Could not remove the login-as session the bot opened on ${ALICE}'s account before it stopped; it will try again at the next start.`,
    ]);
    expect(ledger.unfinished()).toHaveLength(1);
    expect(await homeserver.cleanUpPuppetSessions()).toHaveLength(1);
    expect(ledger.unfinished()).toEqual([]);
  });
});
