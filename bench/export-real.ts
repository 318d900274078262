// `!export` from the command to the last word, against the floor (export-floor.ts), on a real
// Synapse (the real-server tier's, test/real/support): the issue's user is seeded through the
// client API by test clients whose rate limits are lifted (20 rooms in parallel; Synapse takes
// some 10 to 20 minutes for 25,000 events on two shared cores), then the real bot process
// (encryption on) exports her `runs` times, each between two floors. Asserts nothing.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealWorld } from '../test/real/support/real-world.ts';
import { requestIdIn } from '../test/support/bot-messages.ts';
import { compareWithFloor, plainFloor, type Shape } from './export-floor.ts';

/** The root with Synapse that scripts/synapse/prepare-root.sh builds (once) and prints. */
function synapseRoot(): string {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'synapse', 'prepare-root.sh');
  const result = spawnSync('sh', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const root = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || root === '') throw new Error(`no real Synapse here: prepare-root.sh said ${root || `exit ${result.status}`}`);
  return root;
}

export async function exportRatioReal(o: Shape & { runs: number }): Promise<number[]> {
  const world = await startRealWorld({
    synapse: { root: synapseRoot() },
    startBot: false,
    configure: (raw) => (raw.export = { ...raw.export, perUserHours: 0 }),
  });
  const log = (text: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${text}`);
  try {
    console.log(
      `!export against the floor, real Synapse ${world.synapse.version}: seeding ${o.rooms} rooms of ${o.perRoom} events and ${o.uploadSizes.length} uploads`,
    );
    const alice = await world.person('alice', { displayName: 'Alice' });
    const bob = await world.person('bob', { displayName: 'Bob' });
    const rooms: string[] = [];
    for (let r = 0; r < o.rooms; r++) {
      const room = await bob.createRoom({ name: `Room ${r + 1}`, invite: [alice.userId] });
      await alice.join(room);
      rooms.push(room);
    }
    let sent = 0;
    await Promise.all(
      rooms.map(async (room) => {
        for (let i = 0; i < o.perRoom; i++) {
          await alice.say(room, `message ${i}: the quick brown fox jumps over the lazy dog, and then some more words to read`);
          if (i % 4 === 3) await bob.say(room, `bob says ${i}`);
          if (++sent % 5000 === 0) log(`${sent} of her events sent`);
        }
      }),
    );
    const uploads: string[] = [];
    for (const [i, size] of o.uploadSizes.entries()) uploads.push(await alice.upload(randomBytes(size), i % 2 ? 'image/jpeg' : 'video/mp4', `file-${i}.bin`));
    const bot = await world.startBot();
    const dm = await world.openDirectChat(alice);
    const token = world.botEnv['DSAR_BOT_ACCESS_TOKEN']!;
    return await compareWithFloor({
      runs: o.runs,
      floor: () => plainFloor({ url: world.synapse.url, token, userId: alice.userId, rooms: [...rooms, dm], uploads }),
      exportOnce: async () => {
        const startedAt = Date.now();
        const command = await alice.say(dm, '!export');
        const sentAt = (await alice.history(dm, 50)).find((e) => e.event_id === command)!.origin_server_ts;
        const first = await alice.replyTo(dm, world.botUserId, command, 60_000);
        const id = requestIdIn(String(first.content['body']));
        const last = await alice.waitFor(
          dm,
          (e) => e.sender === world.botUserId && String(e.content['body'] ?? '').startsWith(`Your export ${id} is ready`),
          'the export',
          600_000,
        );
        // The server's own clock on both ends.
        return { firstMs: first.origin_server_ts - sentAt, lastMs: last.origin_server_ts - sentAt, startedAt };
      },
      botLog: () => bot.stderr(),
    });
  } finally {
    await world.close();
  }
}
