// The export package, read back: every category checked against the seeded world, in each
// server flavour (Synapse 1.67 through login-as, current Synapse, Tuwunel), every checksum
// verified, and index.html opened in headless Chromium.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportUserData } from '../../src/export/package/export.ts';
import type { ExportPackage } from '../../src/export/package/package.ts';
import { isSafeEntryPath } from '../../src/export/package/paths.ts';
import type { ExportProgress } from '../../src/export/package/progress.ts';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import { chromiumMissing, useChromium } from '../support/chromium.ts';
import { type ReadPackage, readPackageBack, unpack } from './read-package.ts';
import { ALICE, type ExportWorld, PNG, type Seeded, seedAlice, startExportWorld } from './seed.ts';

const FLAVOURS: Flavour[] = ['synapse-1.67', 'synapse', 'tuwunel'];

const chromium = useChromium();

describe.each(FLAVOURS)('an export on %s', (flavour) => {
  let world: ExportWorld;
  let seeded: Seeded;
  let pkg: ExportPackage;
  let read: ReadPackage;
  const progress: ExportProgress[] = [];
  const outputDir = () => path.join(world.dir, 'exports');

  beforeAll(async () => {
    world = await startExportWorld(flavour, (hs) => {
      seeded = seedAlice(hs);
    });
    pkg = await exportUserData({
      homeserver: world.homeserver,
      userId: ALICE,
      config: world.config,
      outputDir: outputDir(),
      name: 'R-ALICE',
      onProgress: (p) => progress.push(p),
    });
    read = await readPackageBack(outputDir(), pkg);
  });
  afterAll(async () => {
    await world?.close();
  });

  const roomFile = (roomId: string) => {
    const room = read.json('data/rooms.json').data.rooms.find((r: any) => r.room_id === roomId);
    expect(room, `room ${roomId} is listed`).toBeDefined();
    return read
      .text(room.messages_file)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
  };
  const bodiesIn = (roomId: string) =>
    roomFile(roomId)
      .slice(1)
      .filter((e) => e.type === 'm.room.message')
      .map((e) => e.content.body);

  it('comes as one zip whose manifest lists every other file with a matching checksum', () => {
    expect(pkg.parts).toHaveLength(1);
    expect(read.manifest).toMatchObject({ format: 'matrix-dsar-export/1', server: 'example.org', user: ALICE, parts: 1 });
    const paths = read.manifest.files.map((f) => f.path);
    expect(paths).toContain('index.html');
    for (const category of [
      'account',
      'profile',
      'emails',
      'devices',
      'ipAddresses',
      'userAgents',
      'connectionTimes',
      'rooms',
      'messages',
      'media',
      'accountData',
      'pushers',
      'encryptionKeys',
    ]) {
      expect(paths).toContain(`data/${category}.json`);
    }
    for (const p of read.parts[0]!.keys()) expect(isSafeEntryPath(p) || p === 'manifest.json', p).toBe(true);
  });

  it('holds the account and profile, the avatar image itself, emails, and never the password hash', () => {
    const account = read.json('data/account.json');
    expect(account.data.name).toBe(ALICE);
    expect(account.declared.purpose).toEqual(world.config.policy.categories.account.purpose);
    expect(read.text('data/account.json')).not.toMatch(/password_hash/);
    const profile = read.json('data/profile.json').data;
    expect(profile.display_name).toBe('Alice Liddell');
    expect(profile.avatar_url).toBe(seeded.media.avatar);
    expect(read.files.get(profile.avatar_file)).toEqual(PNG);
    expect(read.json('data/emails.json').data.email_addresses).toEqual(['alice@example.org']);
  });

  it('holds devices and sessions as stored: IPs and times, user agents where the server keeps them', () => {
    const devices = read.json('data/devices.json').data.devices;
    const phone = devices.find((d: any) => d.device_id === 'PHONE');
    expect(phone).toMatchObject({ display_name: 'Alice’s phone', last_seen_ip: '203.0.113.7' });
    expect(phone.last_seen_ts).toBeGreaterThan(0);
    const agents = read.json('data/userAgents.json').data.map((a: any) => a.user_agent);
    if (flavour === 'tuwunel') expect(agents).toEqual([]);
    else expect(agents).toContain('Element/1.11 (Android)');
    expect(read.json('data/ipAddresses.json').data.map((a: any) => a.ip)).toEqual(expect.arrayContaining(['203.0.113.7', '198.51.100.23']));
    expect(read.json('data/connectionTimes.json').data.connections.length).toBeGreaterThan(0);
  });

  it('lists every room she is or was in, with its name and her membership history', () => {
    const rooms = read.json('data/rooms.json').data.rooms;
    const byId = new Map(rooms.map((r: any) => [r.room_id, r]));
    expect(rooms).toHaveLength(6);
    expect(byId.get(seeded.rooms.club)).toMatchObject({ name: 'Book club', your_membership: 'join' });
    expect(byId.get(seeded.rooms.left)).toMatchObject({ name: 'Old project', your_membership: 'leave' });
    expect(byId.get(seeded.rooms.invited)).toMatchObject({ name: 'Invitation only', your_membership: 'invite' });
    expect(byId.get(seeded.rooms.encrypted)).toMatchObject({ name: 'Secret garden', encrypted: true });
    const history = (id: string) => (byId.get(id) as any).membership_history.map((e: any) => `${e.sender === ALICE ? 'alice' : 'bob'}:${e.content.membership}`);
    expect(history(seeded.rooms.left)).toEqual(['alice:join', 'alice:leave']);
    expect(history(seeded.rooms.invited)).toEqual(['bob:invite']);
    // Bans read as "leave" in sync (Synapse 1.67) and in Tuwunel's memberships; the event says what happened.
    expect(history(seeded.rooms.banned)).toEqual(['alice:join', 'bob:ban']);
    // The other servers that received what she sent, room by room (GDPR Art. 15(1)(c), 19).
    expect(byId.get(seeded.rooms.club)).toMatchObject({ other_servers: ['remote.example'] });
    expect(byId.get(seeded.rooms.left)).toMatchObject({ other_servers: [] });
  });

  it('holds every event she sent, rooms she left included, oldest first, and nobody else’s', () => {
    expect(bodiesIn(seeded.rooms.club)).toEqual([...seeded.said.club, 'holiday.png']);
    expect(bodiesIn(seeded.rooms.left)).toEqual(seeded.said.left);
    expect(bodiesIn(seeded.rooms.banned)).toEqual(seeded.said.banned);
    expect(bodiesIn(seeded.rooms.dm)).toEqual(seeded.said.dm);
    const header = roomFile(seeded.rooms.club)[0];
    expect(header.room).toMatchObject({ room_id: seeded.rooms.club, name: 'Book club' });
    for (const [name, bytes] of read.files) {
      for (const words of seeded.bobSaid) expect(bytes.includes(words), `"${words}" must not be in ${name}`).toBe(false);
    }
    const events = [...read.files.keys()]
      .filter((p) => p.startsWith('data/messages/'))
      .flatMap((p) =>
        read
          .text(p)
          .trimEnd()
          .split('\n')
          .slice(1)
          .map((l) => JSON.parse(l)),
      );
    expect(events.every((e) => e.sender === ALICE)).toBe(true);
    const times = roomFile(seeded.rooms.club)
      .slice(1)
      .map((e) => e.origin_server_ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('holds encrypted events as stored, and says the server cannot decrypt them', () => {
    const events = roomFile(seeded.rooms.encrypted)
      .slice(1)
      .filter((e) => e.type === 'm.room.encrypted');
    expect(events).toHaveLength(1);
    expect(events[0].content.ciphertext).toBe('AwgAEnB4ciphertextOfAlice');
    expect(read.json('data/messages.json').data.encrypted).toMatch(/cannot decrypt/);
    expect(read.text('index.html')).toMatch(/server holds only ciphertext and cannot decrypt it/);
  });

  it('holds her uploads themselves, and names the one the server can no longer serve', () => {
    const media = read.json('data/media.json').data;
    const notes = media.find((m: any) => m.mxc === seeded.media.notes);
    expect(notes.file).toMatch(/^media\/\d+\.txt$/);
    expect(read.text(notes.file)).toBe('Alice’s notes: buy tea.\n');
    expect(notes.upload_name).toBe('notes.txt');
    const gone = media.find((m: any) => m.mxc === seeded.media.quarantined);
    expect(gone.file).toBeNull();
    expect(gone.unavailable).toMatch(/quarantined/);
    expect(media.some((m: any) => m.upload_name === 'bob.txt')).toBe(false);
    expect(pkg.counts).toMatchObject({ mediaFiles: 3, mediaUnavailable: 1 });
  });

  it('holds account data contents, room tags, profile fields, pushers and the public keys, and whether a key backup exists', () => {
    const { account_data: accountData, room_tags: roomTags } = read.json('data/accountData.json').data;
    expect(accountData.global['org.example.privacy_prefs']).toEqual({ share_read_receipts: false, favourite_colour: 'blue' });
    expect(accountData.rooms[seeded.rooms.club]['org.example.room_note']).toEqual({ note: 'Bob’s club' });
    // Synapse keeps tags apart from account data: they are read as her, room by room.
    expect(roomTags).toEqual([{ room_id: seeded.rooms.club, tags: { 'm.favourite': { order: 0.25 } } }]);
    // Profile fields besides name and avatar (MSC4133): current Synapse and Tuwunel keep them; 1.67 has none.
    expect(read.json('data/profile.json').data.other_fields).toEqual(flavour === 'synapse-1.67' ? {} : { 'm.tz': 'Europe/London' });
    expect(read.json('data/pushers.json').data[0]).toMatchObject({ pushkey: 'alice-pushkey-1', app_id: 'org.example.push' });
    const keys = read.json('data/encryptionKeys.json').data;
    expect(Object.keys(keys.public_keys.device_keys).sort()).toEqual(['LAPTOP', 'PHONE']);
    expect(keys.public_keys.master_key).not.toBeNull();
    expect(keys.key_backup).toMatchObject({ version: '1', algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2' });
  });

  it('gives each category its purpose, legal basis, retention, recipients and source', () => {
    const pushers = read.json('data/pushers.json');
    expect(pushers.declared).toEqual(world.config.policy.categories.pushers);
    const html = read.text('index.html');
    expect(html).toContain(escapeHtml(world.config.policy.categories.messages.legalBasis));
    expect(html).toContain(escapeHtml(world.config.policy.supervisoryAuthority.name));
    expect(html).toContain(world.config.privacyContact.email);
    expect(html).toMatch(/Art\. 15\(4\)/);
  });

  it('reports progress: phases in order, and the final counts', () => {
    const phases = [...new Set(progress.map((p) => p.phase))];
    // The probe of the server's other rooms (rooms forgotten, or nobody here is in any more) comes before the rooms are read.
    expect(phases).toEqual(['account', 'probe', 'rooms', 'writing', 'done']);
    const last = progress.at(-1)!;
    expect(last.rooms).toEqual({ done: 6, total: 6 });
    expect(last.events).toBe(pkg.counts.events);
    expect(last.media.bytes).toBe(pkg.counts.mediaBytes);
    expect(last.parts).toEqual({ done: 1, total: 1 });
  });

  it.skipIf(chromiumMissing)('shows her data in a browser: the summary, each category, her messages by room and day', async () => {
    const page = await chromium().context.newPage();
    try {
      await page.goto(unpack(read, path.join(world.dir, 'unzipped')));
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's page.innerText, the text as the page shows it.
      const text = await page.innerText('body');
      expect(text).toContain('Your data on example.org');
      expect(text).toContain('Alice Liddell');
      expect(text).toContain('alice@example.org');
      expect(text).toContain('203.0.113.7');
      for (const said of [...seeded.said.club, ...seeded.said.left, ...seeded.said.dm]) expect(text).toContain(said);
      for (const said of seeded.bobSaid) expect(text).not.toContain(said);
      const roomHeadings = await page.locator('h3[id^="room-"]').allInnerTexts();
      expect(roomHeadings.some((h) => h.includes('Book club'))).toBe(true);
      // Grouped by day: the club's messages span two days.
      const club = page.locator('h3', { hasText: 'Book club' });
      expect(await club.count()).toBeGreaterThan(0);
      expect((await page.locator('h4').allInnerTexts()).filter((h) => /^\d{4}-\d{2}-\d{2}/.test(h)).length).toBeGreaterThanOrEqual(2);
    } finally {
      await page.close();
    }
  });
});

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
