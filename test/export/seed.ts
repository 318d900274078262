// A user with a bit of everything, on the test homeserver, for the export tests; and the
// bot's view of that homeserver, over real HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BotConfig } from '../../src/config/load.ts';
import type { Homeserver } from '../../src/homeserver/homeserver.ts';
import { connectHomeserver } from '../../src/homeserver/synapse-admin.ts';
import { type Flavour, startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { configFor } from '../support/config.ts';
import { memoryLedger } from '../support/ledger.ts';

export const SERVER = 'example.org';
export const ALICE = `@alice:${SERVER}`;
export const BOB = `@bob:${SERVER}`;
export const BOT = `@privacybot:${SERVER}`;

/** 1x1 transparent PNG. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

export type Seeded = {
  /** Room IDs by role. */
  rooms: { club: string; left: string; encrypted: string; invited: string; banned: string; dm: string };
  /** What Alice said, by room role, in order. */
  said: { club: string[]; left: string[]; banned: string[]; dm: string[] };
  /** Bob's words: never in Alice's export. */
  bobSaid: string[];
  media: { avatar: string; notes: string; quarantined: string; image: string };
};

const day = 24 * 3600 * 1000;

/** Seeds Alice's world; times are spread over several days so that grouping by day shows. */
export function seedAlice(hs: TestHomeserver): Seeded {
  const m = hs.model;
  // Some weeks ago, so that every seeded event is in the past, as history is.
  const t0 = Math.floor((Date.now() - 40 * day) / day) * day + 9 * 3600_000;
  // Her avatar is one of her uploads, made before the account's profile points at it.
  const avatarMxc = m.uploadMedia(ALICE, { contentType: 'image/png', bytes: PNG, filename: 'me.png', createdAt: t0 });
  m.addUser({
    localpart: 'alice',
    displayName: 'Alice Liddell',
    avatarUrl: avatarMxc,
    emails: ['alice@example.org'],
    createdAt: t0 - 30 * day,
    crossSigning: true,
    profile: { 'm.tz': 'Europe/London' },
    devices: [
      {
        deviceId: 'PHONE',
        displayName: 'Alice’s phone',
        lastSeenIp: '203.0.113.7',
        lastSeenUserAgent: 'Element/1.11 (Android)',
        lastSeenAt: t0 + 5 * day,
        hasKeys: true,
      },
      {
        deviceId: 'LAPTOP',
        displayName: 'Laptop',
        lastSeenIp: '198.51.100.23',
        lastSeenUserAgent: 'Mozilla/5.0 Firefox/140',
        lastSeenAt: t0 + 4 * day,
        hasKeys: true,
      },
    ],
  });
  m.addUser({ localpart: 'bob', displayName: 'Bob' });
  m.setKeyBackup(ALICE, {
    algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
    auth_data: { public_key: 'cHVibGljLWtleQ' },
    count: 12,
    etag: '3',
    version: '1',
  });

  const notes = m.uploadMedia(ALICE, {
    contentType: 'text/plain',
    bytes: Buffer.from('Alice’s notes: buy tea.\n'),
    filename: 'notes.txt',
    createdAt: t0 + day,
  });
  const image = m.uploadMedia(ALICE, { contentType: 'image/png', bytes: PNG, filename: 'holiday.png', createdAt: t0 + day + 1000 });
  const quarantined = m.uploadMedia(ALICE, {
    contentType: 'image/jpeg',
    bytes: Buffer.from('not really a jpeg'),
    filename: 'gone.jpg',
    createdAt: t0 + day + 2000,
  });
  m.quarantineMedia(quarantined.slice(quarantined.lastIndexOf('/') + 1), '@admin:example.org');
  m.uploadMedia(BOB, { contentType: 'text/plain', bytes: Buffer.from('Bob’s file'), filename: 'bob.txt', createdAt: t0 });

  m.setAccountData(ALICE, 'org.example.privacy_prefs', { share_read_receipts: false, favourite_colour: 'blue' });
  m.addPusher(ALICE, {
    kind: 'http',
    app_id: 'org.example.push',
    pushkey: 'alice-pushkey-1',
    app_display_name: 'Push App',
    device_display_name: 'Alice’s phone',
    lang: 'en',
    data: { url: 'https://push.example.net/_matrix/push/v1/notify', format: 'event_id_only' },
  });

  const said = { club: [] as string[], left: [] as string[], banned: [] as string[], dm: [] as string[] };
  const bobSaid: string[] = [];
  const say = (room: string, who: string, text: string, ts: number) => {
    m.sendMessage(room, who, text, { ts });
    (who === ALICE ? null : bobSaid)?.push(text);
  };
  // Every event at a time of its own, in timeline order, as on a real server.
  const member = (room: string, sender: string, target: string, membership: string, ts: number, extra: Record<string, unknown> = {}) =>
    m.sendEvent(
      room,
      sender,
      'm.room.member',
      { membership, ...(membership === 'join' ? { displayname: m.user(target)?.displayName } : {}), ...extra },
      { stateKey: target, ts },
    );
  const room = (name: string, ts: number, options: { encrypted?: boolean } = {}) => {
    const id = m.createRoom(BOB, { name, ts, ...options });
    member(id, BOB, ALICE, 'invite', ts + 1000);
    return id;
  };

  const club = room('Book club', t0);
  member(club, ALICE, ALICE, 'join', t0 + 2000);
  // A member from another server: what Alice says in the club goes there too (GDPR Art. 19).
  m.addRemoteUser('@zoe:remote.example');
  member(club, '@zoe:remote.example', '@zoe:remote.example', 'join', t0 + 3000);
  m.setAccountData(ALICE, 'org.example.room_note', { note: 'Bob’s club' }, club);
  m.setRoomTag(ALICE, club, 'm.favourite', { order: 0.25 });
  say(club, BOB, 'Bob: welcome to the club', t0 + 2 * day);
  for (const [i, text] of ['Alice: hello everyone', 'Alice: I loved chapter 3', 'Alice: see you next week'].entries()) {
    say(club, ALICE, text, t0 + 2 * day + (i + 1) * 60_000 + (i === 2 ? day : 0));
    said.club.push(text);
  }
  m.sendMessage(club, ALICE, 'holiday.png', { msgtype: 'm.image', ts: t0 + 3 * day + 3600_000, extraContent: { url: image, info: { mimetype: 'image/png' } } });

  const left = room('Old project', t0);
  member(left, ALICE, ALICE, 'join', t0 + 2000);
  for (const [i, text] of ['Alice: the old plan', 'Alice: goodbye, project'].entries()) {
    say(left, ALICE, text, t0 + day + i * 1000);
    said.left.push(text);
  }
  member(left, ALICE, ALICE, 'leave', t0 + day + 5000);
  say(left, BOB, 'Bob: after Alice left', t0 + 6 * day);

  const encrypted = room('Secret garden', t0, { encrypted: true });
  member(encrypted, ALICE, ALICE, 'join', t0 + 2000);
  m.sendEvent(
    encrypted,
    ALICE,
    'm.room.encrypted',
    { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgAEnB4ciphertextOfAlice', sender_key: 'c2VuZGVy', session_id: 'c2Vzc2lvbg', device_id: 'PHONE' },
    { ts: t0 + 3 * day },
  );

  const invited = room('Invitation only', t0);

  const banned = room('Noisy room', t0);
  member(banned, ALICE, ALICE, 'join', t0 + 2000);
  say(banned, ALICE, 'Alice: too loud here', t0 + 2 * day);
  said.banned.push('Alice: too loud here');
  member(banned, BOB, ALICE, 'ban', t0 + 2 * day + 1000, { reason: 'testing bans' });

  const dm = m.createRoom(ALICE, { isDirect: true, preset: 'trusted_private_chat', ts: t0 });
  member(dm, ALICE, BOB, 'invite', t0 + 1000, { is_direct: true });
  member(dm, BOB, BOB, 'join', t0 + 2000);
  say(dm, ALICE, 'Alice: just between us', t0 + 4 * day);
  said.dm.push('Alice: just between us');
  say(dm, BOB, 'Bob: of course', t0 + 4 * day + 1000);

  return {
    rooms: { club, left, encrypted, invited, banned, dm },
    said,
    bobSaid,
    media: { avatar: avatarMxc, notes, quarantined, image },
  };
}

/** The test homeserver with the bot (a server admin) and whatever `seed` adds; the bot's Homeserver over HTTP. */
export type ExportWorld = { hs: TestHomeserver; homeserver: Homeserver; config: BotConfig; dir: string; close(): Promise<void> };

export async function startExportWorld(flavour: Flavour, seed: (hs: TestHomeserver) => void, options: { uploadLimit?: number } = {}): Promise<ExportWorld> {
  const hs = await startTestHomeserver({ flavour, serverName: SERVER, ...(options.uploadLimit ? { uploadLimit: options.uploadLimit } : {}) });
  const { accessToken: token } = hs.model.addUser({ localpart: 'privacybot', displayName: 'Privacy Bot', admin: true });
  seed(hs);
  const { homeserver } = await connectHomeserver({
    url: hs.url,
    serverName: SERVER,
    adminToken: token,
    botToken: token,
    botUserId: BOT,
    puppetLedger: memoryLedger(),
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-export-'));
  const config = configFor(hs, dir);
  return {
    hs,
    homeserver,
    config,
    dir,
    close: async () => {
      await hs.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
