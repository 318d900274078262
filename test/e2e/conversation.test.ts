// A conversation with the real bot over real HTTP, against the test homeserver
// (current Synapse flavour): the commands, where they may run, and who may use them.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/store/database.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
let dm: string;

beforeAll(async () => {
  world = await startWorld({
    alice: {
      devices: [
        {
          deviceId: 'PHONE',
          displayName: 'Alice phone',
          lastSeenIp: '203.0.113.9',
          lastSeenUserAgent: 'Element/1.11 (Android 14)',
          lastSeenAt: Date.now() - 60_000,
          hasKeys: true,
        },
      ],
      crossSigning: true,
    },
  });
  dm = await world.openDirectChat(world.alice.userId);
});
afterAll(() => world?.close());

const botMessages = (roomId: string) => world.hs.model.events(roomId).filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message');

describe('!help', () => {
  it('lists every command, one line each, and the privacy contact, as a threaded notice with HTML', async () => {
    const sent = world.say(world.alice.userId, dm, '!help');
    const reply = await world.replyTo(sent);
    expect(reply.content['msgtype']).toBe('m.notice');
    expect(reply.content['format']).toBe('org.matrix.custom.html');
    expect(reply.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: sent } });
    for (const usage of [
      '!help',
      '!whatdoyouhave',
      '!status',
      '!cancel [request ID]',
      '!contact [message]',
      '!correct <what is wrong>',
      '!object <what you object to>',
    ]) {
      expect(
        reply.body.split('\n').filter((line) => line.startsWith(`- \`${usage}\``)),
        usage,
      ).toHaveLength(1);
      expect(reply.html).toContain(`<code>${usage.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code>`);
    }
    // The admins' and the privacy contact's commands are listed in their rooms, not here.
    expect(reply.body).not.toContain('!requests');
    expect(reply.body).not.toContain('!reply');
    expect(reply.body).toContain(world.config.privacyContact.email);
    expect(reply.body).toContain(world.config.privacyContact.room);
  });

  it('answers whatever the case, and after the bot is addressed by name', async () => {
    for (const body of ['!HELP', 'privacybot: !Help', '@privacybot:example.org !help', 'Privacy Bot: !help']) {
      const reply = await world.ask(world.alice.userId, dm, body);
      expect(reply.body, body).toContain('!whatdoyouhave');
    }
  });
});

describe('!contact', () => {
  it('names the privacy contact, by email and room, and what they handle', async () => {
    const reply = await world.ask(world.alice.userId, dm, '!contact');
    expect(reply.body).toContain(world.config.privacyContact.email);
    expect(reply.body).toContain(world.config.privacyContact.room);
    expect(reply.body).toMatch(/correct/);
    expect(reply.body).toMatch(/object/);
    expect(reply.body).toContain(`within ${world.config.policy.responseDays} days`);
    expect(reply.html).toContain(`<a href="mailto:${world.config.privacyContact.email}">`);
  });
});

describe('!whatdoyouhave in a direct chat', () => {
  it('shows what the server holds about the sender, category by category, with the policy and the rights', async () => {
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    const { body } = reply;
    expect(body).toContain('@alice:example.org');
    expect(body).toContain('Alice Liddell');
    expect(body).toContain('alice@example.org');
    expect(body).toContain('PHONE');
    expect(body).toContain('203.0.113.9');
    expect(body).toContain('Element/1.11 (Android 14)');
    expect(body).toMatch(/Joined: \d+ room\(s\)/);
    expect(body).toContain('Cross-signing keys');
    expect(body).not.toMatch(/password.*\$2[aby]\$/i);
    for (const heading of [
      '## Account',
      '## Profile',
      '## Email addresses',
      '## IP addresses',
      '## Room memberships',
      '## Messages',
      '## Uploaded files and media',
      '## Encryption keys',
      '## Your rights',
    ]) {
      expect(body).toContain(heading);
    }
    const policy = world.config.policy.categories.emails;
    expect(body).toContain(policy.purpose);
    expect(body).toContain(policy.retention);
    expect(body).toContain(world.config.policy.supervisoryAuthority.name);
    // Nothing about anybody else.
    expect(body).not.toContain('@bob:example.org');
    expect(reply.html).toContain('<h4>Account</h4>');
  });

  it('names the other servers in her rooms, room by room, once it has looked them up (GDPR Art. 15(1)(c))', async () => {
    const m = world.hs.model;
    m.addRemoteUser('@zoe:remote.example');
    m.addRemoteUser('@yan:other.example');
    const shared = m.createRoom(world.alice.userId, { name: 'Shared', invite: ['@zoe:remote.example', '@yan:other.example'] });
    m.join(shared, '@zoe:remote.example');
    m.join(shared, '@yan:other.example');
    m.leave(shared, '@yan:other.example');
    // Invited, never joined: nothing of the room went there.
    const invitedOnly = m.createRoom(world.alice.userId, { name: 'Invite only', invite: ['@xi:third.example'] });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(reply.body).toMatch(/Other servers in your rooms: being looked up/);
    const text = await world.waitForText(dm, reply.eventId, /Other servers in your rooms, which received/);
    expect(text).toContain(`\`${shared}\`: other.example, remote.example`);
    expect(text).not.toContain(`\`${invitedOnly}\`: `);
    expect(text).not.toContain('third.example');
  });

  it('shows that it is working on an answer that takes a moment, and stops; a quick answer shows nothing', async () => {
    const typingRequests = () => world.hs.requests.filter((r) => r.method === 'PUT' && r.path.includes('/typing/') && r.userId === world.privacybot.userId);
    // Earlier tests' counts may still be typing: wait for them to end.
    await world.bot.services.jobs.idle();
    await world.bot.idle();
    const before = typingRequests().length;
    await world.ask(world.alice.userId, dm, '!help');
    expect(typingRequests().length).toBe(before);
    // A slow homeserver: reading the account takes 600 ms.
    world.hs.faults.add({ method: 'GET', path: /^\/_synapse\/admin\/v2\/users\//, kind: 'latency', latencyMs: 600 });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(typingRequests().length).toBeGreaterThan(before);
    // The count that completes the answer keeps typing up while it runs, and ends it.
    await world.waitForText(dm, reply.eventId, /\d+ message\(s\) you sent/);
    await world.bot.services.jobs.idle();
    await world.bot.idle();
    expect(world.hs.model.room(dm)!.typing.userIds).not.toContain(world.privacybot.userId);
  });

  it('tells the admin room once per category where the server holds what the policy says it does not', async () => {
    await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    await world.bot.idle();
    const alerts = botMessages(world.adminRoomId)
      .map((ev) => String((ev.content as Record<string, unknown>)['body']))
      .filter((b) => b.startsWith('Server and policy disagree'));
    expect(alerts.filter((a) => a.includes('“IP addresses”'))).toHaveLength(1);
    expect(alerts.filter((a) => a.includes('“App and browser identifiers (user agents)”'))).toHaveLength(1);
    expect(alerts.filter((a) => a.includes('“Connection times”'))).toHaveLength(1);
    // One per category, not per user or per request, and never naming the user.
    expect(new Set(alerts).size).toBe(alerts.length);
    expect(alerts.join('\n')).not.toContain('alice');
  });
});

describe('where and for whom personal commands run', () => {
  it('in a group room, points to a direct chat without showing personal data', async () => {
    const group = world.hs.model.createRoom(world.alice.userId, { name: 'Group', invite: [world.privacybot.userId, world.bob.userId] });
    world.hs.model.join(group, world.bob.userId);
    await world.botJoined(group);
    const reply = await world.ask(world.alice.userId, group, '!whatdoyouhave');
    expect(reply.body).toContain('direct chat');
    expect(reply.body).toContain('@privacybot:example.org');
    expect(reply.body).not.toContain('alice@example.org');
    expect(reply.body).not.toContain('203.0.113.9');
    // Public commands still work there.
    expect((await world.ask(world.bob.userId, group, '!help')).body).toContain('!whatdoyouhave');
  });

  it('tells a user of another server, politely, where their data lives', async () => {
    const dave = '@dave:remote.example';
    world.hs.model.addRemoteUser(dave);
    const group = world.hs.model.createRoom(world.alice.userId, { invite: [world.privacybot.userId, dave] });
    world.hs.model.join(group, dave);
    await world.botJoined(group);
    const reply = await world.ask(dave, group, '!whatdoyouhave');
    expect(reply.body).toContain('remote.example');
    expect(reply.body).toContain('please ask its operators');
    expect(reply.body).toContain(world.config.privacyContact.email);
  });

  it('declines invites from other servers, with a reason', async () => {
    const erin = '@erin:elsewhere.example';
    world.hs.model.addRemoteUser(erin);
    const room = world.hs.model.createRoom(erin, { isDirect: true, invite: [world.privacybot.userId] });
    const leave = await world.hs.model.waitForEvent(
      (ev) =>
        ev.room_id === room &&
        ev.type === 'm.room.member' &&
        ev.state_key === world.privacybot.userId &&
        (ev.content as Record<string, unknown>)['membership'] === 'leave',
    );
    expect(String((leave.content as Record<string, unknown>)['reason'])).toContain('elsewhere.example');
  });

  it('answers an unknown command in a direct chat with a pointer to !help, and stays quiet about it elsewhere', async () => {
    const reply = await world.ask(world.alice.userId, dm, '!exprot');
    expect(reply.body).toBe("I don't know the command `!exprot`. Send `!help` to see what I can do.");
    const group = world.hs.model.createRoom(world.alice.userId, { invite: [world.privacybot.userId, world.bob.userId] });
    world.hs.model.join(group, world.bob.userId);
    await world.botJoined(group);
    const unknown = world.say(world.bob.userId, group, '!roll d20');
    await world.ask(world.bob.userId, group, '!help'); // answered after the unknown one was handled
    await world.bot.idle();
    expect(botMessages(group).filter((ev) => (ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id === unknown)).toHaveLength(0);
  });
});

describe('what the bot ignores', () => {
  it('ignores notices, edits and its own messages', async () => {
    const m = world.hs.model;
    const notice = m.sendMessage(dm, world.alice.userId, '!help', { msgtype: 'm.notice' });
    const edit = m.sendMessage(dm, world.alice.userId, '* !help', {
      extraContent: { 'm.new_content': { msgtype: 'm.text', body: '!help' }, 'm.relates_to': { rel_type: 'm.replace', event_id: notice } },
    });
    const own = m.sendMessage(dm, world.privacybot.userId, '!help');
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    const repliedTo = botMessages(dm).map((ev) => (ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id);
    expect(repliedTo).not.toContain(notice);
    expect(repliedTo).not.toContain(edit);
    expect(repliedTo).not.toContain(own);
  });

  it('leaves a room where it is left alone', async () => {
    const room = world.hs.model.createRoom(world.bob.userId, { invite: [world.privacybot.userId] });
    await world.botJoined(room);
    world.hs.model.leave(room, world.bob.userId);
    await world.hs.model.waitForEvent(
      (ev) =>
        ev.room_id === room &&
        ev.type === 'm.room.member' &&
        ev.state_key === world.privacybot.userId &&
        (ev.content as Record<string, unknown>)['membership'] === 'leave',
    );
  });
});

describe('odd input', () => {
  it('escapes what users control (a display name with HTML) in the HTML answer', async () => {
    const bob = await world.openDirectChat(world.bob.userId);
    world.hs.model.setProfile(world.bob.userId, { displayName: '<img src=x onerror=alert(1)>' });
    const reply = await world.ask(world.bob.userId, bob, '!whatdoyouhave');
    expect(reply.body).toContain('Display name: <img src=x onerror=alert(1)>');
    expect(reply.html).not.toContain('<img');
    expect(reply.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('answers a command with extra words or a huge tail, and keeps none of it', async () => {
    const tail = 'x'.repeat(50_000);
    expect((await world.ask(world.alice.userId, dm, `!help ${tail}`)).body).toContain('!whatdoyouhave');
    expect((await world.ask(world.alice.userId, dm, '!whatdoyouhave please, all of it')).body).toContain('## Account');
    expect((await world.ask(world.alice.userId, dm, '!help\nsecond line with words')).body).toContain('!contact');
    await world.bot.idle();
    const db = new Database(path.join(world.config.dataDir, DATABASE_FILE), { readonly: true });
    const kept = db.prepare('SELECT command FROM inbox').all() as { command: string }[];
    db.close();
    expect(kept.length).toBeGreaterThan(0);
    for (const { command } of kept) expect(command).toMatch(/^![a-z]+$/);
  });
});

describe('odd events', () => {
  it('answers an over-long unknown command briefly, without echoing it, and keeps a short word', async () => {
    const word = 'a'.repeat(40_000);
    const command = world.say(world.alice.userId, dm, `!${word}`);
    const reply = await world.replyTo(command);
    expect(reply.body.length).toBeLessThan(300);
    expect(reply.body).toContain("I don't know the command");
    expect(reply.body).not.toContain('a'.repeat(100));
    await world.bot.idle();
    const db = new Database(path.join(world.config.dataDir, DATABASE_FILE), { readonly: true });
    const kept = db.prepare('SELECT length(command) AS length FROM inbox WHERE event_id = ?').get(command) as { length: number };
    db.close();
    expect(kept.length).toBeLessThan(100);
  });

  it('answers no state event, whatever its type and body', async () => {
    const state = world.hs.model.sendEvent(dm, world.alice.userId, 'm.room.message', { msgtype: 'm.text', body: '!contact' }, { stateKey: '' });
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    expect(world.repliesTo(dm, state)).toHaveLength(0);
  });
});

describe('the log', () => {
  it('carries no message content, IP addresses or tokens', () => {
    const log = world.log.lines.join('\n');
    expect(log).not.toContain('203.0.113.9');
    expect(log).not.toContain(world.privacybot.accessToken);
    expect(log).not.toContain('!whatdoyouhave');
    expect(log).not.toContain('Alice Liddell');
  });
});
