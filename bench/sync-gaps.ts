// How long the bot takes to answer commands buried in a backlog that arrived while it
// was down (read back page by page from the sync gap: one at the start of the gap, one
// at its end), and how the live sync fares meanwhile: a command sent to another room
// after the restart is timed too.
// Run: npm run bench:gaps   (prints numbers; asserts nothing)
import { performance } from 'node:perf_hooks';
import { startWorld } from '../test/support/world.ts';

const BACKLOGS = (process.env['BENCH_BACKLOGS'] ?? '1000,10000,50000').split(',').map(Number);

async function measure(backlog: number): Promise<void> {
  const world = await startWorld({ flavour: 'synapse' });
  try {
    const busy = await world.openDirectChat(world.alice.userId);
    const other = await world.openDirectChat(world.bob.userId);
    await world.ask(world.alice.userId, busy, '!help');
    await world.bot.idle();
    await world.bot.close();

    const first = world.say(world.alice.userId, busy, '!contact');
    for (let i = 0; i < backlog; i++) world.say(world.alice.userId, busy, `chatter ${i}`);
    const last = world.say(world.alice.userId, busy, '!help');
    // More than a sync timeline carries, so that `last` is in the gap too, near its end.
    for (let i = 0; i < 60; i++) world.say(world.alice.userId, busy, `late chatter ${i}`);
    const requestsBefore = world.hs.requests.length;
    const started = performance.now();
    await world.restart();
    const live = world.say(world.bob.userId, other, '!help');
    await world.replyTo(live, 600_000);
    const liveMs = performance.now() - started;
    await world.replyTo(first, 600_000);
    const firstMs = performance.now() - started;
    await world.replyTo(last, 600_000);
    const lastMs = performance.now() - started;
    await world.bot.idle();
    const pages = world.hs.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/messages')).length;
    const memory = process.memoryUsage();
    console.log(
      `backlog ${String(backlog).padStart(6)} events: command at the gap's start answered after ${firstMs.toFixed(0)} ms, at its end after ${lastMs.toFixed(0)} ms (${pages} /messages pages); ` +
        `a live command in another room meanwhile after ${liveMs.toFixed(0)} ms; rss ${(memory.rss / 1024 / 1024).toFixed(0)} MiB (bot and test homeserver together)`,
    );
  } finally {
    await world.close();
  }
}

for (const backlog of BACKLOGS) await measure(backlog);
