// No command is lost behind a gappy sync: when more happened in a room than a sync
// timeline carries (`limited: true`), the bot reads what the gap skipped.
import { afterEach, describe, expect, it } from 'vitest';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

/** A world whose bot answered Alice once in a direct chat (so it has a sync position) and is now down. */
async function botDownAfterAChat(flavour: Flavour = 'synapse'): Promise<string> {
  world = await startWorld({ flavour });
  const dm = await world.openDirectChat(world.alice.userId);
  await world.ask(world.alice.userId, dm, '!help');
  await world.bot.idle();
  await world.bot.close();
  return dm;
}

const chatter = (dm: string, count: number) => {
  for (let i = 0; i < count; i++) world.say(world.alice.userId, dm, `chatter ${i}`);
};

/** How many replies each command has, once a last command proves the bot has read past everything. */
async function replyCounts(dm: string, commands: string[]): Promise<number[]> {
  await world.ask(world.alice.userId, dm, '!help');
  await world.bot.idle();
  return commands.map((command) => world.repliesTo(dm, command).length);
}

describe('gaps in the sync timeline', () => {
  it.each([
    [10, 'synapse'],
    [50, 'synapse'],
    [500, 'synapse'],
    [500, 'synapse-1.67'],
    [500, 'tuwunel'],
  ] as const)(
    'answers, exactly once, a command followed by %i messages while the bot was down (%s)',
    async (followers, flavour) => {
      const dm = await botDownAfterAChat(flavour);
      const command = world.say(world.alice.userId, dm, '!contact');
      chatter(dm, followers);
      await world.restart();

      const reply = await world.replyTo(command, 20_000);
      expect(reply.body).toContain(world.config.privacyContact.email);
      expect(await replyCounts(dm, [command])).toEqual([1]);
    },
    40_000,
  );

  it('answers, exactly once, commands in a room busier between two syncs than a timeline carries', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    await world.ask(world.alice.userId, dm, '!help');
    // All of it in one tick: the bot's next sync sees it at once.
    const first = world.say(world.alice.userId, dm, '!contact');
    chatter(dm, 200);
    const second = world.say(world.alice.userId, dm, '!help');
    chatter(dm, 200);

    await world.replyTo(first, 20_000);
    await world.replyTo(second, 20_000);
    expect(await replyCounts(dm, [first, second])).toEqual([1, 1]);
  }, 40_000);

  it('answers nothing in a gap that is older than its first start', async () => {
    const dm = await botDownAfterAChat();
    const old = world.hs.model.sendMessage(dm, world.alice.userId, '!contact', { ts: Date.now() - 24 * 60 * 60 * 1000 });
    const command = world.say(world.alice.userId, dm, '!contact');
    chatter(dm, 80);
    await world.restart();
    await world.replyTo(command, 20_000);
    expect(await replyCounts(dm, [command, old])).toEqual([1, 0]);
  }, 40_000);
});
