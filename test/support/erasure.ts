// What the erasure tests share: Alice's world (rooms she is in, rooms she left, made by
// others, here and elsewhere; files; an email), asking for an erasure and approving it
// through messages, and looking at what is left of her on the server and in the bot's file.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { DATABASE_FILE } from '../../src/store/database.ts';
import type { HomeserverModel } from '../../src/test-homeserver/index.ts';
import { botBodies, requestIdIn as idIn } from './bot-messages.ts';
import type { World } from './world.ts';

export const ALICE = '@alice:example.org';
export const BOB = '@bob:example.org';
export const ZOE = '@zoe:remote.example';

export type AliceRooms = { chat: string; lounge: string; private: string | null; remote: string | null; own: string | null };

/**
 * Alice's rooms: Chat (hers, with Bob: she is still in it), Lounge (Bob's public room, she
 * spoke and left), and where asked, Private (Bob's invite-only room, she spoke and left),
 * Remote (made on another server, she spoke and left) and Mine (her own room, Bob stays
 * without power, she spoke and left).
 */
export function seedAlice(m: HomeserverModel, options: { privateRoom?: boolean; remoteRoom?: boolean; ownRoom?: boolean } = {}): AliceRooms {
  const chat = m.createRoom(ALICE, { name: 'Chat', invite: [BOB] });
  m.join(chat, BOB);
  const said = m.sendMessage(chat, ALICE, 'hello from Alice');
  m.sendMessage(chat, BOB, 'hello Alice');
  m.sendEvent(chat, ALICE, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: said, key: '👍' } });
  const spokeAndLeft = (roomId: string, words: string) => {
    m.join(roomId, ALICE);
    m.sendMessage(roomId, ALICE, words);
    m.leave(roomId, ALICE);
  };
  const lounge = m.createRoom(BOB, { name: 'Lounge', preset: 'public_chat' });
  spokeAndLeft(lounge, 'Alice in the lounge');
  let privateRoom: string | null = null;
  if (options.privateRoom) {
    privateRoom = m.createRoom(BOB, { name: 'Private', invite: [ALICE] });
    spokeAndLeft(privateRoom, 'something Alice regrets');
  }
  let remote: string | null = null;
  if (options.remoteRoom) {
    m.addRemoteUser(ZOE);
    remote = m.createRoom(ZOE, { name: 'Elsewhere', invite: [ALICE] });
    spokeAndLeft(remote, 'Alice elsewhere');
  }
  let own: string | null = null;
  if (options.ownRoom) {
    // Her own invite-only room, where Bob stays, with no power: once she has left, nobody here can grant any.
    own = m.createRoom(ALICE, { name: 'Mine', invite: [BOB] });
    m.join(own, BOB);
    m.sendMessage(own, ALICE, 'something Alice said in her own room');
    m.leave(own, ALICE);
  }
  m.uploadMedia(ALICE, { contentType: 'image/png', bytes: Buffer.alloc(1024, 1), filename: 'cat.png' });
  m.uploadMedia(ALICE, { contentType: 'image/jpeg', bytes: Buffer.alloc(2048, 2), filename: 'dog.jpg' });
  return { chat, lounge, private: privateRoom, remote, own };
}

/** Alice's events whose content anyone could still read (her own membership events only where they carry a profile). */
export function readableEventsOf(m: HomeserverModel, roomId: string, userId = ALICE) {
  const kept = new Set(['membership']);
  return (m.room(roomId)?.events ?? []).filter(
    (e) =>
      e.sender === userId &&
      !e.redactedBy &&
      ['m.room.message', 'm.room.encrypted', 'm.reaction', 'm.sticker', 'm.room.member'].includes(e.type) &&
      (e.type !== 'm.room.member' || e.stateKey === userId) &&
      Object.keys(e.content).some((k) => !kept.has(k)),
  );
}

/** Every redaction event per event redacted, to see that none was redacted twice. */
export function redactionsPerEvent(m: HomeserverModel): Map<string, number> {
  const counts = new Map<string, number>();
  for (const room of m.rooms.values()) {
    for (const e of room.events) if (e.type === 'm.room.redaction' && e.redacts) counts.set(e.redacts, (counts.get(e.redacts) ?? 0) + 1);
  }
  return counts;
}

/** The bot's SQLite file and its write-ahead log, as bytes anyone with the file could read. */
export function databaseBytes(dataDir: string): string {
  const file = path.join(dataDir, DATABASE_FILE);
  return ['', '-wal']
    .map((suffix) => file + suffix)
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');
}

/** What the server still holds about a user that an erasure must remove. */
export function leftOnServer(m: HomeserverModel, userId = ALICE) {
  const user = m.user(userId)!;
  return {
    deactivated: user.deactivated,
    erased: user.erasedAt !== null,
    rooms: m.memberships(userId).filter((r) => r.membership === 'join' || r.membership === 'invite').length,
    media: m.mediaOf(userId).length,
    devices: user.devices.size,
    emails: user.emails.length,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
  };
}

export const ERASED = { deactivated: true, erased: true, rooms: 0, media: 0, devices: 0, emails: 0, displayName: null, avatarUrl: null };

export { botBodies, idIn };
export const codeIn = (text: string): string => /!delete confirm (\d{6})/.exec(text)?.[1] ?? '';

/** !delete, the code, and an admin's !approve (answered): the erasure starts (at once where there is no cooling-off). */
export async function askAndApprove(w: World, dm: string): Promise<string> {
  const code = codeIn((await w.ask(ALICE, dm, '!delete')).body);
  const id = idIn((await w.ask(ALICE, dm, `!delete confirm ${code}`)).body);
  expect((await w.ask(w.admin.userId, w.adminRoomId, `!approve ${id}`)).body).toContain('Approved');
  return id;
}

/** The request's state as the bot's database has it now. */
export const stateOf = (w: World, id: string) => w.bot.services.desk.requests.get(id)?.state;

/** The admin room's reports of this erasure (verified or INCOMPLETE). */
export const reportsOf = (w: World, id: string): string[] =>
  botBodies(w.hs.model, w.privacybot.userId, w.adminRoomId).filter((b) => b.startsWith(`Erasure ${id} of`));
