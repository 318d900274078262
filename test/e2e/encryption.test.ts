// Encrypted rooms. With encryption on (the WebAssembly engine here, as no native
// library is installed), a person whose client really encrypts (test/support/
// e2ee-user.ts) gets every answer, encrypted for them. With encryption off, an
// encrypted room gets one short unencrypted notice explaining how to reach the bot.
import { afterEach, describe, expect, it } from 'vitest';
import { E2eeUser } from '../support/e2ee-user.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

const encryptedWorld = () => startWorld({ configure: (raw) => (raw.bot.encryption = 'auto') });

describe('an encrypted direct chat', () => {
  it('answers !help and !whatdoyouhave encrypted, and the person decrypts both', async () => {
    world = await encryptedWorld();
    expect(world.log.lines.some((line) => /INFO end-to-end encryption is on, with the WebAssembly engine/.test(line))).toBe(true);
    const alice = await E2eeUser.login(world.hs, world.alice.userId);
    const room = await world.openDirectChat(alice.userId, { encrypted: true });

    const help = await alice.sendText(room, '!help');
    const helpReply = await alice.replyTo(help);
    expect(helpReply).toMatchObject({ encrypted: true, sender: world.privacybot.userId, type: 'm.room.message' });
    expect(helpReply.content['msgtype']).toBe('m.notice');
    expect(helpReply.content['body']).toContain('!whatdoyouhave');

    const inventory = await alice.sendText(room, '!whatdoyouhave');
    const inventoryReply = await alice.replyTo(inventory);
    expect(inventoryReply.encrypted).toBe(true);
    expect(inventoryReply.content['body']).toContain('alice@example.org');

    // The homeserver only ever saw ciphertext from the bot in this room.
    const fromBot = world.hs.model.events(room).filter((ev) => ev.sender === world.privacybot.userId && ev.type.startsWith('m.room.'));
    expect(fromBot.filter((ev) => ev.type === 'm.room.message')).toHaveLength(0);
    expect(JSON.stringify(fromBot)).not.toContain('alice@example.org');
  });

  it('survives a failed key query when someone joins: logged, no crash, and the next answer is encrypted for everyone', async () => {
    world = await encryptedWorld();
    const alice = await E2eeUser.login(world.hs, world.alice.userId);
    const room = await world.openDirectChat(alice.userId, { encrypted: true });
    await alice.replyTo(await alice.sendText(room, '!help'));
    world.hs.faults.add({ method: 'POST', path: '/_matrix/client/v3/keys/query', kind: 'status', status: 500, userId: world.privacybot.userId });
    world.hs.model.invite(room, alice.userId, world.bob.userId);
    await waitUntil(() => world.hs.requests.some((r) => r.path.endsWith('/keys/query') && r.status === 500), 'the failed key query');
    await waitUntil(() => world.log.lines.some((line) => line.includes('onRoomEvent failed')), 'the failure in the log');
    const contact = await alice.sendText(room, '!contact');
    expect((await alice.replyTo(contact)).encrypted).toBe(true);
  });

  it('tells a person whose client cannot decrypt, unencrypted and without personal data, how to fix it', async () => {
    world = await encryptedWorld();
    const room = await world.openDirectChat(world.alice.userId, { encrypted: true });
    // Alice's only device never uploaded keys (a client without encryption), and writes in the clear.
    const reply = await world.ask(world.alice.userId, room, '!whatdoyouhave');
    expect(reply.body).toContain('I cannot encrypt my answer for you');
    expect(reply.body).not.toContain('alice@example.org');
    await world.bot.idle();
    expect(world.hs.model.events(room).filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.encrypted')).toHaveLength(0);
  });
});

describe('an encrypted room with encryption off', () => {
  it('gets a short unencrypted notice explaining how to reach the bot, and nothing else', async () => {
    world = await startWorld();
    expect(world.log.lines.filter((line) => line.includes('end-to-end encryption is off (bot.encryption is "off")'))).toHaveLength(1);
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
    const unprompted = m
      .events(room)
      .filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message' && !(ev.content as Record<string, any>)['m.relates_to']);
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
