// How long !whatdoyouhave takes, end to end through the real bot and the test
// homeserver, for a heavy user: until the first answer (everything but the message count)
// and until the count is edited in; and what the bot process holds in memory.
// Run: npm run bench   (prints numbers; asserts nothing)
// BENCH_PAGE_MS=1400 holds every page of messages that long, as a real Synapse 1.67 takes
// for a page of 1,000 events.
import { performance } from 'node:perf_hooks';
import type { Flavour } from '../src/test-homeserver/index.ts';
import { startWorld } from '../test/support/world.ts';

const ROOMS = Number(process.env['BENCH_ROOMS'] ?? 50);
const MESSAGES_PER_ROOM = Number(process.env['BENCH_MESSAGES'] ?? 200);
const UPLOADS = Number(process.env['BENCH_UPLOADS'] ?? 250);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const PAGE_MS = Number(process.env['BENCH_PAGE_MS'] ?? 0);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function measure(flavour: Flavour): Promise<void> {
  const world = await startWorld({
    flavour,
    alice: {
      devices: Array.from({ length: 20 }, (_, i) => ({
        deviceId: `DEV${i}`,
        displayName: `Device ${i}`,
        lastSeenIp: `203.0.113.${i}`,
        lastSeenAt: Date.now(),
      })),
    },
    seed: (hs) => {
      const m = hs.model;
      const alice = '@alice:example.org';
      for (let r = 0; r < ROOMS; r++) {
        const room = m.createRoom('@bob:example.org', { invite: [alice] });
        m.join(room, alice);
        for (let i = 0; i < MESSAGES_PER_ROOM; i++) m.sendMessage(room, i % 2 === 0 ? alice : '@bob:example.org', `message ${i}`);
      }
      for (let u = 0; u < UPLOADS; u++) m.uploadMedia(alice, { contentType: 'image/png', bytes: Buffer.alloc(1024), filename: `f${u}.png` });
    },
  });
  try {
    const dm = await world.openDirectChat(world.alice.userId);
    if (PAGE_MS > 0) world.hs.faults.add({ method: 'GET', path: /\/rooms\/[^/]+\/messages$/, kind: 'latency', latencyMs: PAGE_MS, times: 1e9 });
    const times: number[] = [];
    const counted: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
      times.push(performance.now() - started);
      if (!reply.body.includes('being counted')) throw new Error('the first answer should not wait for the message count');
      await world.waitForText(dm, reply.eventId, /message\(s\) you sent/, 600_000);
      counted.push(performance.now() - started);
    }
    const requests = world.hs.requests.length;
    const memory = process.memoryUsage();
    console.log(
      `${flavour.padEnd(13)} rooms=${ROOMS} messages=${ROOMS * MESSAGES_PER_ROOM} uploads=${UPLOADS}: ` +
        `!whatdoyouhave first answer median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), ` +
        `count edited in after median ${median(counted).toFixed(0)} ms (${RUNS} runs${PAGE_MS > 0 ? `, ${PAGE_MS} ms per page of messages` : ''}); ` +
        `${requests} homeserver requests in all; process rss ${mib(memory.rss)} MiB, heap ${mib(memory.heapUsed)} MiB (bot and test homeserver together)`,
    );
  } finally {
    await world.close();
  }
}

for (const flavour of ['synapse', 'synapse-1.67', 'tuwunel'] as const) await measure(flavour);
