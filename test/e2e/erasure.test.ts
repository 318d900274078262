// The erasure itself, through the real bot and the test homeserver in every flavour: asked for
// with !delete, approved, run step by step, read back, reported, and forgotten by the bot.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportsDir } from '../../src/export/lifecycle/expiry.ts';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import {
  ALICE,
  type AliceRooms,
  askAndApprove,
  botBodies,
  codeIn,
  databaseBytes,
  ERASED,
  idIn,
  leftOnServer,
  readableEventsOf,
  redactionsPerEvent,
  reportsOf,
  seedAlice,
  stateOf,
} from '../support/erasure.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World, type WorldOptions } from '../support/world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function erasureWorld(flavour: Flavour, rooms: { privateRoom?: boolean; remoteRoom?: boolean; ownRoom?: boolean }, options: WorldOptions = {}) {
  let seeded: AliceRooms | undefined;
  world = await startWorld({
    flavour,
    alice: { devices: [{ deviceId: 'PHONE', displayName: 'Phone', lastSeenIp: '192.0.2.7' }], avatarUrl: 'mxc://example.org/avatar' },
    configure: (raw) => (raw.erasure = { coolingOffHours: 0 }),
    seed: (hs) => {
      seeded = seedAlice(hs.model, rooms);
    },
    ...options,
  });
  const w = world;
  const dm = await w.openDirectChat(ALICE);
  return { w, dm, rooms: seeded! };
}

const reports = reportsOf;

describe('a full erasure, verified', () => {
  it.each<[Flavour, { privateRoom?: boolean }]>([
    ['synapse', { privateRoom: true }],
    ['synapse-1.67', { privateRoom: true }],
    // Tuwunel has make_room_admin from 1.8.1: Bob's private room she left is reached too.
    ['tuwunel', { privateRoom: true }],
  ])(
    '%s: every event redacted, rooms left included; files, emails, devices, profile gone; deactivated and erased; reported verified; forgotten',
    async (flavour, roomOptions) => {
      const { w, dm, rooms } = await erasureWorld(flavour, roomOptions);
      // An export she asked for earlier, its package still on the bot's disk.
      const exported = w.bot.services.desk.requests.open({ kind: 'export', userId: ALICE, roomId: dm, sourceEventId: null });
      const packageDir = path.join(exportsDir(w.config.dataDir), exported.id);
      fs.mkdirSync(packageDir, { recursive: true });
      fs.writeFileSync(path.join(packageDir, 'export.zip'), 'her data');
      const id = await askAndApprove(w, dm);
      await waitUntil(() => stateOf(w, id) === 'completed' || stateOf(w, id) === 'failed', 'the erasure to end', 20_000);
      const m = w.hs.model;

      expect(reports(w, id)).toHaveLength(1);
      expect(reports(w, id)[0]).toContain(': verified. Every read-back passed.');
      expect(stateOf(w, id)).toBe('completed');
      expect(leftOnServer(m)).toEqual(ERASED);
      for (const roomId of [rooms.chat, rooms.lounge, dm, ...(rooms.private ? [rooms.private] : [])]) {
        expect(readableEventsOf(m, roomId), roomId).toEqual([]);
      }
      expect([...redactionsPerEvent(m).values()].every((n) => n === 1)).toBe(true);
      // The bot left the rooms it joined only to redact there.
      for (const roomId of [rooms.lounge, ...(rooms.private ? [rooms.private] : [])]) expect(m.membership(roomId, w.privacybot.userId)).not.toBe('join');

      // The starting notice was the last thing Alice heard.
      const toAlice = botBodies(m, w.privacybot.userId, dm);
      expect(toAlice.at(-1)).toContain('Your account is being erased now');
      expect(toAlice.filter((b) => b.includes('Your account is being erased now'))).toHaveLength(1);

      // The bot forgot her: her requests keep a pseudonym, and its file names her nowhere.
      const request = w.bot.services.desk.requests.get(id)!;
      expect(request.userId).toMatch(/^pseudonym:/);
      expect(request.decidedBy).toBe(w.admin.userId);
      expect(w.bot.services.desk.requests.get(exported.id)).toMatchObject({ state: 'cancelled', userId: request.userId, roomId: null });
      expect(fs.existsSync(packageDir)).toBe(false);
      if (flavour === 'tuwunel') {
        // Tuwunel's HTTP deactivation leaves rooms and profile alone: its admin command did that, once.
        const stored = m.room(m.adminRoomId!)!.events;
        const commands = stored.filter((ev) => ev.content['body'] === `!admin users deactivate ${ALICE}`);
        expect(commands).toHaveLength(1);
        const answers = stored.filter((ev) => (ev.content as Record<string, any>)['m.relates_to']?.['m.in_reply_to']?.event_id === commands[0]!.eventId);
        expect(answers.length).toBeGreaterThan(0);
        // Read back, the bot no longer names her in #admins: its commands about her, and the answers, are redacted.
        const naming = stored.filter((ev) => ev.sender === w.privacybot.userId && String(ev.content['body'] ?? '').includes(ALICE));
        expect(naming.length).toBeGreaterThan(0);
        for (const ev of [...naming, ...answers]) expect(ev.redactedBy, String(ev.content['body'])).toBeDefined();
        // The erased marker came last, after the read-back.
        expect(m.user(ALICE)!.erasedAt).not.toBeNull();
      }
      await w.bot.idle();
      expect(databaseBytes(w.config.dataDir)).not.toContain(ALICE);
    },
    30_000,
  );
});

describe('what cannot be erased here is reported, and never called verified', () => {
  it.each<[Flavour, { ownRoom?: boolean }, keyof AliceRooms, RegExp]>([
    // No server task on 1.67, and nobody here may grant the bot power in her own room once she left it.
    ['synapse-1.67', { ownRoom: true }, 'own', /no member of this server could make the bot an admin there/],
    // Tuwunel's task redacts as her only where she is still a member.
    ['tuwunel', { ownRoom: true }, 'own', /no member of this server could make the bot an admin there/],
  ])(
    '%s: the room she left stays readable; everything else is done; the report names the room; the privacy contact hears once',
    async (flavour, roomOptions, which, why) => {
      const { w, dm, rooms } = await erasureWorld(flavour, roomOptions, { jobRetryBaseMs: 20 });
      const id = await askAndApprove(w, dm);
      await waitUntil(() => reports(w, id).length > 0, 'the erasure to fail for good, and be reported', 20_000);
      expect(stateOf(w, id)).toBe('failed');
      const m = w.hs.model;
      const room = rooms[which]!;

      // Her message, and her joining with her display name.
      const unredacted = readableEventsOf(m, room);
      expect(unredacted.map((e) => e.type).sort()).toEqual(['m.room.member', 'm.room.message']);
      expect(readableEventsOf(m, rooms.chat)).toEqual([]);
      expect(leftOnServer(m)).toMatchObject({ deactivated: true, rooms: 0, media: 0, devices: 0, emails: 0 });
      const [report, ...more] = reports(w, id);
      expect(more).toEqual([]);
      expect(report).toContain(': INCOMPLETE.');
      expect(report).not.toMatch(/verified/i);
      expect(report).toContain(room);
      expect(report).toMatch(why);
      expect(report).toContain(`${unredacted.length} event(s) of the user can still be read`);
      expect(report).toContain('Account deactivated with erase');
      expect(report).toMatch(/Reading everything back: \*?\*?started, not finished/);
      await waitUntil(() => botBodies(m, w.privacybot.userId, w.contactRoomId).some((b) => b.includes(id)), 'the escalation');
      await w.bot.services.maintenance.run();
      expect(botBodies(m, w.privacybot.userId, w.contactRoomId).filter((b) => b.includes(`Request ${id} failed`))).toHaveLength(1);
      // Alice was told the erasure was starting, and nothing after it.
      expect(botBodies(m, w.privacybot.userId, dm).at(-1)).toContain('Your account is being erased now');
    },
    30_000,
  );
});

describe('a room nobody on this server is in any more', () => {
  it('synapse-1.67: a room made on another server that she left is deleted here; the report names the server that keeps its copy', async () => {
    const { w, dm, rooms } = await erasureWorld('synapse-1.67', { remoteRoom: true });
    const id = await askAndApprove(w, dm);
    await waitUntil(() => stateOf(w, id) === 'completed' || stateOf(w, id) === 'failed', 'the erasure to end', 20_000);
    const [report] = reports(w, id);
    expect(report).toContain(': verified.');
    expect(w.hs.model.room(rooms.remote!)).toBeUndefined();
    expect(report).toMatch(/Rooms nobody here is in any more, deleted with everything in them: 1/);
    // GDPR Art. 19: the other server received her message and keeps its copy.
    expect(report).toMatch(/remote\.example \(1 room\(s\)\).*keep their copies/s);
  }, 30_000);
});

describe('the last moments before deactivation', () => {
  it.each<Flavour>(['synapse', 'synapse-1.67', 'tuwunel'])(
    '%s: what Alice sends after the starting notice, before her account goes, is redacted too',
    async (flavour) => {
      const { w, dm } = await erasureWorld(flavour, {});
      // Hold the deactivation until Alice has answered the notice.
      w.hs.faults.add({ method: 'POST', path: /\/_synapse\/admin\/v1\/deactivate\//, kind: 'latency', latencyMs: 400 });
      const id = await askAndApprove(w, dm);
      const notice = await w.hs.model.waitForEvent(
        (ev) => ev.room_id === dm && String((ev.content as Record<string, unknown>)['body']).includes('Your account is being erased now'),
        10_000,
      );
      const reply = w.say(ALICE, dm, 'wait, my photos!');
      await waitUntil(() => stateOf(w, id) === 'completed', 'the erasure to end', 20_000);
      expect(w.hs.model.findEvent(dm, reply)?.redactedBy).toBeDefined();
      expect(reports(w, id)[0]).toContain(': verified.');
      // The notice was the last thing the bot said to her, and it never answered her reply.
      expect(
        w.hs.model
          .events(dm)
          .filter((ev) => ev.sender === w.privacybot.userId && ev.type === 'm.room.message')
          .at(-1)?.event_id,
      ).toBe(notice.event_id);
    },
    30_000,
  );
});

describe('a homeserver that answers 429, 500, slowly, or not at all while the erasure runs', () => {
  it.each<Flavour>(['synapse-1.67', 'synapse'])(
    '%s: waited out and retried, nothing done twice: erased and verified',
    async (flavour) => {
      const { w, dm, rooms } = await erasureWorld(flavour, { privateRoom: true }, { jobRetryBaseMs: 50 });
      const f = w.hs.faults;
      f.add({ method: 'PUT', path: /\/_matrix\/client\/v3\/rooms\/[^/]+\/redact\//, kind: 'rate-limit', retryAfterMs: 100, times: 3 });
      // A redaction the server carries out whose answer never arrives: sent again, it must not redact twice.
      f.add({ method: 'PUT', path: /\/_matrix\/client\/v3\/rooms\/[^/]+\/redact\//, kind: 'commit-then-drop', times: 1 });
      f.add({ method: 'POST', path: /\/_synapse\/admin\/v1\/user\/[^/]+\/redact$/, kind: 'rate-limit', retryAfterMs: 100, times: 1 });
      f.add({ method: 'GET', path: /\/_synapse\/admin\/v1\/users\/[^/]+\/media$/, kind: 'status', status: 500, times: 2 });
      f.add({ method: 'DELETE', path: /\/_synapse\/admin\/v1\/users\/[^/]+\/media$/, kind: 'status', status: 502, times: 1 });
      f.add({ method: 'GET', path: /\/_synapse\/admin\/v2\/users\/[^/]+$/, kind: 'latency', latencyMs: 300, times: 5 });
      f.add({ method: 'POST', path: /\/_synapse\/admin\/v1\/deactivate\//, kind: 'status', status: 503, times: 1 });
      // Refused before it took effect: the step fails, the job tries again, and the bot is made an admin once.
      f.add({ method: 'POST', path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/make_room_admin$/, kind: 'status', status: 500, times: 1 });
      const id = await askAndApprove(w, dm);
      await waitUntil(() => stateOf(w, id) === 'completed' || stateOf(w, id) === 'failed', 'the erasure to end', 25_000);
      const m = w.hs.model;

      expect(reports(w, id)).toHaveLength(1);
      expect(reports(w, id)[0]).toContain(': verified. Every read-back passed.');
      expect(leftOnServer(m)).toEqual(ERASED);
      for (const roomId of [rooms.chat, rooms.lounge, rooms.private!, dm]) expect(readableEventsOf(m, roomId), roomId).toEqual([]);
      expect([...redactionsPerEvent(m).values()].every((n) => n === 1)).toBe(true);
      // Every fault really fired on the way: 429s, a lost answer (status 0), 500s, 502, 503.
      const statuses = new Set(w.hs.requests.filter((r) => r.path.includes('alice') || r.path.includes('/redact/')).map((r) => r.status));
      for (const status of [429, 0, 500, 502, 503]) expect(statuses, String(status)).toContain(status);
      expect(botBodies(m, w.privacybot.userId, dm).filter((b) => b.includes('Your account is being erased now'))).toHaveLength(1);
      if (flavour === 'synapse-1.67') {
        // Made an admin once in the private room she left: one change of power levels naming the bot.
        const grants = m
          .events(rooms.private!)
          .filter((ev) => ev.type === 'm.room.power_levels' && w.privacybot.userId in ((ev.content as Record<string, any>)['users'] ?? {}));
        expect(grants).toHaveLength(1);
        // The refused call was made again; each room's grant succeeded once.
        const calls = w.hs.requests.filter((r) => r.path.endsWith('/make_room_admin'));
        expect(calls.filter((r) => r.status === 500)).toHaveLength(1);
        const granted = calls.filter((r) => r.status === 200).map((r) => r.path);
        expect(granted.length).toBeGreaterThan(0);
        expect(new Set(granted).size).toBe(granted.length);
      }
    },
    40_000,
  );
});

describe('a step that keeps failing', () => {
  it('is retried with backoff; then the admins get what was and was not erased, the privacy contact one escalation, and nothing is called verified', async () => {
    const { w, dm } = await erasureWorld('synapse', {}, { jobRetryBaseMs: 50 });
    // A refusal the HTTP client does not retry by itself: each attempt of the job fails at once.
    w.hs.faults.add({ method: 'DELETE', path: /\/_synapse\/admin\/v1\/users\/[^/]+\/media$/, kind: 'status', status: 400, times: 1000 });
    const id = await askAndApprove(w, dm);
    await waitUntil(() => stateOf(w, id) === 'failed', 'the erasure to fail for good', 20_000);
    const m = w.hs.model;
    // Four attempts of the job, further and further apart.
    const deletes = w.hs.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith('/media'));
    expect(deletes).toHaveLength(4);
    expect(w.bot.services.jobStore.get(id)).toMatchObject({ state: 'failed', attempts: 4 });
    expect(w.log.lines.filter((l) => l.includes(`job ${id} (erasure) attempt`))).toHaveLength(4);

    await waitUntil(() => reports(w, id).length > 0, 'the report');
    const [report, ...more] = reports(w, id);
    expect(more).toEqual([]);
    expect(report).toContain(': INCOMPLETE.');
    expect(report).not.toMatch(/verified/i);
    expect(report).toContain('Rooms recorded: 3');
    expect(report).toMatch(/Events redacted: the server’s own task ran/);
    expect(report).toMatch(/Deleting uploaded files: \*?\*?started, not finished/);
    expect(report).toMatch(/Deactivating the account with erase: \*?\*?not done/);
    expect(report).toContain('deleting uploaded files failed: The homeserver refused or garbled DELETE /_synapse/admin/v1/users/{userId}/media');
    // The events went, the rest did not: nothing was deactivated behind the report's back.
    expect(readableEventsOf(m, dm)).toEqual([]);
    expect(leftOnServer(m)).toMatchObject({ deactivated: false, media: 2, emails: 1 });
    await waitUntil(() => botBodies(m, w.privacybot.userId, w.contactRoomId).some((b) => b.includes(`Request ${id} failed`)), 'the escalation');
    await w.bot.services.maintenance.run();
    expect(botBodies(m, w.privacybot.userId, w.contactRoomId).filter((b) => b.includes(`Request ${id} failed`))).toHaveLength(1);
    // Alice still has her account: she is told, and the privacy contact will follow up.
    await waitUntil(() => botBodies(m, w.privacybot.userId, dm).some((b) => b.includes('I could not complete your request')), 'Alice to be told');
  }, 30_000);
});

describe('an erasure that cannot see every room', () => {
  it('synapse-1.67: when the rooms she left cannot be listed, stops before changing anything, and says why', async () => {
    const { w, dm, rooms } = await erasureWorld('synapse-1.67', {});
    const code = codeIn((await w.ask(ALICE, dm, '!delete')).body);
    const id = idIn((await w.ask(ALICE, dm, `!delete confirm ${code}`)).body);
    // Synapse 1.67 lists rooms left only to the user: the login as her is refused from now on.
    w.hs.faults.add({ method: 'POST', path: /\/_synapse\/admin\/v1\/users\/[^/]+\/login$/, kind: 'status', status: 403, times: 100 });
    await w.ask(w.admin.userId, w.adminRoomId, `!approve ${id}`);
    await waitUntil(() => reports(w, id).length > 0, 'the report');
    expect(stateOf(w, id)).toBe('failed');
    expect(w.bot.services.jobStore.get(id)?.attempts).toBe(1);
    expect(reports(w, id)[0]).toContain('the rooms the user has left cannot be listed here');
    expect(reports(w, id)[0]).toMatch(/Recording the rooms: \**started, not finished/);
    const m = w.hs.model;
    expect(readableEventsOf(m, rooms.chat).length).toBeGreaterThan(0);
    expect(leftOnServer(m)).toMatchObject({ deactivated: false, media: 2, emails: 1, displayName: 'Alice Liddell' });
  });
});
