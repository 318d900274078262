// No command is lost behind a gappy sync: when more happened in a room than a sync
// timeline carries (`limited: true`), the bot reads what the gap skipped.
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

describe('gaps in the sync timeline', () => {
  it.each([
    [10, 'synapse'],
    [50, 'synapse'],
    [500, 'synapse'],
    [500, 'synapse-1.67'],
    [500, 'tuwunel'],
  ] as const)('answers, exactly once, a command followed by %i messages while the bot was down (%s)', async (followers, flavour) => {
    world = await startWorld({ flavour });
    const dm = await world.openDirectChat(world.alice.userId);
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();

    await world.bot.close();
    const command = world.say(world.alice.userId, dm, '!contact');
    for (let i = 0; i < followers; i++) world.say(world.alice.userId, dm, `chatter ${i}`);
    await world.restart();

    const reply = await world.replyTo(command, 20_000);
    expect(reply.body).toContain(world.config.privacyContact.email);
    // A command after the restart proves the bot has read past everything.
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    expect(world.repliesTo(dm, command)).toHaveLength(1);
  }, 40_000);

  it('answers, exactly once, commands in a room busier between two syncs than a timeline carries', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    await world.ask(world.alice.userId, dm, '!help');
    // All of it in one tick: the bot's next sync sees it at once.
    const first = world.say(world.alice.userId, dm, '!contact');
    for (let i = 0; i < 200; i++) world.say(world.alice.userId, dm, `chatter ${i}`);
    const second = world.say(world.alice.userId, dm, '!help');
    for (let i = 0; i < 200; i++) world.say(world.alice.userId, dm, `more chatter ${i}`);

    await world.replyTo(first, 20_000);
    await world.replyTo(second, 20_000);
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    expect(world.repliesTo(dm, first)).toHaveLength(1);
    expect(world.repliesTo(dm, second)).toHaveLength(1);
  }, 40_000);

  it('answers nothing in a gap that is older than its first start', async () => {
    world = await startWorld();
    const m = world.hs.model;
    const dm = await world.openDirectChat(world.alice.userId);
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    await world.bot.close();
    const old = m.sendMessage(dm, world.alice.userId, '!contact', { ts: Date.now() - 24 * 60 * 60 * 1000 });
    const command = world.say(world.alice.userId, dm, '!contact');
    for (let i = 0; i < 80; i++) world.say(world.alice.userId, dm, `chatter ${i}`);
    await world.restart();
    await world.replyTo(command, 20_000);
    await world.ask(world.alice.userId, dm, '!help');
    await world.bot.idle();
    expect(world.repliesTo(dm, command)).toHaveLength(1);
    expect(world.repliesTo(dm, old)).toHaveLength(0);
  }, 40_000);
});
