// The erasure's operations against the test homeserver over real HTTP, one at a time: what
// each does when it runs again after an interruption, and what the read-back counts.
import { afterEach, describe, expect, it } from 'vitest';
import { failedChecks } from '../../src/erasure/verification.ts';
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import type { ErasureOperations, RedactionResume } from '../../src/homeserver/homeserver.ts';
import { createHomeserverHttp } from '../../src/homeserver/http.ts';
import { SynapseAdminHomeserver } from '../../src/homeserver/synapse-admin.ts';
import { type Flavour, startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from '../homeserver/test-helpers.ts';
import { memoryLedger } from '../support/ledger.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

const ALICE = '@alice:test.local';
const VERSIONS = { synapse: ['synapse', '1.160.0'], 'synapse-1.67': ['synapse', '1.67.0'], tuwunel: ['tuwunel', '1.9.0'] } as const;

async function world(flavour: Flavour, options: { redactionStepMs?: number; version?: string } = {}) {
  hs = await startTestHomeserver({ flavour, ...options });
  const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
  const alice = hs.model.addUser({ localpart: 'alice', displayName: 'Alice', emails: ['alice@test.local'] });
  const http = (token: string) => createHomeserverHttp({ baseUrl: hs.url, accessToken: token, sleep: async () => {}, maxRetries: 1 });
  const [name, version] = options.version ? (['synapse', options.version] as const) : VERSIONS[flavour];
  const homeserver = new SynapseAdminHomeserver({
    admin: http(bot.accessToken),
    bot: http(bot.accessToken),
    capabilities: capabilitiesFor(name, version),
    serverName: 'test.local',
    puppetLedger: memoryLedger(),
    botUserId: bot.userId,
    redactionPollMs: 10,
  });
  return { bot, alice, ops: homeserver.erasure as ErasureOperations, m: hs.model };
}

/** A redaction's resume hooks, keeping the checkpoint as the job would. */
function resumeFrom(checkpoint: unknown = null) {
  const saved: unknown[] = [];
  const resume: RedactionResume = { checkpoint, save: (c) => saved.push(structuredClone(c)), progress: () => {}, signal: new AbortController().signal };
  return { resume, saved, last: () => saved.at(-1) };
}

/** The user's events anyone could still read in the room. */
const readable = (m: TestHomeserver['model'], room: string) =>
  m.room(room)!.events.filter((e) => e.sender === ALICE && !e.redactedBy && e.type === 'm.room.message');

const posts = (path: RegExp) => hs.requests.filter((r) => r.method === 'POST' && path.test(r.path));
const TASK = /\/user\/[^/]+\/redact$/;

describe('the server’s redaction task', () => {
  it('keeps its ID before following it; a restart with the ID follows the same task instead of asking again', async () => {
    const { ops, m } = await world('tuwunel', { redactionStepMs: 50 });
    const rooms = [m.createRoom(ALICE), m.createRoom(ALICE)];
    for (const room of rooms) m.sendMessage(room, ALICE, 'mine');
    const first = resumeFrom();
    await ops.redactEvents(ALICE, rooms, first.resume, { serverTask: true });
    expect(first.saved.slice(0, 2)).toMatchObject([{ task: { state: 'asking' } }, { task: { state: 'running', redactId: expect.any(String) } }]);
    const running = first.saved[1] as { task: { redactId: string } };

    // As if the bot had died while following it.
    const again = resumeFrom({ task: running.task });
    const result = await ops.redactEvents(ALICE, rooms, again.resume, { serverTask: true });
    expect(posts(TASK)).toHaveLength(1);
    expect(hs.requests.filter((r) => r.path.endsWith(`/redact_status/${running.task.redactId}`)).length).toBeGreaterThan(1);
    expect(result).toMatchObject({ serverTask: true, serverTaskFailures: 0, redactedOneByOne: 0, roomsNotRedacted: [] });
  });

  it('a restart that finds the task asked for, its ID never heard, looks it up and follows it: no second task, nothing redacted twice', async () => {
    const { ops, m, bot } = await world('synapse', { redactionStepMs: 100 });
    const rooms = [m.createRoom(ALICE), m.createRoom(ALICE), m.createRoom(ALICE)];
    const said = rooms.map((room) => m.sendMessage(room, ALICE, 'mine'));
    // The task a run asked for before it died, never having heard the answer.
    await call(hs.url, 'POST', `/_synapse/admin/v1/user/${enc(ALICE)}/redact`, { token: bot.accessToken, body: { rooms } });
    const result = await ops.redactEvents(ALICE, rooms, resumeFrom({ task: { state: 'asking', at: Date.now() - 1000 } }).resume, { serverTask: true });
    expect(posts(TASK)).toHaveLength(1);
    expect(hs.requests.some((r) => r.path.startsWith('/_synapse/admin/v1/scheduled_tasks'))).toBe(true);
    expect(result.serverTask).toBe(true);
    // Synapse's task redacts again what is already redacted: one task, one redaction per message.
    for (const [i, room] of rooms.entries())
      expect(
        m.room(room)!.events.filter((e) => e.redacts === said[i]),
        room,
      ).toHaveLength(1);
  });

  it('a task request whose answer is lost is looked up, not sent again', async () => {
    const { ops, m } = await world('synapse');
    const rooms = [m.createRoom(ALICE)];
    const said = m.sendMessage(rooms[0]!, ALICE, 'mine');
    hs.faults.add({ method: 'POST', path: TASK, kind: 'commit-then-drop', times: 1 });
    const result = await ops.redactEvents(ALICE, rooms, resumeFrom().resume, { serverTask: true });
    expect(posts(TASK)).toHaveLength(1);
    expect(result.serverTask).toBe(true);
    expect(m.room(rooms[0]!)!.events.filter((e) => e.redacts === said)).toHaveLength(1);
  });

  it('where the server cannot list its tasks (Synapse 1.116–1.129), a restart lets the unknown task finish and starts none', async () => {
    const { ops, m, bot } = await world('synapse', { redactionStepMs: 100, version: '1.120.0' });
    const rooms = [m.createRoom(ALICE), m.createRoom(ALICE)];
    const said = rooms.map((room) => m.sendMessage(room, ALICE, 'mine'));
    await call(hs.url, 'POST', `/_synapse/admin/v1/user/${enc(ALICE)}/redact`, { token: bot.accessToken, body: { rooms } });
    const result = await ops.redactEvents(ALICE, rooms, resumeFrom({ task: { state: 'asking', at: Date.now() } }).resume, { serverTask: true });
    expect(posts(TASK)).toHaveLength(1);
    expect(result).toMatchObject({ serverTask: true, redactedOneByOne: 0 });
    for (const [i, room] of rooms.entries())
      expect(
        m.room(room)!.events.filter((e) => e.redacts === said[i]),
        room,
      ).toHaveLength(1);
  }, 30_000);

  it('the pass after deactivation never asks for a task', async () => {
    const { ops, m } = await world('synapse');
    const room = m.createRoom(ALICE);
    m.sendMessage(room, ALICE, 'mine');
    await ops.redactEvents(ALICE, [room], resumeFrom().resume, { serverTask: false });
    expect(posts(TASK)).toHaveLength(0);
    expect(readable(m, room)).toEqual([]);
  });
});

describe('one event at a time', () => {
  it('resumes at the first room not finished, without reading the finished ones again', async () => {
    const { ops, m } = await world('synapse-1.67');
    const [done, next] = [m.createRoom(ALICE), m.createRoom(ALICE)];
    m.sendMessage(done, ALICE, 'already redacted before the crash');
    const said = m.sendMessage(next, ALICE, 'still there');
    const result = await ops.redactEvents(ALICE, [done, next], resumeFrom({ rooms: { [done]: { redacted: 1 } }, entered: {} }).resume, { serverTask: true });
    // The one counted before the crash, and in the next room her message and her joining (with her name).
    expect(result).toMatchObject({ serverTask: false, redactedOneByOne: 3, roomsNotRedacted: [] });
    expect(m.findEvent(next, said)?.redactedBy?.sender).toBe(ALICE);
    const opaque = done.slice(1, done.indexOf(':'));
    expect(hs.requests.filter((r) => r.path.includes(opaque) && r.path.endsWith('/messages'))).toEqual([]);
    expect(hs.requests.some((r) => r.path.includes(next.slice(1, next.indexOf(':'))) && r.path.endsWith('/messages'))).toBe(true);
  });

  it('in a room it entered before the crash, with nothing left to redact, only leaves again', async () => {
    const { ops, m, bot } = await world('synapse-1.67');
    const bob = m.addUser({ localpart: 'bob' }).userId;
    const room = m.createRoom(bob, { invite: [ALICE, bot.userId] });
    const joined = m.join(room, ALICE);
    const said = m.sendMessage(room, ALICE, 'gone already');
    m.leave(room, ALICE);
    // Before the crash, the bot had joined with power and redacted everything.
    m.join(room, bot.userId);
    m.setPowerLevel(room, bob, bot.userId, 100);
    for (const event of [joined, said]) m.redact(room, bot.userId, event);
    const before = m.room(room)!.events.length;
    const result = await ops.redactEvents(ALICE, [room], resumeFrom({ rooms: {}, entered: { [room]: 'bot' } }).resume, { serverTask: true });
    expect(result.redactedOneByOne).toBe(0);
    expect(
      m
        .room(room)!
        .events.slice(before)
        .map((e) => [e.type, e.stateKey, e.content['membership']]),
    ).toEqual([['m.room.member', bot.userId, 'leave']]);
    expect(posts(/make_room_admin$/)).toEqual([]);
  });
});

describe('the other steps, run again', () => {
  it('deactivation is not asked for twice, nor the Tuwunel admin command sent twice', async () => {
    const { ops, m } = await world('tuwunel');
    const room = m.createRoom(ALICE);
    expect(await ops.deactivate(ALICE)).toBe('deactivated');
    expect(await ops.deactivate(ALICE)).toBe('already');
    expect(posts(/\/deactivate\//)).toHaveLength(1);
    const command = {
      sent: null as string | null,
      save: (id: string) => {
        command.sent = id;
      },
    };
    expect(await ops.leaveRoomsAndClearProfile(ALICE, command)).toBe('done');
    // A restart that finds the command sent waits for it again rather than sending it twice.
    expect(await ops.leaveRoomsAndClearProfile(ALICE, command)).toBe('done');
    expect(await ops.leaveRoomsAndClearProfile(ALICE, { sent: null, save: () => {} })).toBe('nothing-left');
    expect(m.events(m.adminRoomId!).filter((ev) => String((ev.content as Record<string, unknown>)['body']).startsWith('!admin users deactivate'))).toHaveLength(
      1,
    );
    expect(m.membership(room, ALICE)).toBe('leave');
  });

  it('media go page after page until none is left; emails and profile go, and say so when there was nothing', async () => {
    const { ops, m } = await world('synapse');
    for (let i = 0; i < 230; i++) m.uploadMedia(ALICE, { contentType: 'text/plain', bytes: Buffer.from(String(i)) });
    expect(await ops.deleteAllMedia(ALICE)).toBe(230);
    expect(hs.requests.filter((r) => r.method === 'DELETE').length).toBe(4);
    expect(await ops.deleteAllMedia(ALICE)).toBe(0);
    expect(await ops.removeThreepids(ALICE)).toBe(1);
    expect(await ops.removeThreepids(ALICE)).toBe(0);
    expect(await ops.clearProfile(ALICE)).toBe('cleared');
    expect(await ops.clearProfile(ALICE)).toBe('nothing-set');
    expect(m.user(ALICE)).toMatchObject({ emails: [], displayName: null, avatarUrl: null });
  });
});

describe('the read-back', () => {
  it('a room whose events cannot be read at all is never taken as clean', async () => {
    const { ops, m } = await world('synapse-1.67');
    const room = m.createRoom(ALICE);
    m.sendMessage(room, ALICE, 'unreadable for the bot');
    // Synapse 1.67 reads a user's events only by logging in as them.
    hs.faults.add({ method: 'POST', path: /\/users\/[^/]+\/login$/, kind: 'status', status: 403, times: 5 });
    const readBack = await ops.readBack(ALICE, { recorded: [room], purged: [] });
    expect(readBack).toMatchObject({ readableEvents: 0, unreadableRooms: 1 });
    expect(failedChecks(readBack)).toContain('1 room(s) could not be read back to check for the user’s events');
  });

  it('counts what is left, and passes only when nothing is', async () => {
    const { ops, m } = await world('synapse');
    const room = m.createRoom(ALICE);
    m.sendMessage(room, ALICE, 'readable');
    const before = await ops.readBack(ALICE, { recorded: [room], purged: [] });
    expect(before).toMatchObject({
      accountFound: true,
      deactivated: false,
      erased: false,
      roomsStillIn: 1,
      threepids: 1,
      profileLeft: true,
      readableEvents: 2,
    });
    expect(failedChecks(before)).toHaveLength(7); // active, not erased, in a room, a device, an email, a profile, events
    await ops.clearProfile(ALICE);
    await ops.redactEvents(ALICE, [room], resumeFrom().resume, { serverTask: true });
    await ops.removeThreepids(ALICE);
    await ops.deactivate(ALICE);
    await new Promise((resolve) => setTimeout(resolve, 300)); // Synapse leaves the rooms in the background
    expect(failedChecks(await ops.readBack(ALICE, { recorded: [room], purged: [] }))).toEqual([]);
  });
});
