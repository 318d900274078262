import { afterEach, describe, expect, it } from 'vitest';
import type { RoomEvent, TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function world() {
  hs = await startTestHomeserver({ flavour: 'tuwunel' });
  const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
  const alice = hs.model.addUser({ localpart: 'alice', displayName: 'Alice', emails: ['alice@example.org'] });
  const adminRoom = hs.model.aliases.get('#admins:test.local') ?? '';
  return { bot, alice, adminRoom };
}

/** Sends a command as the bot over HTTP and waits for @conduit's reply to it. */
async function command(bot: { accessToken: string }, adminRoom: string, line: string): Promise<RoomEvent> {
  const res = await call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(adminRoom)}/send/m.room.message/${Math.random()}`, {
    token: bot.accessToken,
    body: { msgtype: 'm.text', body: line },
  });
  const commandId = res.body.event_id as string;
  return hs.model.waitForEvent(
    (ev) =>
      ev.sender === '@conduit:test.local' &&
      (ev.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined)?.['m.in_reply_to']?.event_id === commandId,
    2000,
    `the reply to ${line}`,
  );
}

describe('Tuwunel admin room', () => {
  it('exists as #admins with @conduit, and admin users are members', async () => {
    const { bot, adminRoom } = await world();
    expect(adminRoom).toMatch(/^!/);
    expect(hs.model.membership(adminRoom, '@conduit:test.local')).toBe('join');
    expect(hs.model.membership(adminRoom, bot.userId)).toBe('join');
    expect(hs.model.membership(adminRoom, '@alice:test.local')).toBeNull();
    const dir = await call(hs.url, 'GET', `/_matrix/client/v3/directory/room/${enc('#admins:test.local')}`, { token: bot.accessToken });
    expect(dir.body.room_id).toBe(adminRoom);
  });

  it('users list-joined-rooms: an error when empty, a code block otherwise; replies are notices with HTML', async () => {
    const { bot, alice, adminRoom } = await world();
    const empty = await command(bot, adminRoom, `!admin users list-joined-rooms ${alice.userId}`);
    expect(empty.content['body']).toBe('Command failed with error:\n```\nUser is not in any rooms.\n```');
    expect(empty.content['msgtype']).toBe('m.notice');
    expect(empty.content['format']).toBe('org.matrix.custom.html');
    hs.model.createRoom(alice.userId, { name: 'Garden' });
    const listed = await command(bot, adminRoom, `!admin users list-joined-rooms ${alice.userId}`);
    expect(String(listed.content['body'])).toMatch(/^Rooms @alice:test\.local Joined \(1\):\n```\n!.+\tMembers: 1\tName: Garden\n```$/);
    expect(String(listed.content['formatted_body'])).toContain('<pre><code>');
  });

  it('users deactivate leaves rooms and clears the profile, keeps emails, does not erase', async () => {
    const { bot, alice, adminRoom } = await world();
    const room = hs.model.createRoom(alice.userId, { name: 'Garden' });
    const reply = await command(bot, adminRoom, `!admin users deactivate ${alice.userId}`);
    // She made the room, so she is demoted first, and the log line says so.
    expect(String(reply.content['body'])).toMatch(
      /^\| level \| span \| message \|\n[\s\S]*\| Demoted @alice:test\.local in ![\s\S]*\n\nUser @alice:test\.local has been deactivated$/,
    );
    const user = hs.model.user(alice.userId);
    expect(hs.model.membership(room, alice.userId)).toBe('leave');
    expect(user?.displayName).toBeNull();
    expect(user?.deactivated).toBe(true);
    expect(user?.emails).toHaveLength(1);
    expect((await command(bot, adminRoom, `!admin users erasure ${alice.userId}`)).content['body']).toBe('@alice:test.local is not erased');
  });

  it('users erasure after an HTTP erase; del-email; media delete-all-from-user', async () => {
    const { bot, alice, adminRoom } = await world();
    await call(hs.url, 'POST', `/_synapse/admin/v1/deactivate/${enc(alice.userId)}`, { token: bot.accessToken, body: { erase: true } });
    expect(String((await command(bot, adminRoom, `!admin users erasure ${alice.userId}`)).content['body'])).toMatch(
      /^@alice:test\.local is erased \(since count \d+\)$/,
    );
    expect((await command(bot, adminRoom, `!admin users del-email ${alice.userId} alice@example.org`)).content['body']).toBe(
      'Removed email alice@example.org from user @alice:test.local.',
    );
    expect(hs.model.user(alice.userId)?.emails).toEqual([]);
    hs.model.uploadMedia(alice.userId, { contentType: 'image/png', bytes: Buffer.from([1]) });
    hs.model.uploadMedia(alice.userId, { contentType: 'image/png', bytes: Buffer.from([2]) });
    expect((await command(bot, adminRoom, `!admin media delete-all-from-user ${alice.userId}`)).content['body']).toBe('Deleted 2 total files.');
    expect(hs.model.mediaOf(alice.userId)).toEqual([]);
  });

  it("unknown commands get clap's usage error; notices without a relation can be posted", async () => {
    const { bot, adminRoom } = await world();
    const reply = await command(bot, adminRoom, '!admin users frobnicate @x:test.local');
    expect(String(reply.content['body'])).toMatch(/^error: unrecognized subcommand 'frobnicate'/);
    const id = hs.model.postServerNotice('New user registered');
    const notice = hs.model.events(adminRoom).find((e) => e.event_id === id);
    expect(notice?.content).toEqual({ msgtype: 'm.notice', body: 'New user registered' });
  });

  it('ignores messages that are not commands, and postServerNotice throws on Synapse', async () => {
    const { bot, adminRoom } = await world();
    hs.model.sendMessage(adminRoom, bot.userId, 'hello');
    await expect(hs.model.waitForEvent((ev) => ev.sender === '@conduit:test.local' && ev.type === 'm.room.message', 100)).rejects.toThrow(/within 100 ms/);
    await hs.close();
    hs = await startTestHomeserver();
    expect(() => hs.model.postServerNotice('x')).toThrow();
  });
});
