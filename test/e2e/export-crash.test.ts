// A real crash during an export: the bot runs as its own process (the real command line) and
// is killed with SIGKILL in the middle of reading the user's rooms, right after a part was
// uploaded (before the bot could record it), and right after a part's message was stored
// (before the bot heard back). Started again on the same data, it finishes the job: the
// user gets exactly one package, and expiry finds every upload, the unrecorded one too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportsDir } from '../../src/export/lifecycle/expiry.ts';
import { sendKeyFor } from '../../src/export/lifecycle/export-job.ts';
import { transactionIdFor } from '../../src/matrix/send-once.ts';
import { runBot } from '../../src/run.ts';
import { botBodies, fileMessages, requestIdIn, seedHistory, slowRoomPages, unzipDelivered } from '../export/delivered.ts';
import { type BotExit, type BotProcess, killAllBots, startBot, writeBotConfig } from '../support/bot-process.ts';
import { waitUntil } from '../support/wait.ts';
import { configFor, memoryLogger, startWorld, testSecrets, type World } from '../support/world.ts';

let world: World;
let dir: string;
afterEach(async () => {
  await killAllBots();
  await world?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The test homeserver with Alice's history and her direct chat, and what the bot's command line needs. */
async function exportCrashWorld() {
  world = await startWorld({ startBot: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-export-crash-'));
  const seeded = seedHistory(world.hs, world.alice.userId, world.bob.userId);
  const configPath = writeBotConfig(world.hs, dir);
  const env = { DSAR_BOT_ACCESS_TOKEN: world.privacybot.accessToken };
  const bot = await startBot({ configPath, env });
  const dm = await world.openDirectChat(world.alice.userId);
  return { w: world, seeded, dm, bot, start: () => startBot({ configPath, env }) };
}

/** Kills the bot the moment the homeserver has done what the request asked, before the answer leaves. */
function killWhen(w: World, bot: BotProcess, match: { method: string; path: RegExp }): { killed: () => BotExit | null } {
  let killed: BotExit | null = null;
  w.hs.faults.add({
    ...match,
    kind: 'commit-then-drop',
    onCommitted: async () => {
      killed = await bot.kill('SIGKILL');
    },
  });
  return { killed: () => killed };
}

const BOT = '@privacybot:example.org';
const ready = (w: World, dm: string) => botBodies(w.hs.model, BOT, dm).filter((b) => /^Your export R-[0-9A-Z]{4} is ready/.test(b));

/** After the restart: one package, whole, and one of each message. */
async function expectExactlyOnePackage(w: World, dm: string, command: string, seeded: ReturnType<typeof seedHistory>, again: BotProcess) {
  await waitUntil(() => ready(w, dm).length > 0, 'the export to be ready', 30_000);
  expect(await again.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  expect(ready(w, dm)).toHaveLength(1);
  expect(world.repliesTo(dm, command)).toHaveLength(1);
  const files = fileMessages(w.hs, BOT, dm);
  expect(files).toHaveLength(1);
  const read = await unzipDelivered(w.hs, files, dir, w.alice.accessToken);
  const club = read.json('data/rooms.json').data.rooms.find((r: Record<string, any>) => r.room_id === seeded.club);
  expect(read.text(club.messages_file)).toContain(seeded.said[1]);
  // The package, and nothing half-made beside it.
  expect(fs.readdirSync(exportsDir(path.join(dir, 'data')))).toEqual([requestIdIn(ready(w, dm)[0]!)]);
}

describe('SIGKILL during an export', () => {
  it('while it reads her rooms: after a restart the job starts again, she is told once, and gets one package', async () => {
    const { w, seeded, dm, bot, start } = await exportCrashWorld();
    const kill = killWhen(w, bot, { method: 'GET', path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/ });
    const command = w.say(w.alice.userId, dm, '!export');
    await waitUntil(() => kill.killed() !== null, 'the bot to be killed mid-export', 20_000);
    expect(kill.killed()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(fileMessages(w.hs, BOT, dm)).toHaveLength(0);

    await expectExactlyOnePackage(w, dm, command, seeded, await start());
    expect(botBodies(w.hs.model, BOT, dm).filter((b) => b.includes('was interrupted by a restart'))).toHaveLength(1);
  }, 60_000);

  it('right after a part was uploaded: one message, and the upload it never recorded is deleted with the rest', async () => {
    const { w, seeded, dm, bot, start } = await exportCrashWorld();
    const kill = killWhen(w, bot, { method: 'POST', path: /^\/_matrix\/media\/v3\/upload$/ });
    const command = w.say(w.alice.userId, dm, '!export');
    await waitUntil(() => kill.killed() !== null, 'the bot to be killed as the upload is stored', 20_000);
    await expectExactlyOnePackage(w, dm, command, seeded, await start());

    const id = requestIdIn(ready(w, dm)[0]!);
    const uploadsOf = () => [...w.hs.model.media.values()].filter((m) => m.userId === BOT && m.filename?.startsWith(`${id}-`));
    expect(uploadsOf()).toHaveLength(2);
    // The bot (in this process, on the same data) deletes the export, as after an erasure.
    const running = await runBot(configFor(w.hs, path.join(dir, 'data')), testSecrets(w.privacybot.accessToken), memoryLogger());
    try {
      await running.exports.deleteExportsOf(w.alice.userId);
    } finally {
      await running.close();
    }
    expect(uploadsOf()).toHaveLength(0);
  }, 60_000);

  it('right after a part’s message was stored: sent again under the same key, the server keeps one', async () => {
    const { w, seeded, dm, bot, start } = await exportCrashWorld();
    slowRoomPages(w.hs, 500);
    const command = w.say(w.alice.userId, dm, '!export');
    const id = requestIdIn((await w.replyTo(command, 20_000)).body);
    const txn = transactionIdFor(dm, sendKeyFor(id, 1));
    const kill = killWhen(w, bot, { method: 'PUT', path: new RegExp(`/send/m\\.room\\.message/${txn}$`) });
    await waitUntil(() => kill.killed() !== null, 'the bot to be killed as the part’s message is stored', 20_000);
    expect(fileMessages(w.hs, BOT, dm)).toHaveLength(1);
    await expectExactlyOnePackage(w, dm, command, seeded, await start());
  }, 60_000);
});
