// !export through the real bot and the test homeserver: the package delivered into the
// direct chat as m.file messages, downloaded, unzipped and checked against the seeded world;
// its progress edited into the answer; parts at a small upload limit; the download window's
// end; one export per period; refusals outside a direct chat; a user with no data; and a
// direct chat that stopped being one by the time the export was ready.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportsDir } from '../../src/export/lifecycle/expiry.ts';
import { packageDir } from '../../src/export/package/package.ts';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import {
  botBodies,
  botMessages,
  download as downloadMedia,
  requestIdIn,
  seedHistory,
  sha256,
  slowRoomPages as slowPages,
  unzipDelivered as unzipEach,
} from '../export/delivered.ts';
import { type ReadPackage, readZipParts } from '../export/read-package.ts';
import { movableClock } from '../support/clock.ts';
import { E2eeUser, type EncryptedFile } from '../support/e2ee-user.ts';
import { isRunning, workingExportProcessesOf } from '../support/processes.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World, type WorldOptions } from '../support/world.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let world: World | null = null;
const scratch: string[] = [];
afterEach(async () => {
  await world?.close();
  world = null;
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, any>;

const fileMessages = (w: World, roomId: string) =>
  botMessages(w.hs.model, w.privacybot.userId, roomId).filter((ev) => (ev.content as Json)['msgtype'] === 'm.file');
const bodies = (w: World, roomId: string) => botBodies(w.hs.model, w.privacybot.userId, roomId);
const idIn = requestIdIn;
const download = (w: World, mxc: string) => downloadMedia(w.hs, mxc, w.alice.accessToken);

async function unzipDelivered(w: World, files: Json[]): Promise<ReadPackage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-delivered-'));
  scratch.push(dir);
  return unzipEach(w.hs, files, dir, w.alice.accessToken);
}

async function exportWorld(options: WorldOptions = {}) {
  world = await startWorld(options);
  const seeded = seedHistory(world.hs, world.alice.userId, world.bob.userId);
  const dm = await world.openDirectChat(world.alice.userId);
  return { w: world, seeded, dm };
}

/** Sends !export and waits until the bot says the export is ready; answers the first reply and the request ID. */
async function exportAndWait(w: World, dm: string, sender = w.alice.userId) {
  const reply = await w.ask(sender, dm, '!export');
  const id = idIn(reply.body);
  expect(id).not.toBe('');
  await waitUntil(() => bodies(w, dm).some((b) => b.startsWith(`Your export ${id} is ready`)), 'the export to be ready', 30_000);
  return { reply, id };
}

describe.each(['synapse-1.67', 'synapse', 'tuwunel'] satisfies Flavour[])('!export on %s', (flavour) => {
  it('delivers a package into the direct chat that unzips, verifies and holds her data and nobody else’s', async () => {
    const { w, seeded, dm } = await exportWorld({ flavour });
    const { reply, id } = await exportAndWait(w, dm);
    expect(reply.body).toContain('I am preparing a copy of all the data this server holds about you');

    const files = fileMessages(w, dm);
    expect(files).toHaveLength(1);
    const content = files[0]!.content as Json;
    expect(content).toMatchObject({ msgtype: 'm.file', info: { mimetype: 'application/zip' } });
    expect(content['filename']).toMatch(/^matrix-data-\d{4}-\d{2}-\d{2}\.zip$/);
    const read = await unzipDelivered(w, [content]);

    expect(read.manifest).toMatchObject({ format: 'matrix-dsar-export/1', user: w.alice.userId, server: 'example.org', parts: 1 });
    const rooms = read.json('data/rooms.json').data.rooms;
    const byId = new Map(rooms.map((r: Json) => [r.room_id, r]));
    expect(byId.get(seeded.club)).toMatchObject({ name: 'Book club', your_membership: 'join' });
    expect(byId.get(seeded.left)).toMatchObject({ name: 'Old project', your_membership: 'leave' });
    const bodiesIn = (roomId: string) =>
      read
        .text((byId.get(roomId) as Json).messages_file)
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'm.room.message')
        .map((e) => e.content.body);
    expect(bodiesIn(seeded.club)).toEqual(seeded.said);
    expect(bodiesIn(seeded.left)).toEqual(seeded.saidInLeft);
    const media = read.json('data/media.json').data;
    expect(read.text(media.find((m: Json) => m.upload_name === 'notes.txt').file)).toBe('Alice’s notes: buy tea.\n');
    for (const [name, bytes] of read.files) for (const words of seeded.bobSaid) expect(bytes.includes(words), `"${words}" in ${name}`).toBe(false);
    expect(read.text('index.html')).toContain('Alice Liddell');

    // The last word, as a message of its own and edited into the answer: size, SHA-256, expiry, and that the server's admins could read it.
    const ready = bodies(w, dm).find((b) => b.startsWith(`Your export ${id} is ready`))!;
    expect(ready).toContain(sha256((await download(w, content['url'])).bytes));
    expect(ready).toMatch(/will be deleted on \d{4}-\d{2}-\d{2}/);
    expect(ready).toContain('This chat is not end-to-end encrypted, so until then the server’s administrators could read it.');
    expect(w.currentText(dm, reply.eventId)).toBe(ready);
    expect(w.bot.services.desk.requests.get(id)!.state).toBe('completed');
  });
});

describe('!export refused', () => {
  it('in a group room, and for a user of another server, with no request opened', async () => {
    world = await startWorld({ seed: (hs) => hs.model.addRemoteUser('@dave:remote.example') });
    const w = world;
    const group = w.hs.model.createRoom(w.alice.userId, { name: 'Book club', invite: [w.privacybot.userId, w.bob.userId, '@dave:remote.example'] });
    w.hs.model.join(group, w.bob.userId);
    w.hs.model.join(group, '@dave:remote.example');
    await w.botJoined(group);
    expect((await w.ask(w.alice.userId, group, '!export')).body).toMatch(/only answer it in a direct chat/);
    expect((await w.ask('@dave:remote.example', group, '!export')).body).toContain('lives on remote.example');
    await w.bot.idle();
    expect(fileMessages(w, group)).toHaveLength(0);
    expect(w.bot.services.desk.requestsOf(w.alice.userId)).toHaveLength(0);
    expect(w.bot.services.desk.requestsOf('@dave:remote.example')).toHaveLength(0);
  });

  it('a second time within the period: refused with the exact time of the next, recorded as denied; allowed again after it', async () => {
    const clock = movableClock();
    const { w, dm } = await exportWorld({ now: clock.now });
    const first = await exportAndWait(w, dm);
    const firstRequest = w.bot.services.desk.requests.get(first.id)!;
    clock.advance(3 * HOUR);

    const refusal = await w.ask(w.alice.userId, dm, '!export');
    const next = new Date(firstRequest.receivedAt + 24 * HOUR).toISOString().slice(0, 16).replace('T', ' ');
    expect(refusal.body).toContain(`The next one is possible from ${next} UTC`);
    expect(refusal.body).toContain(first.id);
    const denied = w.bot.services.desk.requests.get(idIn(refusal.body.slice(refusal.body.indexOf('recorded as request'))))!;
    expect(denied).toMatchObject({ kind: 'export', state: 'denied', decidedBy: 'bot' });
    expect(denied.decisionReason).toContain('one export per 24 hours');
    expect(w.bot.services.jobStore.get(denied.id)).toBeNull();
    expect(fileMessages(w, dm)).toHaveLength(1);

    clock.advance(21 * HOUR + 60_000);
    const again = await exportAndWait(w, dm);
    expect(again.id).not.toBe(first.id);
    expect(fileMessages(w, dm)).toHaveLength(2);
  });
});

describe('the download window', () => {
  it('ends after retentionDays: every upload deleted from the server and the local files gone', async () => {
    const clock = movableClock();
    const { w, dm } = await exportWorld({ now: clock.now });
    const { id } = await exportAndWait(w, dm);
    const url = (fileMessages(w, dm)[0]!.content as Json)['url'] as string;
    expect((await download(w, url)).status).toBe(200);
    const folder = packageDir(exportsDir(w.config.dataDir), id);
    expect(fs.existsSync(folder)).toBe(true);

    clock.advance(7 * DAY - HOUR);
    await w.bot.services.maintenance.run();
    expect((await download(w, url)).status).toBe(200);

    clock.advance(2 * HOUR);
    await w.bot.services.maintenance.run();
    expect((await download(w, url)).status).toBe(404);
    expect(fs.existsSync(folder)).toBe(false);
    expect(fs.readdirSync(exportsDir(w.config.dataDir))).toEqual([]);
    const timeline = w.bot.services.desk.timeline(id)!.entries.map((e) => e.action);
    expect(timeline).toEqual(expect.arrayContaining(['export-delivered', 'export-deleted']));
  });
});

const slowRoomPages = (w: World, ms: number) => slowPages(w.hs, ms);

const editsOf = (w: World, roomId: string, eventId: string) =>
  w.hs.model
    .events(roomId)
    .filter(
      (ev) =>
        ev.sender === w.privacybot.userId &&
        (ev.content as Json)['m.relates_to']?.rel_type === 'm.replace' &&
        (ev.content as Json)['m.relates_to'].event_id === eventId,
    )
    .map((ev) => String((ev.content as Json)['m.new_content'].body));

describe('the experience', () => {
  it('edits its progress into the answer (phase and counts) while typing shows, and ends with the result', async () => {
    const { w, dm } = await exportWorld({ configure: (raw) => (raw.export = { roomsAtOnce: 1 }) });
    slowRoomPages(w, 800);
    const reply = await w.ask(w.alice.userId, dm, '!export');
    const id = idIn(reply.body);
    const typing = () => w.hs.model.room(dm)!.typing.userIds.includes(w.privacybot.userId);
    await waitUntil(typing, 'the bot to show typing while it works');
    await waitUntil(() => bodies(w, dm).some((b) => b.startsWith(`Your export ${id} is ready`)), 'the export', 30_000);
    const ready = new RegExp(`^Your export ${id} is ready`);
    await waitUntil(() => ready.test(editsOf(w, dm, reply.eventId).at(-1) ?? ''), 'the progress message to end with the result');
    const edits = editsOf(w, dm, reply.eventId);
    expect(
      edits.some((e) => new RegExp(`^Your export \`${id}\`: reading your rooms, [0-2] of 3 done; \\d+ events? you sent so far; files \\d of \\d`).test(e)),
      edits.join('\n'),
    ).toBe(true);
    // The result comes as a message of its own before the edit that closes the progress message,
    // which only tidies up (a server that rate-limits the bot would otherwise hold the result back).
    const events = w.hs.model.events(dm);
    const outcome = events.findIndex(
      (ev) =>
        ev.sender === w.privacybot.userId && (ev.content as Json)['m.relates_to']?.rel_type !== 'm.replace' && ready.test(String((ev.content as Json)['body'])),
    );
    const closing = events.findIndex(
      (ev) => (ev.content as Json)['m.relates_to']?.rel_type === 'm.replace' && ready.test(String((ev.content as Json)['m.new_content']?.body)),
    );
    expect(outcome).toBeGreaterThan(-1);
    expect(outcome).toBeLessThan(closing);
    await waitUntil(() => !typing(), 'typing to stop');
  });

  it('makes export.concurrency at a time: the next waits its turn, and !status tells it its place in the queue', async () => {
    const { w, dm } = await exportWorld({ configure: (raw) => (raw.export = { concurrency: 1 }) });
    slowRoomPages(w, 400);
    const bobDm = await w.openDirectChat(w.bob.userId);
    const alices = idIn((await w.ask(w.alice.userId, dm, '!export')).body);
    const bobs = await w.ask(w.bob.userId, bobDm, '!export');
    expect(bobs.body).toContain('yours is number 1 in the queue');
    expect((await w.ask(w.bob.userId, bobDm, '!status')).body).toContain(`${idIn(bobs.body)}\` export (a copy of your data): scheduled, due`);
    expect((await w.ask(w.bob.userId, bobDm, '!status')).body).toContain('number 1 in the queue');
    expect(w.bot.services.jobStore.get(alices)!.state).toBe('running');
    await waitUntil(() => bodies(w, bobDm).some((b) => b.startsWith(`Your export ${idIn(bobs.body)} is ready`)), 'Bob’s export', 30_000);
    const finished = (id: string) => w.bot.services.jobStore.get(id)!.finishedAt!;
    expect(finished(alices)).toBeLessThanOrEqual(w.bot.services.jobStore.get(idIn(bobs.body))!.startedAt!);
  });

  it('cuts a package larger than the upload limit into parts, each a zip of its own, and delivers them all', async () => {
    const { w, dm } = await exportWorld({
      uploadLimit: 48 * 1024,
      seed: (hs) => {
        for (let i = 0; i < 3; i++)
          hs.model.uploadGeneratedMedia('@alice:example.org', { contentType: 'image/webp', length: 30 * 1024, seed: i, filename: `photo${i}.webp` });
      },
    });
    const { id } = await exportAndWait(w, dm);
    const files = fileMessages(w, dm).map((ev) => ev.content as Json);
    expect(files.length).toBeGreaterThan(1);
    for (const [i, content] of files.entries()) expect(content['filename']).toMatch(new RegExp(`-part-${i + 1}-of-${files.length}\\.zip$`));
    for (const content of files) expect(content['info'].size).toBeLessThanOrEqual(48 * 1024);
    const read = await unzipDelivered(w, files);
    expect(read.manifest.parts).toBe(files.length);
    const photos = read.json('data/media.json').data.filter((m: Json) => /^photo\d\.webp$/.test(m.upload_name));
    expect(photos.map((m: Json) => read.files.get(m.file)!.length)).toEqual([30 * 1024, 30 * 1024, 30 * 1024]);
    const ready = bodies(w, dm).find((b) => b.startsWith(`Your export ${id} is ready`))!;
    expect(ready).toContain(`${files.length} zip files above`);
    for (const content of files) expect(ready).toContain(String(content['filename']));
  });

  it('gives a person with no data but their account a package all the same', async () => {
    world = await startWorld({ seed: (hs) => void hs.model.addUser({ localpart: 'carol' }) });
    const w = world;
    const dm = await w.openDirectChat('@carol:example.org');
    await exportAndWait(w, dm, '@carol:example.org');
    const files = fileMessages(w, dm).map((ev) => ev.content as Json);
    expect(files).toHaveLength(1);
    const read = await unzipDelivered(w, files);
    expect(read.manifest.user).toBe('@carol:example.org');
    expect(read.json('data/media.json').data).toEqual([]);
    expect(read.json('data/rooms.json').data.rooms.map((r: Json) => r.room_id)).toEqual([dm]);
    expect(read.text('index.html')).toContain('@carol:example.org');
  });
});

describe('delivery only into a direct chat', () => {
  it('a chat that stopped being direct by the time the export is ready gets nothing: the user is told, the privacy contact too, nothing is kept', async () => {
    const { w, dm } = await exportWorld();
    slowRoomPages(w, 700);
    const reply = await w.ask(w.alice.userId, dm, '!export');
    const id = idIn(reply.body);
    w.hs.model.invite(dm, w.alice.userId, w.bob.userId);
    await waitUntil(() => bodies(w, dm).some((b) => b.startsWith('I could not complete your request')), 'the user to be told', 30_000);
    const told = bodies(w, dm).find((b) => b.startsWith('I could not complete your request'))!;
    expect(told).toContain(id);
    expect(told).toContain('no longer a direct chat between you and me');
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => b.includes(`Request ${id} failed`)), 'the escalation');
    expect(fileMessages(w, dm)).toHaveLength(0);
    expect(w.bot.services.desk.requests.get(id)!.state).toBe('failed');
    await w.bot.idle();
    expect(fs.readdirSync(exportsDir(w.config.dataDir))).toEqual([]);
  });
});

describe('failures', () => {
  it('a homeserver that keeps failing: retried with backoff, then the user is told plainly, the error recorded and escalated', async () => {
    const clock = movableClock();
    const { w, dm } = await exportWorld({ now: clock.now });
    w.hs.faults.add({ path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/, kind: 'status', status: 500, times: 10_000 });
    const reply = await w.ask(w.alice.userId, dm, '!export');
    const id = idIn(reply.body);
    const job = () => w.bot.services.jobStore.get(id)!;
    for (let attempt = 1; attempt < 4; attempt++) {
      await waitUntil(() => job().attempts === attempt && job().state === 'queued', `attempt ${attempt} to fail and wait`, 20_000);
      expect(job().notBefore).toBeGreaterThan(clock.now());
      expect(bodies(w, dm).some((b) => b.startsWith('I could not complete'))).toBe(false);
      clock.advance(2 * HOUR);
      w.bot.services.jobs.pump();
    }
    await waitUntil(() => bodies(w, dm).some((b) => b.startsWith('I could not complete your request')), 'the user to be told', 20_000);
    expect(bodies(w, dm).find((b) => b.startsWith('I could not complete'))).toContain('the homeserver reported an internal error');
    expect(job()).toMatchObject({ state: 'failed', attempts: 4, error: 'the homeserver reported an internal error' });
    expect(w.bot.services.desk.requests.get(id)).toMatchObject({ state: 'failed', detail: { failure: 'the homeserver reported an internal error' } });
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => b.includes(`Request ${id} failed`)), 'the escalation');
    expect(fileMessages(w, dm)).toHaveLength(0);
  }, 60_000);

  it('a homeserver that answers 429, 500, slowly, or loses an upload’s answer: one complete package, and the lost upload deleted with the rest', async () => {
    const clock = movableClock();
    const { w, seeded, dm } = await exportWorld({ now: clock.now, jobRetryBaseMs: 50 });
    const f = w.hs.faults;
    f.add({ method: 'GET', path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/, kind: 'rate-limit', retryAfterMs: 100, times: 2 });
    f.add({ method: 'GET', path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/, kind: 'status', status: 500, times: 1 });
    f.add({ method: 'GET', path: /\/media\/download\//, kind: 'status', status: 502, times: 1 });
    f.add({ method: 'GET', path: /\/_synapse\/admin\/v1\/users\/[^/]+\/joined_rooms$/, kind: 'latency', latencyMs: 300 });
    // The server stores the zip and the answer never arrives: the bot uploads again.
    f.add({ method: 'POST', path: '/_matrix/media/v3/upload', kind: 'commit-then-drop', times: 1 });
    f.add({ method: 'PUT', path: /\/send\/m\.room\.message\//, kind: 'rate-limit', retryAfterMs: 100, times: 1, bodyIncludes: 'm.file' });
    const { id } = await exportAndWait(w, dm);
    // The upload whose answer was lost failed that attempt; the job's next attempt delivered.
    expect(w.bot.services.jobStore.get(id)).toMatchObject({ state: 'done', attempts: 2 });

    const files = fileMessages(w, dm);
    expect(files).toHaveLength(1);
    const read = await unzipDelivered(w, [files[0]!.content as Json]);
    const rooms = new Map(read.json('data/rooms.json').data.rooms.map((r: Json) => [r.room_id, r]));
    const bodiesIn = (roomId: string) =>
      read
        .text((rooms.get(roomId) as Json).messages_file)
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'm.room.message')
        .map((e) => e.content.body);
    expect(bodiesIn(seeded.club)).toEqual(seeded.said);
    expect(bodiesIn(seeded.left)).toEqual(seeded.saidInLeft);
    const media = read.json('data/media.json').data;
    expect(read.text(media.find((m: Json) => m.upload_name === 'notes.txt').file)).toBe('Alice’s notes: buy tea.\n');
    // Every fault fired.
    const statuses = w.hs.requests.map((r) => r.status);
    for (const status of [429, 500, 502]) expect(statuses, String(status)).toContain(status);
    const uploads = () => [...w.hs.model.media.values()].filter((m) => m.userId === w.privacybot.userId && m.filename?.startsWith(id));
    expect(uploads()).toHaveLength(2);

    clock.advance(8 * DAY);
    await w.bot.services.maintenance.run();
    expect(uploads()).toEqual([]);
    expect(w.bot.services.desk.requests.get(id)!.state).toBe('completed');
  });

  it('!cancel while it runs: it stops, its export process ends, nothing is delivered, nothing is kept', async () => {
    const { w, dm } = await exportWorld();
    slowRoomPages(w, 700);
    const id = idIn((await w.ask(w.alice.userId, dm, '!export')).body);
    await waitUntil(() => w.bot.services.jobStore.get(id)?.progress?.phase === 'rooms', 'the export to read her rooms');
    const [exporter] = workingExportProcessesOf(process.pid);
    expect(exporter).toBeDefined();
    expect(fs.readdirSync(exportsDir(w.config.dataDir))).toEqual([`${id}.partial`]);
    expect((await w.ask(w.alice.userId, dm, `!cancel ${id}`)).body).toContain('is cancelled');
    await w.bot.services.jobs.idle();
    await w.bot.idle();
    expect(isRunning(exporter!)).toBe(false);
    expect(w.bot.services.jobStore.get(id)!.state).toBe('cancelled');
    expect(fileMessages(w, dm)).toHaveLength(0);
    expect(fs.readdirSync(exportsDir(w.config.dataDir))).toEqual([]);
  });
});

describe('after an erasure', () => {
  it('deleteExportsOf removes every export of the person: uploads and files', async () => {
    const { w, dm } = await exportWorld();
    const { id } = await exportAndWait(w, dm);
    const url = (fileMessages(w, dm)[0]!.content as Json)['url'] as string;
    expect(await w.bot.exports.deleteExportsOf(w.alice.userId)).toBe(1);
    expect((await download(w, url)).status).toBe(404);
    expect(fs.existsSync(packageDir(exportsDir(w.config.dataDir), id))).toBe(false);
  });
});

describe('in an end-to-end encrypted direct chat', () => {
  it('arrives as an encrypted attachment: the server stores only ciphertext, and the person’s client decrypts, checks and unzips it', async () => {
    world = await startWorld({ configure: (raw) => (raw.bot.encryption = 'auto') });
    const w = world;
    const seeded = seedHistory(w.hs, w.alice.userId, w.bob.userId);
    const element = await E2eeUser.login(w.hs, w.alice.userId);
    const dm = await w.openDirectChat(w.alice.userId, { encrypted: true });
    const reply = await element.replyTo(await element.sendText(dm, '!export'));
    expect(reply.encrypted).toBe(true);
    const id = idIn(String(reply.content['body']));
    const ready = await element.waitFor((e) => e.roomId === dm && String(e.content['body']).startsWith(`Your export ${id} is ready`), 'the export', 30_000);
    expect(ready.encrypted).toBe(true);
    expect(String(ready.content['body'])).toContain('It is end-to-end encrypted: only your devices can open it.');

    const files = element.seen.filter((e) => e.roomId === dm && e.content['msgtype'] === 'm.file');
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.encrypted).toBe(true);
    expect(file.content['url']).toBeUndefined();
    const encrypted = file.content['file'] as EncryptedFile;
    const bytes = await element.downloadAttachment(encrypted);
    expect(bytes.length).toBe(file.content['info'].size);
    expect(String(file.content['body'])).toContain(sha256(bytes));
    expect(String(ready.content['body'])).toContain(sha256(bytes));

    // The server holds the ciphertext only; the event naming the file (and its key) is encrypted too.
    const stored = w.hs.model.media.get(encrypted.url.split('/').pop()!)!;
    expect(stored.bytes.length).toBe(bytes.length);
    expect(stored.bytes.includes(bytes.subarray(0, 64))).toBe(false);
    expect(w.hs.model.findEvent(dm, file.eventId)?.type).toBe('m.room.encrypted');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-decrypted-'));
    scratch.push(dir);
    fs.writeFileSync(path.join(dir, 'part-1.zip'), bytes);
    const read = await readZipParts([path.join(dir, 'part-1.zip')]);
    expect(read.manifest.user).toBe(w.alice.userId);
    const club = read.json('data/rooms.json').data.rooms.find((r: Json) => r.room_id === seeded.club);
    expect(read.text(club.messages_file)).toContain(seeded.said[0]);
  }, 60_000);
});
