// After a restart, no command is answered twice and none is lost.
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

const repliesTo = (w: World, roomId: string, eventId: string) =>
  w.hs.model.events(roomId).filter((ev) => ev.sender === w.privacybot.userId && (ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id === eventId);

describe('restarts', () => {
  it('answers a command sent while the bot was down, once, and does not answer earlier ones again', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    const before = world.say(world.alice.userId, dm, '!help');
    await world.replyTo(before);
    await world.bot.idle();

    await world.bot.close();
    const whileDown = world.say(world.alice.userId, dm, '!contact');
    await world.restart();
    await world.replyTo(whileDown);
    // A command after the restart proves the bot has synced past both.
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();

    expect(repliesTo(world, dm, before)).toHaveLength(1);
    expect(repliesTo(world, dm, whileDown)).toHaveLength(1);
  });

  it('answers, at the next start, a command whose reply could not be sent', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    // Every attempt to send into the room fails: the command stays in the inbox.
    world.hs.faults.add({ method: 'PUT', path: /\/send\/m\.room\.message\//, kind: 'status', status: 500, times: 1000 });
    const lost = world.say(world.alice.userId, dm, '!help');
    await waitUntil(() => world.hs.requests.some((r) => r.method === 'PUT' && r.path.includes('/send/') && r.status === 500), 'a failed send');
    await world.bot.idle();
    expect(repliesTo(world, dm, lost)).toHaveLength(0);

    world.hs.faults.clear();
    await world.restart();
    await world.replyTo(lost);
    await world.ask(world.alice.userId, dm, '!help');
    expect(repliesTo(world, dm, lost)).toHaveLength(1);
  });

  it('ignores commands sent before its first start', async () => {
    world = await startWorld({ startBot: false });
    const m = world.hs.model;
    const dm = m.createRoom(world.alice.userId, { isDirect: true, invite: [world.privacybot.userId] });
    m.join(dm, world.privacybot.userId);
    const old = m.sendMessage(dm, world.alice.userId, '!help', { ts: Date.now() - 60_000 });
    await world.restart();
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    expect(repliesTo(world, dm, old)).toHaveLength(0);
  });

  it('posts the start-up notice about the server once, and again only when what it says has changed', async () => {
    // Synapse 1.67 lacks endpoints the bot would use: the notice has something to say.
    world = await startWorld({ flavour: 'synapse-1.67' });
    const notices = () =>
      world.hs.model
        .events(world.adminRoomId)
        .filter((ev) => ev.sender === world.privacybot.userId && String(ev.content['body']).includes('Privacy bot started'));
    await waitUntil(() => notices().length === 1, 'the first start-up notice');
    for (let start = 0; start < 3; start++) await world.restart();
    await world.bot.idle();
    expect(notices()).toHaveLength(1);
    expect(world.log.lines.filter((line) => line.includes('unchanged'))).toHaveLength(3);

    // The server changes (here: a probe fails): the admins hear about it once more.
    world.hs.faults.add({ path: /\/memberships$/, kind: 'status', status: 500, times: 10_000 });
    await world.restart();
    await world.bot.idle();
    expect(notices()).toHaveLength(2);
    expect(String(notices()[1]!.content['body'])).toContain('could not check whether /memberships exists');
    const last = notices().length;
    await world.restart();
    await world.bot.idle();
    expect(notices()).toHaveLength(last);
  });
});
