// The erasure against a real Synapse, as a person and an admin live it: the person has written
// in a room they made alone and left (nobody here is in it any more), in a room they made with a
// friend and left (the friend stays, with no power), in a friend's room they joined, left and
// forgot, and in a room they share; they have a profile with a time zone, an upload, account
// data, a room tag, a pusher and a key backup. They ask for !export, then !delete; an admin
// approves. Afterwards the server's own state, read through its admin API, must show every one
// of their messages redacted exactly once, the room nobody was in deleted, and nothing else of
// theirs left, and the bot must have said "verified" only because that is so.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readZipParts } from '../export/read-package.ts';
import type { RealClient, RoomEvent } from './support/client.ts';
import { type RealWorld, startRealWorld } from './support/real-world.ts';
import { describeWithSynapse } from './support/synapse.ts';

const enc = encodeURIComponent;
const ID = /R-[0-9A-Z]{4}/;

describeWithSynapse('a person asks to be erased, on a real Synapse', () => {
  let world: RealWorld;
  let pat: RealClient;
  let fran: RealClient;
  const rooms: Record<'alone' | 'leftWithFriend' | 'forgotten' | 'shared', string> = { alone: '', leftWithFriend: '', forgotten: '', shared: '' };
  const said: { roomId: string; eventId: string; body: string }[] = [];
  let dm = '';
  let upload = '';

  beforeAll(async () => {
    world = await startRealWorld({ configure: (raw) => (raw.erasure = { coolingOffHours: 0 }) });
    const { synapse } = world;
    pat = await world.person('pat', { displayName: 'Pat Person' });
    fran = await world.person('fran', { displayName: 'Fran Friend' });
    const say = async (roomId: string, body: string) => said.push({ roomId, eventId: await pat.say(roomId, body), body });

    rooms.alone = await pat.createRoom({ name: 'alone' });
    await say(rooms.alone, 'a note to myself, alone');
    await pat.leave(rooms.alone);

    rooms.leftWithFriend = await pat.createRoom({ invite: [fran.userId] });
    await fran.join(rooms.leftWithFriend);
    await say(rooms.leftWithFriend, 'something said before leaving fran here');
    await pat.leave(rooms.leftWithFriend);

    rooms.forgotten = await fran.createRoom({ invite: [pat.userId] });
    await pat.join(rooms.forgotten);
    await say(rooms.forgotten, 'something in a room I will forget');
    await pat.leave(rooms.forgotten);
    await pat.forget(rooms.forgotten);

    rooms.shared = await fran.createRoom({ invite: [pat.userId] });
    await pat.join(rooms.shared);
    for (let i = 1; i <= 3; i++) await say(rooms.shared, `shared message number ${i}`);
    await pat.send(rooms.shared, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: said.at(-1)!.eventId, key: '👍' } });

    upload = await pat.upload(Buffer.from('a picture of my cat, in bytes'), 'image/png', 'cat.png');
    await pat.ok('PUT', `/_matrix/client/v3/profile/${enc(pat.userId)}/avatar_url`, { avatar_url: upload });
    await pat.ok('PUT', `/_matrix/client/v3/profile/${enc(pat.userId)}/m.tz`, { 'm.tz': 'Europe/Bucharest' });
    await pat.ok('PUT', `/_matrix/client/v3/user/${enc(pat.userId)}/account_data/org.example.settings`, { theme: 'dark' });
    await pat.ok('PUT', `/_matrix/client/v3/user/${enc(pat.userId)}/rooms/${enc(rooms.shared)}/account_data/org.example.room`, { pinned: true });
    await pat.ok('PUT', `/_matrix/client/v3/user/${enc(pat.userId)}/rooms/${enc(rooms.shared)}/tags/m.favourite`, { order: 0.5 });
    await pat.ok('POST', '/_matrix/client/v3/pushers/set', {
      kind: 'http',
      app_id: 'org.example.app',
      pushkey: 'pat-push-key',
      app_display_name: 'App',
      device_display_name: 'Phone',
      lang: 'en',
      data: { url: 'https://push.example.org/_matrix/push/v1/notify' },
    });
    await pat.ok('POST', '/_matrix/client/v3/room_keys/version', {
      algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
      auth_data: { public_key: 'cGF0J3Mga2V5' },
    });

    dm = await world.openDirectChat(pat);
    // From here on Pat is a person the bot serves: Synapse's default rate limits, as operators run them.
    await synapse.restoreRateLimits(pat.userId);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('the export holds every message, from rooms left, forgotten and abandoned too', async () => {
    const reply = await pat.ask(dm, world.botUserId, '!export', 60_000);
    expect(String(reply.content['body'])).toMatch(ID);
    const files = await waitForParts(pat, dm, world.botUserId);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-real-export-'));
    const zips = await Promise.all(files.map(async (url, i) => download(world, pat, url, path.join(dir, `part-${i + 1}.zip`))));
    const pkg = await readZipParts(zips);
    const exported = [...pkg.files.entries()]
      .filter(([name]) => name.startsWith('data/messages/'))
      .flatMap(([, bytes]) =>
        bytes
          .toString('utf8')
          .split('\n')
          .slice(1)
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l)),
      );
    const ids = new Set(exported.map((e) => e.event_id));
    for (const m of said) expect(ids.has(m.eventId), `${m.body} in the export`).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);

  it('!delete, approved: verified, and the server shows every message redacted once, the abandoned room gone, nothing else left', async () => {
    const asked = await pat.ask(dm, world.botUserId, '!delete', 60_000);
    const code = /!delete confirm (\d{6})/.exec(String(asked.content['body']))?.[1];
    expect(code).toBeDefined();
    const confirmed = await pat.ask(dm, world.botUserId, `!delete confirm ${code}`, 60_000);
    const id = ID.exec(String(confirmed.content['body']))![0];

    // The admins' approval message says, before anything runs, what happens to each room.
    const approval = await world.admin.waitFor(
      world.adminRoomId,
      (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Erasure request ${id}`),
      'the approval request',
      90_000,
    );
    const approvalText = String(approval.content['body']);
    expect(approvalText).toContain(rooms.alone);
    expect(approvalText).toMatch(/deleted here with everything in it/);

    const approved = await world.admin.ask(world.adminRoomId, world.botUserId, `!approve ${id}`, 90_000);
    expect(String(approved.content['body'])).toContain('Approved');
    const report = await world.admin.waitFor(
      world.adminRoomId,
      (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Erasure ${id} of`),
      'the final report',
      600_000,
    );
    const reportText = String(report.content['body']);
    expect(reportText, reportText).toContain(': verified.');

    const { synapse } = world;
    const admin = { token: synapse.admin.accessToken };
    // Every message: redacted, by exactly one redaction event.
    for (const m of said.filter((s) => s.roomId !== rooms.alone)) {
      const context = await synapse.ok('GET', `/_synapse/admin/v1/rooms/${enc(m.roomId)}/context/${enc(m.eventId)}?limit=0`, admin);
      expect(context.event.content, m.body).toEqual({});
      expect(context.event.unsigned?.redacted_because, m.body).toBeDefined();
      expect(await redactionsOf(world, m.roomId, m.eventId), m.body).toBe(1);
    }
    // The room nobody here was in any more is gone, with everything in it.
    expect((await synapse.call('GET', `/_synapse/admin/v1/rooms/${enc(rooms.alone)}/context/${enc(said[0]!.eventId)}?limit=0`, admin)).status).toBe(404);
    // The account and everything beside the events.
    const user = await synapse.ok('GET', `/_synapse/admin/v2/users/${enc(pat.userId)}`, admin);
    expect(user).toMatchObject({ deactivated: true, erased: true, displayname: null, avatar_url: null, threepids: [] });
    expect((await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(pat.userId)}/accountdata`, admin)).account_data).toEqual({ global: {}, rooms: {} });
    expect((await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(pat.userId)}/pushers`, admin)).total).toBe(0);
    expect((await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(pat.userId)}/media`, admin)).total).toBe(0);
    expect((await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(pat.userId)}/joined_rooms`, admin)).total).toBe(0);
    const asPat = (
      await synapse.ok('POST', `/_synapse/admin/v1/users/${enc(pat.userId)}/login`, {
        token: synapse.admin.accessToken,
        body: { valid_until_ms: Date.now() + 60_000 },
      })
    ).access_token;
    expect((await synapse.ok('GET', `/_matrix/client/v3/user/${enc(pat.userId)}/rooms/${enc(rooms.shared)}/tags`, { token: asPat })).tags).toEqual({});
    expect((await synapse.call('GET', '/_matrix/client/v3/room_keys/version', { token: asPat })).status).toBe(404);
    expect((await synapse.call('GET', `/_matrix/client/v3/profile/${enc(pat.userId)}`, { token: fran.accessToken })).status).toBe(404);
    // Pat's rate limits are Synapse's defaults again: the override was removed.
    expect(await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(pat.userId)}/override_ratelimit`, admin)).toEqual({});
    // The privacy contact got the report too.
    await world.admin.waitFor(
      world.contactRoomId,
      (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Erasure ${id} of`),
      'the report in the privacy contact room',
      60_000,
    );
  }, 900_000);
});

/** The m.file parts the bot delivered into the direct chat, once its last word says how many. */
async function waitForParts(person: RealClient, dm: string, bot: string): Promise<string[]> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const events = await person.history(dm, 500);
    const files = events
      .filter((e: RoomEvent) => e.sender === bot && e.content['msgtype'] === 'm.file')
      .map((e) => String(e.content['url'] ?? e.content['file']?.url));
    const done = events.some(
      (e) => e.sender === bot && /will be deleted|can be downloaded until/i.test(String(e.content['body'])) && e.content['msgtype'] !== 'm.file',
    );
    if (files.length > 0 && done) return files;
    if (Date.now() > deadline) throw new Error('the export did not arrive');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function download(world: RealWorld, person: RealClient, mxc: string, file: string): Promise<string> {
  const [server, mediaId] = mxc.replace('mxc://', '').split('/');
  const response = await fetch(`${world.synapse.url}/_matrix/client/v1/media/download/${server}/${mediaId}`, {
    headers: { Authorization: `Bearer ${person.accessToken}` },
  });
  expect(response.status).toBe(200);
  fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

/** How many redaction events in the room name this event (the admin API reads what is stored). */
async function redactionsOf(world: RealWorld, roomId: string, eventId: string): Promise<number> {
  const filter = enc(JSON.stringify({ types: ['m.room.redaction'] }));
  const page = await world.synapse.ok('GET', `/_synapse/admin/v1/rooms/${enc(roomId)}/messages?dir=b&limit=1000&filter=${filter}`, {
    token: world.synapse.admin.accessToken,
  });
  return page.chunk.filter((e: RoomEvent & { redacts?: string }) => (e.content['redacts'] ?? e.redacts) === eventId).length;
}

describeWithSynapse('an erasure that cannot be completed here is reported, never called verified; a crash mid-way redacts nothing twice', () => {
  let world: RealWorld;
  beforeAll(async () => {
    world = await startRealWorld({ configure: (raw) => (raw.erasure = { coolingOffHours: 0 }) });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a reaction left in a room the person made with a friend who has no power: INCOMPLETE, the room named, the privacy contact told once', async () => {
    const pat = await world.person('pat', { displayName: 'Pat' });
    const fran = await world.person('fran');
    const room = await pat.createRoom({ invite: [fran.userId] });
    await fran.join(room);
    const message = await pat.say(room, 'the message the server task will take');
    const franSaid = await fran.say(room, 'fran says something');
    await pat.send(room, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: franSaid, key: '😀' } });
    await pat.leave(room);
    const dm = await world.openDirectChat(pat);
    await world.synapse.restoreRateLimits(pat.userId);

    const { id } = await askAndApprove(world, pat, dm);
    const report = await world.admin.waitFor(
      world.adminRoomId,
      (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Erasure ${id} of`),
      'the report',
      600_000,
    );
    const text = String(report.content['body']);
    expect(text).toContain('INCOMPLETE');
    expect(text).not.toMatch(/: verified/);
    expect(text).toContain(room);
    // What could be done was: the message is redacted, by the server's task, once.
    const admin = { token: world.synapse.admin.accessToken };
    expect((await world.synapse.ok('GET', `/_synapse/admin/v1/rooms/${enc(room)}/context/${enc(message)}?limit=0`, admin)).event.content).toEqual({});
    expect(await redactionsOf(world, room, message)).toBe(1);
    // The privacy contact hears of it once.
    const escalation = (e: RoomEvent) => e.sender === world.botUserId && String(e.content['body']).includes(id);
    await world.admin.waitFor(world.contactRoomId, escalation, 'the escalation to the privacy contact', 120_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const told = (await world.admin.history(world.contactRoomId)).filter(
      (e) => escalation(e) && /failed|INCOMPLETE|could not/i.test(String(e.content['body'])),
    );
    expect(told).toHaveLength(1);
  }, 900_000);

  it('killed (SIGKILL) as the redaction starts, then started again: one server task, every message redacted once, verified', async () => {
    const pat = await world.person('pat2', { displayName: 'Pat Two' });
    const fran = await world.person('fran2');
    const room = await fran.createRoom({ invite: [pat.userId] });
    await pat.join(room);
    const said: string[] = [];
    for (let i = 0; i < 12; i++) said.push(await pat.say(room, `message ${i} before the crash`));
    const dm = await world.openDirectChat(pat);
    await world.synapse.restoreRateLimits(pat.userId);

    await world.stopBot();
    await world.startBot({ killOnLog: /step purge done/ });
    // Not waiting for the answer to !approve: the kill may come before it, and the restarted bot gives it.
    const { id, approve } = await askAndApprove(world, pat, dm, { awaitApproval: false });
    const killed = await world.bot!.exited;
    expect(killed.signal).toBe('SIGKILL');
    await world.startBot();
    expect(String((await world.admin.replyTo(world.adminRoomId, world.botUserId, approve, 90_000)).content['body'])).toContain('Approved');
    const report = await world.admin.waitFor(
      world.adminRoomId,
      (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Erasure ${id} of`),
      'the report',
      600_000,
    );
    expect(String(report.content['body'])).toContain(': verified.');
    for (const eventId of said) expect(await redactionsOf(world, room, eventId)).toBe(1);
    const tasks = await world.synapse.ok('GET', `/_synapse/admin/v1/scheduled_tasks?action_name=redact_all_events&resource_id=${enc(pat.userId)}`, {
      token: world.synapse.admin.accessToken,
    });
    expect(tasks.scheduled_tasks).toHaveLength(1);
  }, 900_000);
});

/** !delete, the code, and the admin's !approve (its answer awaited unless asked not to); the request's ID and the !approve event. */
async function askAndApprove(
  world: RealWorld,
  person: RealClient,
  dm: string,
  options: { awaitApproval?: boolean } = {},
): Promise<{ id: string; approve: string }> {
  const asked = await person.ask(dm, world.botUserId, '!delete', 60_000);
  const code = /!delete confirm (\d{6})/.exec(String(asked.content['body']))![1];
  const confirmed = await person.ask(dm, world.botUserId, `!delete confirm ${code}`, 60_000);
  const id = ID.exec(String(confirmed.content['body']))![0];
  await world.admin.waitFor(
    world.adminRoomId,
    (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Erasure request ${id}`),
    'the approval request',
    90_000,
  );
  const approve = await world.admin.say(world.adminRoomId, `!approve ${id}`);
  if (options.awaitApproval !== false)
    expect(String((await world.admin.replyTo(world.adminRoomId, world.botUserId, approve, 90_000)).content['body'])).toContain('Approved');
  return { id, approve };
}
