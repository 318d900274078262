// !export against a real Synapse, as a person uses it: someone with a history (a room they
// stayed in, a room they left where others stay, a room they made alone and left, uploads,
// settings of every kind) asks for a copy in a direct chat, downloads the zip parts the bot
// posts there through authenticated media with their own token, unzips them, and finds
// everything they sent, their files byte for byte, and their settings. The person keeps
// Synapse's default rate limits while the bot works for them; the bot keeps them throughout.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ReadPackage, readZipParts } from '../export/read-package.ts';
import type { RealClient, RoomEvent } from './support/client.ts';
import { type RealWorld, startRealWorld } from './support/real-world.ts';
import { adminDevices, adminMedia, roomEvents } from './support/server-state.ts';
import { describeWithSynapse } from './support/synapse.ts';

const enc = encodeURIComponent;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
type Json = Record<string, any>;

describeWithSynapse('!export on a real Synapse', () => {
  let world: RealWorld;
  let scratch: string;
  beforeAll(async () => {
    world = await startRealWorld();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-real-export-'));
  });
  afterAll(async () => {
    fs.rmSync(scratch, { recursive: true, force: true });
    await world?.close();
  });

  /** Alice's history, made through her client and Bob's; what she sent, by room. */
  async function seedHistory(alice: RealClient, bob: RealClient) {
    const me = enc(alice.userId);
    await alice.ok('PUT', `/_matrix/client/v3/profile/${me}/displayname`, { displayname: 'Alice Liddell' });
    const sent = new Map<string, string[]>();
    const say = async (roomId: string, body: string, extra: Json = {}) => {
      const id = await alice.send(roomId, 'm.room.message', { msgtype: 'm.text', body, ...extra });
      sent.set(roomId, [...(sent.get(roomId) ?? []), id]);
    };

    // A room she stays in, with her settings for it and a tag.
    const club = await bob.createRoom({ name: 'Book club', invite: [alice.userId] });
    await alice.join(club);
    await bob.say(club, 'Bob: welcome to the club, Alice');
    await say(club, 'Alice: chapter three was the best one');
    const notes = Buffer.from('Alice’s notes: buy tea, return the library books.\n');
    const notesUri = await alice.upload(notes, 'text/plain', 'notes.txt');
    await say(club, 'notes.txt', { msgtype: 'm.file', url: notesUri });
    await alice.ok('PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(club)}/account_data/im.example.room-settings`, { muted: true });
    await alice.ok('PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(club)}/tags/u.reading`, { order: 0.25 });

    // A room she left; Bob stays and talks on.
    const project = await bob.createRoom({ name: 'Old project', invite: [alice.userId] });
    await alice.join(project);
    await say(project, 'Alice: goodbye, I am leaving this project');
    const photo = randomBytes(4096);
    const photoUri = await alice.upload(photo, 'image/png', 'photo.png');
    await say(project, 'photo.png', { msgtype: 'm.image', url: photoUri });
    await alice.leave(project);
    await bob.say(project, 'Bob: after Alice left, the project went on');

    // A room she made alone, wrote in and left: nobody on this server is in it any more.
    const diary = await alice.createRoom({ name: 'Diary' });
    await say(diary, 'Alice: a note to myself, in my own room');
    await say(diary, 'Alice: and another one before I go');
    await alice.leave(diary);

    await alice.ok('PUT', `/_matrix/client/v3/user/${me}/account_data/im.example.settings`, { theme: 'dark', language: 'en-GB' });
    return {
      club,
      project,
      diary,
      sent,
      uploads: new Map([
        [notesUri, notes],
        [photoUri, photo],
      ]),
      bobSaid: ['Bob: welcome to the club, Alice', 'Bob: after Alice left, the project went on'],
    };
  }

  /** Downloads a part as the person's client does: authenticated media, with her token. */
  async function download(person: RealClient, mxc: string): Promise<Buffer> {
    const response = await fetch(`${world.synapse.url}/_matrix/client/v1/media/download/${mxc.slice('mxc://'.length)}`, {
      headers: { Authorization: `Bearer ${person.accessToken}` },
    });
    expect(response.status, `downloading ${mxc}`).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Every part in the chat downloaded, checked against its caption, and all unzipped together. */
  async function unzipDelivered(person: RealClient, files: readonly RoomEvent[]): Promise<ReadPackage> {
    const paths: string[] = [];
    for (const [i, file] of files.entries()) {
      const bytes = await download(person, file.content['url']);
      expect(bytes.length).toBe(file.content['info'].size);
      expect(String(file.content['body'])).toContain(sha256(bytes));
      paths.push(path.join(scratch, `part-${i + 1}.zip`));
      fs.writeFileSync(paths[i]!, bytes);
    }
    return readZipParts(paths);
  }

  /** What the person did and got: set up once for the file, read by each test. */
  let alice: RealClient;
  let seeded: Awaited<ReturnType<typeof seedHistory>>;
  let dm: string;
  let command: string;
  let files: RoomEvent[];
  let read: ReadPackage;

  beforeAll(async () => {
    alice = await world.person('alice');
    const bob = await world.person('bob');
    seeded = await seedHistory(alice, bob);
    // From now on she is a person the bot serves: Synapse's default rate limits, as operators run them.
    await world.synapse.restoreRateLimits(alice.userId);
    dm = await world.openDirectChat(alice);

    command = await alice.say(dm, '!export');
    const reply = await alice.replyTo(dm, world.botUserId, command, 60_000);
    const id = /R-[0-9A-Z]{4}/.exec(String(reply.content['body']))?.[0];
    expect(id).toBeDefined();
    const ready = await alice.waitFor(
      dm,
      (e) => e.sender === world.botUserId && String(e.content['body']).startsWith(`Your export ${id} is ready`),
      'the export to be ready',
      100_000,
    );
    expect(String(ready.content['body'])).toContain('not end-to-end encrypted');
    files = (await alice.history(dm, 500)).filter((e) => e.sender === world.botUserId && e.content['msgtype'] === 'm.file');
    read = await unzipDelivered(alice, files);
  });

  it('delivers zip parts into her direct chat that download through authenticated media, match their captions and unzip into one package', () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const file of files) expect(file.content).toMatchObject({ msgtype: 'm.file', info: { mimetype: 'application/zip' } });
    expect(read.manifest).toMatchObject({ format: 'matrix-dsar-export/1', user: alice.userId, server: world.synapse.serverName, parts: files.length });
    expect(read.text('index.html')).toContain('Alice Liddell');
  });

  it('holds every message she sent, as the server has them: in the room she stays in, the room she left, the room she made alone and left, and this chat', async () => {
    const rooms: Json[] = read.json('data/rooms.json').data.rooms;
    const exportedIds = new Set<string>();
    for (const room of rooms) {
      for (const line of read.text(room['messages_file']).trimEnd().split('\n').slice(1)) exportedIds.add(JSON.parse(line).event_id);
    }
    const byRoom = new Map(rooms.map((r) => [r['room_id'], r]));
    expect(byRoom.get(seeded.club)).toMatchObject({ name: 'Book club', your_membership: 'join' });
    expect(byRoom.get(seeded.project)).toMatchObject({ name: 'Old project', your_membership: 'leave' });

    const where = new Map([
      [seeded.club, 'the room she stays in'],
      [seeded.project, 'the room she left'],
      [seeded.diary, 'the room she made alone and left'],
      [dm, 'the direct chat'],
    ]);
    for (const [roomId, what] of where) {
      const onServer = (await roomEvents(world.synapse, roomId)).filter((e) => e.sender === alice.userId && e.type === 'm.room.message').map((e) => e.event_id);
      expect(onServer).toEqual(expect.arrayContaining(roomId === dm ? [command] : seeded.sent.get(roomId)!));
      expect(
        onServer.filter((eventId) => !exportedIds.has(eventId)),
        `her messages in ${what} missing from the package`,
      ).toEqual([]);
    }
    // Nobody else's words (GDPR Art. 15(4)).
    for (const [name, bytes] of read.files) for (const words of seeded.bobSaid) expect(bytes.includes(words), `"${words}" in ${name}`).toBe(false);
  });

  it('holds her uploads byte for byte, every one the server lists', async () => {
    const media: Json[] = read.json('data/media.json').data;
    const listed = await adminMedia(world.synapse, alice.userId);
    expect(listed.map((m) => `mxc://${world.synapse.serverName}/${m.media_id}`).sort()).toEqual([...seeded.uploads.keys()].sort());
    for (const [mxc, bytes] of seeded.uploads) {
      const entry = media.find((m) => m['mxc'] === mxc);
      expect(entry, mxc).toBeDefined();
      expect(read.files.get(entry!['file'])?.equals(bytes), `the bytes of ${entry!['upload_name']}`).toBe(true);
    }
  });

  it('holds her settings: global, for a room, and the tag she gave a room', () => {
    const { account_data: accountData, room_tags: roomTags } = read.json('data/accountData.json').data;
    expect(accountData.global['im.example.settings']).toEqual({ theme: 'dark', language: 'en-GB' });
    expect(accountData.rooms[seeded.club]['im.example.room-settings']).toEqual({ muted: true });
    // Synapse keeps tags apart from account data (its admin API does not list them): read as her, room by room.
    expect(roomTags, 'the room tag she set').toEqual([{ room_id: seeded.club, tags: { 'u.reading': { order: 0.25 } } }]);
  });

  it('leaves her account as it was (no session of the bot’s on it), and the parts are the bot’s uploads, to be deleted when the window ends', async () => {
    expect((await adminDevices(world.synapse, alice.userId)).map((d) => d.device_id)).toEqual([alice.deviceId]);
    const botUploads = new Set((await adminMedia(world.synapse, world.botUserId)).map((m) => `mxc://${world.synapse.serverName}/${m.media_id}`));
    for (const file of files) expect(botUploads.has(file.content['url'])).toBe(true);
  });
});
