// Without the native crypto library (as on this machine), the bot runs in
// unencrypted rooms and answers an encrypted room with one clear notice.
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

describe('an encrypted room without the native crypto library', () => {
  it('gets a short unencrypted notice explaining how to reach the bot, and nothing else', async () => {
    world = await startWorld();
    expect(world.log.lines.filter((line) => line.includes('end-to-end encryption is off'))).toHaveLength(1);
    const m = world.hs.model;
    const room = m.createRoom(world.alice.userId, { isDirect: true, encrypted: true, invite: [world.privacybot.userId] });
    await world.botJoined(room);
    const encrypted = { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgAEpAB…', device_id: 'PHONE', sender_key: 'x', session_id: 'y' };
    m.sendEvent(room, world.alice.userId, 'm.room.encrypted', encrypted);
    m.sendEvent(room, world.alice.userId, 'm.room.encrypted', encrypted);
    const notice = await m.waitForEvent((ev) => ev.room_id === room && ev.sender === world.privacybot.userId && ev.type === 'm.room.message');
    const content = notice.content as Record<string, unknown>;
    expect(content['msgtype']).toBe('m.notice');
    expect(String(content['body'])).toContain('I cannot read encrypted messages here');
    expect(String(content['body'])).toContain('@privacybot:example.org');
    // A plain-text command there gets the same notice, threaded, and no personal data.
    const reply = await world.ask(world.alice.userId, room, '!whatdoyouhave');
    expect(reply.body).toContain('I cannot read encrypted messages here');
    expect(reply.body).not.toContain('alice@example.org');
    await world.bot.idle();
    // The second encrypted event got no second notice.
    const unprompted = m.events(room).filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message' && !(ev.content as Record<string, any>)['m.relates_to']);
    expect(unprompted).toHaveLength(1);
  });

  it('says nothing about encryption in a room that is not encrypted, whatever arrives there', async () => {
    world = await startWorld();
    const m = world.hs.model;
    const dm = await world.openDirectChat(world.alice.userId);
    const garbage = { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'not really', device_id: 'X', sender_key: 'x', session_id: 'y' };
    m.sendEvent(dm, world.alice.userId, 'm.room.encrypted', garbage);
    m.sendEvent(dm, world.alice.userId, 'm.room.encrypted', garbage);
    const reply = await world.ask(world.alice.userId, dm, '!help');
    expect(reply.body).not.toContain('encrypted');
    await world.bot.idle();
    const fromBot = m.events(dm).filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message');
    expect(fromBot.map((ev) => String(ev.content['body'])).filter((body) => body.includes('cannot read encrypted'))).toEqual([]);
  });
});
