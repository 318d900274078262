// Load: N people (default 200) send a mix of commands to the real bot, which runs as its own
// process (the real command line, src/launch.ts, with its default settings and encryption on)
// against the test homeserver in this process. Prints commands per second, reply latency per
// command (p50/p95/p99), how many replies were lost or duplicated, and the bot's memory: its
// RSS idle before the load and its peak, against the targets (under 200 MiB idle, under
// 256 MiB at this load). Asserts nothing. BENCH_BOT_NODE_OPTIONS sets NODE_OPTIONS for the
// bot, to try other V8 settings (a flag given there replaces the bot's own).
// Run: npm run bench:load [-- --users 200 --rounds 3 --think-ms 2000]
// People pause between commands (`--think-ms`, randomised ±50 %) as people do; with
// `--think-ms 0` every person always has a command waiting, the bot is saturated, and the
// latency is the queue: by Little's law, people in flight / commands per second.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BOT_HEAP_FLAGS } from '../src/startup/heap-flags.ts';
import { startTestHomeserver } from '../src/test-homeserver/index.ts';
import { killAllBots, startBot, writeBotConfig } from '../test/support/bot-process.ts';
import { exportProcessesOf } from '../test/support/processes.ts';
import { TEST_CRYPTO_PASSPHRASE } from '../test/support/world.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    flavour: { type: 'string', default: 'synapse' },
    'think-ms': { type: 'string', default: '2000' },
  },
});
const USERS = Number(values.users);
const ROUNDS = Number(values.rounds);
const THINK_MS = Number(values['think-ms']);
const think = () => new Promise((resolve) => setTimeout(resolve, THINK_MS * (0.5 + Math.random())));
/** Each person sends these, one after the other (answer awaited); !whatdoyouhave reads the most. */
const MIX = ['!help', '!status', '!whatdoyouhave', '!status', '!help'];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** VmRSS (resident now) or VmHWM (the peak so far), as the kernel counts them, in MiB. */
function rssMiB(pid: number, which: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(new RegExp(`${which}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** The memory targets for the bot with default settings (README, "Memory"). */
const IDLE_TARGET_MIB = 200;
const PEAK_TARGET_MIB = 256;
/** Idle: this long after the last room was joined with nothing happening. */
const SETTLE_MS = 5000;
const against = (mib: number, target: number) => `${mib.toFixed(0)} MiB (target < ${target} MiB: ${mib < target ? 'met' : 'MISSED'})`;

const hs = await startTestHomeserver({ flavour: values.flavour as 'synapse', serverName: 'example.org' });
const m = hs.model;
const bot = m.addUser({ localpart: 'privacybot', admin: true });
const admin = m.addUser({ localpart: 'admin', admin: true });
m.createRoom(admin.userId, { name: 'Privacy admins', alias: 'privacy-admins', invite: [bot.userId] });
m.createRoom(admin.userId, { name: 'Privacy contact', alias: 'privacy-contact', invite: [bot.userId] });
const people = Array.from({ length: USERS }, (_, i) => m.addUser({ localpart: `user${i}`, emails: [`user${i}@example.org`] }).userId);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-load-'));
const configPath = writeBotConfig(hs, dir, (raw) => {
  // The default limits (10 a minute per person, 300 a minute in all) would refuse most of this burst on purpose.
  raw.rateLimits = { perUserPerMinute: 1000, globalPerMinute: 100_000 };
  // As shipped: encryption on (its engine is part of the bot's memory), the tests' config turns it off.
  raw.bot.encryption = 'auto';
});
const nodeOptions = process.env['BENCH_BOT_NODE_OPTIONS'];
const process_ = await startBot({
  configPath,
  env: { DSAR_BOT_ACCESS_TOKEN: bot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: TEST_CRYPTO_PASSPHRASE, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
});
const engine = /end-to-end encryption is on, with the (\S+)/.exec(process_.stderr())?.[1] ?? 'no';

try {
  const rooms = people.map((user) => m.createRoom(user, { isDirect: true, invite: [bot.userId], preset: 'trusted_private_chat' }));
  await Promise.all(
    rooms.map((room) =>
      m.waitForEvent((ev) => ev.room_id === room && ev.state_key === bot.userId && (ev.content as Record<string, unknown>)['membership'] === 'join', 120_000),
    ),
  );

  const replies = new Map<string, number[]>(); // command event -> reply times
  m.emitter.on('event', (ev: { sender: string; content: Record<string, any> }) => {
    const to = ev.sender === bot.userId ? ev.content['m.relates_to']?.['m.in_reply_to']?.event_id : undefined;
    if (typeof to === 'string') replies.set(to, [...(replies.get(to) ?? []), performance.now()]);
  });
  const sent: { eventId: string; command: string; at: number }[] = [];
  const waitForReply = (eventId: string) =>
    new Promise<void>((resolve) => {
      const check = () => (replies.has(eventId) ? resolve() : setTimeout(check, 5));
      check();
    });

  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const idle = rssMiB(process_.pid, 'VmRSS');
  const started = performance.now();
  const cpuBefore = { bot: cpuSeconds(process_.pid), homeserver: cpuSeconds(process.pid) };
  await Promise.all(
    people.map(async (user, i) => {
      for (let round = 0; round < ROUNDS; round++) {
        for (const command of MIX) {
          if (THINK_MS > 0) await think();
          const at = performance.now();
          const eventId = m.sendMessage(rooms[i]!, user, command);
          sent.push({ eventId, command, at });
          await Promise.race([waitForReply(eventId), new Promise((resolve) => setTimeout(resolve, 60_000))]);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = { bot: cpuSeconds(process_.pid) - cpuBefore.bot, homeserver: cpuSeconds(process.pid) - cpuBefore.homeserver };
  await new Promise((resolve) => setTimeout(resolve, 1000)); // late duplicates would show now

  const lost = sent.filter((s) => !replies.has(s.eventId)).length;
  const duplicated = sent.filter((s) => (replies.get(s.eventId)?.length ?? 0) > 1).length;
  console.log(
    `${USERS} people x ${ROUNDS} rounds of ${MIX.join(', ')} (${values.flavour}, pausing ~${THINK_MS} ms between commands): ${sent.length} commands in ${elapsed.toFixed(1)} s = ${(sent.length / elapsed).toFixed(1)} commands/s`,
  );
  for (const command of [...new Set(MIX)]) {
    const latencies = sent
      .filter((s) => s.command === command && replies.has(s.eventId))
      .map((s) => replies.get(s.eventId)![0]! - s.at)
      .sort((a, b) => a - b);
    console.log(
      `  ${command.padEnd(15)} n=${String(latencies.length).padStart(5)}  p50 ${percentile(latencies, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(latencies, 95).toFixed(0).padStart(5)} ms  p99 ${percentile(latencies, 99).toFixed(0).padStart(5)} ms`,
    );
  }
  console.log(`  lost ${lost}, duplicated ${duplicated}`);
  const settings = nodeOptions ? `NODE_OPTIONS=${nodeOptions}` : `default settings (${BOT_HEAP_FLAGS.join(' ')})`;
  console.log(`  bot process, ${settings}, encryption on with the ${engine} engine:`);
  console.log(`    RSS idle before the load (${USERS} rooms joined): ${against(idle, IDLE_TARGET_MIB)}`);
  console.log(`    peak RSS, start-up and load: ${against(rssMiB(process_.pid, 'VmHWM'), PEAK_TARGET_MIB)}`);
  // The export process the bot keeps waiting for the next export (from 10 s after its start): the container's memory, not the bot's.
  const waiting = exportProcessesOf(process_.pid).map((pid) => `${rssMiB(pid, 'VmRSS').toFixed(0)} MiB`);
  console.log(`  export process waiting for the next export (a process of its own): ${waiting.join(', ') || 'none'}`);
  console.log(
    `  CPU over the run: bot ${cpu.bot.toFixed(1)} s, test homeserver and load ${cpu.homeserver.toFixed(1)} s (of ${elapsed.toFixed(1)} s on ${os.cpus().length} cores)`,
  );
} finally {
  await process_.kill('SIGTERM'); // a clean stop (a CPU profile, when asked for, is written then)
  await killAllBots();
  await hs.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
