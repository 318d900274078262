// No command is answered twice, even when the homeserver stores a reply and the bot
// never hears back; a reply that cannot be sent at all is given up, recorded and
// reported to the admins once.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/store/database.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

/** Sends of m.room.message into one room, by raw path. */
const sendsInto = (roomId: string) => new RegExp(`/rooms/${encodeURIComponent(roomId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/send/m\\.room\\.message/`);

const inboxRow = (w: World, eventId: string) => {
  const db = new Database(path.join(w.config.dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT * FROM inbox WHERE event_id = ?').get(eventId) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
};

describe('replies are sent exactly once', () => {
  it.each(['synapse-1.67', 'synapse', 'tuwunel'] as const)(
    'a reply the server stored but never confirmed is not sent again, now or after a restart (%s)',
    async (flavour) => {
      world = await startWorld({ flavour });
      const dm = await world.openDirectChat(world.alice.userId);
      world.hs.faults.add({ method: 'PUT', path: sendsInto(dm), kind: 'commit-then-drop' });
      const command = world.say(world.alice.userId, dm, '!help');
      await world.replyTo(command);
      await world.bot.idle();
      await world.restart();
      await world.ask(world.alice.userId, dm, '!contact');
      await world.bot.idle();
      expect(world.repliesTo(dm, command)).toHaveLength(1);
    },
  );

  it('after the server forgot the transaction, the bot finds its earlier reply instead of sending another', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    // Stored, but every answer lost: the bot cannot know its reply went out.
    world.hs.faults.add({ method: 'PUT', path: sendsInto(dm), kind: 'commit-then-drop', times: 100 });
    const command = world.say(world.alice.userId, dm, '!help');
    await world.replyTo(command);
    await world.bot.idle();
    world.hs.faults.clear();
    world.hs.model.forgetTransactions();
    await world.restart();
    await world.ask(world.alice.userId, dm, '!contact');
    await world.bot.idle();
    expect(world.repliesTo(dm, command)).toHaveLength(1);
    expect(inboxRow(world, command)?.['answered_at']).not.toBeNull();
  });

  it('a reply that can never be sent is given up after three attempts, recorded, and reported to the admins once', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ method: 'PUT', path: sendsInto(dm), kind: 'status', status: 500, times: 10_000 });
    const command = world.say(world.alice.userId, dm, '!help');
    const failedSends = () => world.hs.requests.filter((r) => r.method === 'PUT' && sendsInto(dm).test(r.path)).length;
    await waitUntil(() => failedSends() > 0, 'a first failed send');
    await world.bot.idle();
    for (let start = 0; start < 4; start++) {
      await world.restart();
      await world.bot.idle();
    }
    const adminNotices = () =>
      world.hs.model
        .events(world.adminRoomId)
        .filter((ev) => ev.sender === world.privacybot.userId && String(ev.content['body']).includes('could not deliver'));
    expect(adminNotices()).toHaveLength(1);
    const notice = String(adminNotices()[0]!.content['body']);
    expect(notice).toContain(world.alice.userId);
    expect(notice).toContain('!help');
    const row = inboxRow(world, command);
    expect(row?.['attempts']).toBe(3);
    expect(row?.['failed_at']).not.toBeNull();
    // Given up: later starts try no more.
    const sendsBefore = failedSends();
    await world.restart();
    await world.bot.idle();
    expect(failedSends()).toBe(sendsBefore);
    expect(adminNotices()).toHaveLength(1);
    expect(world.repliesTo(dm, command)).toHaveLength(0);
  }, 40_000);

  it('a reply the server refuses is given up at once; a report that did not get through is posted at the next start', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ method: 'PUT', path: sendsInto(dm), kind: 'status', status: 403, times: 10_000 });
    world.hs.faults.add({ method: 'PUT', path: sendsInto(world.adminRoomId), kind: 'status', status: 500, times: 10_000 });
    const command = world.say(world.alice.userId, dm, '!contact');
    await waitUntil(() => inboxRow(world, command)?.['failed_at'] != null, 'the command to be given up');
    await world.bot.idle();
    const row = inboxRow(world, command);
    expect(row?.['attempts']).toBe(1);
    expect(row?.['failure_reported_at']).toBeNull();

    world.hs.faults.clear();
    await world.restart();
    await world.bot.idle();
    await world.restart();
    await world.bot.idle();
    const reports = world.hs.model.events(world.adminRoomId).filter((ev) => String(ev.content['body']).includes('could not deliver'));
    expect(reports).toHaveLength(1);
    expect(String(reports[0]!.content['body'])).toContain('403');
    expect(inboxRow(world, command)?.['sender']).toBe('');
  });

  it('an answer too large for one event is replaced by a short note, sent once', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    // A display name far beyond what servers allow makes the report too large to send.
    world.hs.model.user(world.alice.userId)!.displayName = 'A'.repeat(70_000);
    const command = world.say(world.alice.userId, dm, '!whatdoyouhave');
    const reply = await world.replyTo(command);
    expect(reply.body).toContain('too long to send as one message');
    expect(reply.body).toContain(world.config.privacyContact.email);
    await world.bot.idle();
    expect(world.repliesTo(dm, command)).toHaveLength(1);
  });
});
