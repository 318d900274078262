// The demo behind `npm start` when no homeserver is configured: the bundled test
// homeserver (Tuwunel flavour, like the operator's), the real bot against it over
// real HTTP, and a short conversation printed as a transcript.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { E2eeUser, type EncryptedFile } from './e2ee-user.ts';
import { readZip } from './unzip.ts';
import { startWorld, type World } from './world.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Alice's history; returns the room she shares with Bob. */
function seedAlice(world: Pick<World, 'hs'>, alice: string, bob: string): string {
  const m = world.hs.model;
  const now = Date.now();
  const shared = m.createRoom(alice, { name: 'Book club', invite: [bob] });
  m.join(shared, bob);
  m.sendMessage(shared, alice, 'Has anyone finished the book?');
  m.sendMessage(shared, bob, 'Almost!');
  m.sendMessage(shared, alice, 'No spoilers then.');
  m.uploadMedia(alice, { contentType: 'image/png', bytes: Buffer.alloc(48_213, 1), filename: 'cat.png', createdAt: now - 5 * HOUR });
  m.setAccountData(alice, 'im.vector.setting.breadcrumbs', { recent_rooms: [shared] });
  m.addPusher(alice, {
    kind: 'http',
    app_id: 'im.vector.app.android',
    app_display_name: 'Element',
    device_display_name: 'Pixel 8',
    pushkey: 'demo-pushkey',
    lang: 'en',
    data: { url: 'https://push.example.net/_matrix/push/v1/notify' },
  });
  return shared;
}

type Line = { who: string; text: string };

/** The entries of a zip held in memory (written to a scratch file for the unzipper). */
async function readZipBytes(bytes: Buffer): Promise<Map<string, Buffer>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-demo-'));
  try {
    fs.writeFileSync(path.join(dir, 'export.zip'), bytes);
    return await readZip(path.join(dir, 'export.zip'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function format(lines: Line[]): string {
  const width = Math.max(...lines.map((l) => l.who.length)) + 2;
  return lines
    .map(({ who, text }) => {
      const [first, ...rest] = text.split('\n');
      return [`${who.padEnd(width)}${first}`, ...rest.map((line) => `${' '.repeat(width)}${line}`)].join('\n');
    })
    .join('\n');
}

export async function runDemo(out: Writable): Promise<number> {
  const print = (text = '') => out.write(`${text}\n`);
  // The demo fast-forwards the bot's clock to show what happens as a deadline nears.
  let offset = 0;
  let bookClub = '';
  const world = await startWorld({
    flavour: 'tuwunel',
    configure: (raw) => (raw.bot.encryption = 'auto'),
    now: () => Date.now() + offset,
    alice: {
      createdAt: Date.now() - 400 * 24 * HOUR,
      devices: [
        { deviceId: 'PIXEL8', displayName: 'Element on Pixel 8', lastSeenIp: '203.0.113.7', lastSeenAt: Date.now() - 2 * HOUR, hasKeys: true },
        { deviceId: 'LAPTOP', displayName: 'Element Desktop', lastSeenIp: '198.51.100.23', lastSeenAt: Date.now() - 26 * HOUR, hasKeys: true },
      ],
      crossSigning: true,
    },
    seed: (hs) => {
      const m = hs.model;
      const alice = '@alice:example.org';
      m.addRemoteUser('@dave:remote.example');
      bookClub = seedAlice({ hs }, alice, '@bob:example.org');
    },
  });
  try {
    const { alice, bob, hs } = world;
    const dave = '@dave:remote.example';
    const name = (userId: string) => userId.slice(1).split(':')[0]!;
    const exchange = async (sender: string, roomId: string, body: string): Promise<Line[]> => {
      const reply = await world.ask(sender, roomId, body);
      return [
        { who: `${name(sender)}:`, text: body },
        { who: 'bot:', text: reply.body },
      ];
    };

    print(`Test homeserver (${hs.flavour}) at ${hs.url}, server name ${hs.serverName}; the bot is ${world.privacybot.userId}.`);
    print();

    // Alice's client encrypts, as Element does: the bot decrypts her commands and encrypts its answers.
    const element = await E2eeUser.login(hs, alice.userId, 'Element Web');
    const dm = await world.openDirectChat(alice.userId, { encrypted: true });
    const encryptedExchange = async (body: string): Promise<Line[]> => {
      const reply = await element.replyTo(await element.sendText(dm, body));
      const lock = reply.encrypted ? '🔒 ' : '';
      return [
        { who: 'alice:', text: `${lock}${body}` },
        { who: 'bot:', text: `${lock}${String(reply.content['body'])}` },
      ];
    };
    const engine = world.log.lines.find((line) => line.includes('end-to-end encryption is on'));
    print('━━ 1. Alice opens an end-to-end encrypted direct chat with the bot (🔒: decrypted by her client) ━━');
    if (engine !== undefined) print(`(bot log: ${engine.replace(/^INFO /, '')})`);
    print(format([...(await encryptedExchange('!help')), ...(await encryptedExchange('!whatdoyouhave'))]));
    // The message count needs a walk over every event she sent: it is edited in when the walk ends.
    const counted = await element.waitFor(
      (ev) =>
        ev.roomId === dm && ev.content['m.relates_to']?.rel_type === 'm.replace' && /message\(s\) you sent/.test(String(ev.content['m.new_content']?.body)),
      'the message count',
    );
    const countLine = String(counted.content['m.new_content']['body'])
      .split('\n')
      .find((line) => line.includes('message(s) you sent'));
    print(`(a moment later the bot edits its answer, 🔒, with the message count: ${countLine?.replace(/^- /, '')})`);
    const ciphertextOnly = hs.model.events(dm).every((ev) => ev.sender !== world.privacybot.userId || ev.type !== 'm.room.message');
    print(ciphertextOnly ? '(the homeserver stored only m.room.encrypted events from the bot in this chat)' : '');
    print();

    const group = hs.model.createRoom(alice.userId, { name: 'Book club', invite: [world.privacybot.userId, bob.userId, dave] });
    hs.model.join(group, bob.userId);
    hs.model.join(group, dave);
    await world.botJoined(group);
    print('━━ 2. In a group room (Alice, Bob, Dave from another server, the bot) ━━');
    print(format([...(await exchange(alice.userId, group, '!whatdoyouhave')), ...(await exchange(dave, group, '!whatdoyouhave'))]));
    print();

    print('━━ 3. Meanwhile, in the admin room ━━');
    await world.bot.idle();
    const adminNotes = hs.model
      .events(world.adminRoomId)
      .filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message')
      .map((ev) => ({ who: 'bot:', text: String((ev.content as Record<string, unknown>)['body']) }));
    print(adminNotes.length > 0 ? format(adminNotes) : '(nothing)');
    print();
    const botSays = (roomId: string, after: number): Line[] =>
      hs.model
        .events(roomId)
        .slice(after)
        .filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message')
        .map((ev) => ({ who: 'bot:', text: String((ev.content as Record<string, unknown>)['body']) }));
    const mark = (roomId: string) => hs.model.events(roomId).length;

    print('━━ 4. Alice objects; the privacy contact answers in their room ━━');
    const contactMark = mark(world.contactRoomId);
    const objection = await encryptedExchange('!object I do not want my messages used for anything but delivering them');
    const id = /R-[0-9A-Z]{4}/.exec(objection[1]!.text)?.[0] ?? '';
    print(format(objection));
    print('In the privacy contact room:');
    print(format(botSays(world.contactRoomId, contactMark)));
    print(
      format(
        await exchange(world.admin.userId, world.contactRoomId, `!reply ${id} We use them for nothing else. Is there anything specific you are worried about?`),
      ),
    );
    const relayed = await element.waitFor(
      (ev) => ev.roomId === dm && ev.sender === world.privacybot.userId && String(ev.content['body']).startsWith('The privacy contact answers'),
      'the relayed answer',
    );
    print('In Alice’s direct chat:');
    print(format([{ who: 'bot:', text: `🔒 ${String(relayed.content['body'])}` }, ...(await encryptedExchange('!status'))]));
    print();

    print('━━ 5. Alice asks for a copy of all her data ━━');
    const exportLines = await encryptedExchange('!export');
    const exportId = /R-[0-9A-Z]{4}/.exec(exportLines[1]!.text)?.[0] ?? '';
    print(format(exportLines));
    const ready = await element.waitFor(
      (ev) => ev.roomId === dm && String(ev.content['body']).startsWith(`Your export ${exportId} is ready`),
      'the export',
      60_000,
    );
    const file = element.seen.find((ev) => ev.roomId === dm && ev.content['msgtype'] === 'm.file')!;
    print(
      format([
        { who: 'bot:', text: `🔒 [file ${String(file.content['filename'])}] ${String(file.content['body'])}` },
        { who: 'bot:', text: `🔒 ${String(ready.content['body'])}` },
      ]),
    );
    const zip = await element.downloadAttachment(file.content['file'] as EncryptedFile);
    const entries = await readZipBytes(zip);
    print(`(Alice's client downloaded and decrypted the file, ${zip.length} bytes; the server stored only ciphertext. Inside:`);
    print(`  ${[...entries.keys()].sort().join(', ')})`);
    print();

    print('━━ 6. Twenty-four days later, the deadline nears: the bot escalates (once) ━━');
    const escalationMark = mark(world.contactRoomId);
    const adminMark = mark(world.adminRoomId);
    offset += 24 * DAY;
    await world.bot.services.maintenance.run();
    await world.bot.services.maintenance.run();
    print('In the privacy contact room:');
    print(format(botSays(world.contactRoomId, escalationMark)));
    print('In the admin room:');
    print(format(botSays(world.adminRoomId, adminMark).filter((l) => l.text.startsWith('Reminder'))));
    print();

    print('━━ 7. Bob erases his account: he confirms, an admin approves, a day of cooling-off, then the bot erases and checks ━━');
    const bobDm = await world.openDirectChat(bob.userId);
    const asked = await exchange(bob.userId, bobDm, '!delete');
    print(format(asked));
    const code = /\b(\d{6})\b/.exec(asked[1]!.text)?.[1] ?? '';
    const approvalMark = mark(world.adminRoomId);
    const confirmed = await exchange(bob.userId, bobDm, `!delete confirm ${code}`);
    const erasureId = /R-[0-9A-Z]{4}/.exec(confirmed[1]!.text)?.[0] ?? '';
    print(format(confirmed));
    print('In the admin room:');
    print(format(botSays(world.adminRoomId, approvalMark)));
    print(format(await exchange(world.admin.userId, world.adminRoomId, `!approve ${erasureId}`)));
    const bobMark = mark(bobDm);
    const reportMark = mark(world.adminRoomId);
    offset += 25 * HOUR;
    world.bot.services.jobs.pump();
    await world.bot.services.jobs.idle();
    await world.bot.idle();
    print('A day later, in Bob’s direct chat:');
    print(format(botSays(bobDm, bobMark)));
    print('In the admin room:');
    print(format(botSays(world.adminRoomId, reportMark).filter((l) => l.text.startsWith(`Erasure ${erasureId}`))));
    const bobsMessages = (hs.model.room(bookClub)?.events ?? []).filter((e) => e.sender === bob.userId && e.type === 'm.room.message');
    const account = hs.model.user(bob.userId)?.deactivated ? 'deactivated' : 'still active';
    const redacted = bobsMessages.filter((e) => e.redactedBy).length;
    print(`(On the server: Bob's account is ${account}; of his ${bobsMessages.length} message(s) in the book club, ${redacted} redacted.)`);
    print();
    print('That was the real bot over real HTTP against the bundled test homeserver.');
    print('To run it against your homeserver: set DSAR_BOT_ACCESS_TOKEN and edit bot.config.json (see README.md).');
    return 0;
  } finally {
    await world.close();
  }
}
