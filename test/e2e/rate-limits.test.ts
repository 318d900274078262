// A flood from one person is refused cheaply, told once when to try again, and does not
// hold up anyone else.
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const repliesIn = (w: World, roomId: string) =>
  w.hs.model
    .events(roomId)
    .filter((ev) => ev.sender === w.privacybot.userId && (ev.content as Record<string, any>)['m.relates_to']?.['m.in_reply_to'])
    .map((ev) => String((ev.content as Record<string, unknown>)['body']));

describe('rate limits', () => {
  it('answers a person’s first commands in a minute, tells them once when to try again, and keeps answering others', async () => {
    world = await startWorld({ configure: (raw) => (raw.rateLimits = { perUserPerMinute: 5, globalPerMinute: 1000 }) });
    const w = world;
    const alice = await w.openDirectChat(w.alice.userId);
    const bob = await w.openDirectChat(w.bob.userId);
    for (let i = 0; i < 40; i++) w.say(w.alice.userId, alice, '!whatdoyouhave');
    const started = Date.now();
    const bobsAnswer = await w.ask(w.bob.userId, bob, '!help');
    expect(bobsAnswer.body).toContain('!whatdoyouhave');
    expect(Date.now() - started).toBeLessThan(5000);
    await w.bot.idle();
    const answers = repliesIn(w, alice);
    expect(answers.filter((b) => b.includes('## Account'))).toHaveLength(5);
    const refusals = answers.filter((b) => b.includes('faster than I answer them'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/try again in \d+ seconds/);
    expect(answers).toHaveLength(6);
    expect(w.log.lines.filter((l) => l.includes('rate limit (user) reached by @alice:example.org'))).toHaveLength(1);
  });

  it('limits everyone together, telling each person once', async () => {
    world = await startWorld({ configure: (raw) => (raw.rateLimits = { perUserPerMinute: 100, globalPerMinute: 3 }) });
    const w = world;
    const alice = await w.openDirectChat(w.alice.userId);
    const bob = await w.openDirectChat(w.bob.userId);
    for (let i = 0; i < 3; i++) await w.ask(w.alice.userId, alice, '!help');
    expect((await w.ask(w.bob.userId, bob, '!help')).body).toContain('I am answering many people right now');
    w.say(w.bob.userId, bob, '!help');
    await w.ask(w.alice.userId, alice, '!status');
    await w.bot.idle();
    expect(repliesIn(w, bob)).toHaveLength(1);
  });
});
