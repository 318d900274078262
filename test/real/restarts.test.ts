// The bot stopped and killed against a real Synapse, as an operator's machine would: a command
// sent while it was down, buried under more than one sync carries, and the bot killed (SIGKILL)
// while it was sending a backlog of replies. Every command is answered exactly once, counted on
// the server (admin API), with Synapse's default rate limits for the bot.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RealClient } from './support/client.ts';
import { type RealWorld, startRealWorld } from './support/real-world.ts';
import { repliesPerEvent, roomEvents } from './support/server-state.ts';
import { describeWithSynapse } from './support/synapse.ts';

/** The bot's sync asks for this many timeline events per room (src/sync). */
const BOT_TIMELINE_LIMIT = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithSynapse('the bot stopped, killed and started again, on a real Synapse', () => {
  let world: RealWorld;
  beforeAll(async () => {
    world = await startRealWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** The bot's replies per command in a room, as the server has them. */
  const replies = async (roomId: string) => repliesPerEvent(await roomEvents(world.synapse, roomId), world.botUserId);

  /** Waits until the bot has sent nothing new into the room for `quietMs` (longer than a rate-limit wait). */
  async function untilQuiet(roomId: string, quietMs = 6_000, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (Date.now() > deadline) throw new Error(`the bot kept sending into ${roomId} for ${timeoutMs} ms`);
      const count = (await roomEvents(world.synapse, roomId)).filter((e) => e.sender === world.botUserId).length;
      if (count !== last) [last, since] = [count, Date.now()];
      await sleep(500);
    }
  }

  /** A sync token of the person's, to see later what one sync of the bot's size carries from here. */
  const syncToken = async (person: RealClient): Promise<string> => (await person.ok('GET', '/_matrix/client/v3/sync?timeout=0')).next_batch;

  it('answers, once, a command sent while it was down and buried under more events than one sync carries', async () => {
    const dave = await world.person('dave');
    const dm = await world.openDirectChat(dave);
    const before = await syncToken(dave);
    await world.stopBot();

    const command = await dave.say(dm, '!status');
    for (let i = 1; i <= BOT_TIMELINE_LIMIT + 20; i++) await dave.say(dm, `chatter ${i} while the bot is away`);
    // What the real server does: a sync of the bot's size from before the command is limited, and the command is not in it.
    const filter = JSON.stringify({ room: { timeline: { limit: BOT_TIMELINE_LIMIT } } });
    const sync = await dave.ok('GET', `/_matrix/client/v3/sync?timeout=0&since=${encodeURIComponent(before)}&filter=${encodeURIComponent(filter)}`);
    const timeline = sync.rooms.join[dm].timeline;
    expect(timeline.limited).toBe(true);
    expect(typeof timeline.prev_batch).toBe('string');
    expect(timeline.events).toHaveLength(BOT_TIMELINE_LIMIT);
    expect(timeline.events.map((e: { event_id: string }) => e.event_id)).not.toContain(command);

    await world.startBot();
    const reply = await dave.replyTo(dm, world.botUserId, command, 60_000);
    expect(String(reply.content['body'])).toMatch(/request/i);
    await untilQuiet(dm);
    const counts = await replies(dm);
    expect(counts.get(command)).toBe(1);
    expect([...counts.keys()]).toEqual([command]);
  });

  it('answers every command of a backlog exactly once when killed (SIGKILL) while sending the replies', async () => {
    const erin = await world.person('erin');
    const dm = await world.openDirectChat(erin);
    await world.stopBot();
    const commands: string[] = [];
    for (let i = 0; i < 12; i++) commands.push(await erin.say(dm, i % 2 === 0 ? '!help' : '!status'));

    await world.startBot();
    const deadline = Date.now() + 60_000;
    while ((await replies(dm)).size < 3) {
      if (Date.now() > deadline) throw new Error('the bot did not start answering');
      await sleep(50);
    }
    await world.stopBot('SIGKILL');
    const atKill = await replies(dm);
    // Killed in the middle: some answered, not all.
    expect(atKill.size).toBeGreaterThanOrEqual(3);
    expect(atKill.size).toBeLessThan(commands.length);

    await world.startBot();
    const deadlineAll = Date.now() + 150_000;
    while ((await replies(dm)).size < commands.length) {
      if (Date.now() > deadlineAll) throw new Error(`answered ${(await replies(dm)).size} of ${commands.length}`);
      await sleep(500);
    }
    await untilQuiet(dm);
    const counts = await replies(dm);
    for (const command of commands) expect(counts.get(command), `replies to ${command}`).toBe(1);
    // Nothing was given up: the admins heard of no command left unanswered.
    const adminRoom = await roomEvents(world.synapse, world.adminRoomId);
    expect(adminRoom.filter((e) => e.sender === world.botUserId && /gave up|could not answer/i.test(String(e.content['body'])))).toHaveLength(0);
  }, 300_000);
});
