// A real crash: the bot runs as its own process (the real command line) and is killed
// with SIGKILL at the worst moment, when the homeserver has stored a reply and the bot
// has not heard back. After a restart on the same data, every command has one reply.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BotExit, killAllBots, STARTED, spawnBot, startBot, writeBotConfig } from '../support/bot-process.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
let dir: string;
afterEach(async () => {
  await killAllBots();
  await world?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The test homeserver and its people, and what the bot's command line needs to run against it. */
async function worldForABotProcess() {
  world = await startWorld({ startBot: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-crash-'));
  return { m: world.hs.model, configPath: writeBotConfig(world.hs, dir), env: { DSAR_BOT_ACCESS_TOKEN: world.privacybot.accessToken } };
}

describe('SIGKILL while replies go out', () => {
  it('ten users ask at once, the bot dies as the first reply is stored; after a restart each has exactly one reply', async () => {
    const { m, configPath, env } = await worldForABotProcess();

    const users = Array.from({ length: 10 }, (_, i) => m.addUser({ localpart: `user${i}`, emails: [`user${i}@example.org`] }).userId);
    const dms = users.map((userId) => m.createRoom(userId, { isDirect: true, invite: [world.privacybot.userId] }));
    let bot = await startBot({ configPath, env });
    await waitUntil(() => dms.every((dm) => m.membership(dm, world.privacybot.userId) === 'join'), 'the bot to join every direct chat', 10_000);

    let killed: BotExit | null = null;
    world.hs.faults.add({
      method: 'PUT',
      path: new RegExp(`/rooms/(${dms.map((dm) => escapeRegExp(encodeURIComponent(dm))).join('|')})/send/`),
      kind: 'commit-then-drop',
      onCommitted: async () => {
        killed = await bot.kill('SIGKILL');
      },
    });
    const commands = users.map((userId, i) => m.sendMessage(dms[i]!, userId, '!whatdoyouhave'));
    await waitUntil(() => killed !== null, 'the bot to be killed as a reply is stored', 20_000);
    expect(killed).toEqual({ code: null, signal: 'SIGKILL' });
    const storedBeforeTheKill = commands.filter((command, i) => world.repliesTo(dms[i]!, command).length > 0).length;
    expect(storedBeforeTheKill).toBeGreaterThan(0);

    bot = await startBot({ configPath, env });
    await waitUntil(() => commands.every((command, i) => world.repliesTo(dms[i]!, command).length > 0), 'a reply to every command', 20_000);
    // A clean stop finishes whatever the bot had started: nothing more can follow.
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(commands.map((command, i) => world.repliesTo(dms[i]!, command).length)).toEqual(commands.map(() => 1));
    expect(bot.stderr()).not.toContain(world.privacybot.accessToken);
  }, 60_000);
});

describe('SIGKILL while a gap is read', () => {
  it('a command behind a gap, the bot killed as it reads the gap: after a restart, answered exactly once', async () => {
    const { m, configPath, env } = await worldForABotProcess();
    const dm = m.createRoom(world.alice.userId, { isDirect: true, invite: [world.privacybot.userId] });
    let bot = await startBot({ configPath, env });
    await world.replyTo(world.say(world.alice.userId, dm, '!help'));
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });

    const command = world.say(world.alice.userId, dm, '!contact');
    for (let i = 0; i < 300; i++) world.say(world.alice.userId, dm, `chatter ${i}`);
    let killed: BotExit | null = null;
    world.hs.faults.add({
      method: 'GET',
      path: /\/messages$/,
      kind: 'commit-then-drop',
      onCommitted: async () => {
        killed = await bot.kill('SIGKILL');
      },
    });
    bot = spawnBot({ configPath, env });
    await waitUntil(() => killed !== null, 'the bot to be killed while it reads the gap', 20_000);
    expect(world.repliesTo(dm, command)).toHaveLength(0);

    bot = await startBot({ configPath, env });
    await world.replyTo(command, 20_000);
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(world.repliesTo(dm, command)).toHaveLength(1);
  }, 60_000);
});

describe('SIGTERM as the bot starts', () => {
  it('a stop asked for the moment the bot says it is up is a clean stop, not a kill', async () => {
    const { configPath, env } = await worldForABotProcess();
    const bot = spawnBot({ configPath, env, killOnLog: STARTED, killSignal: 'SIGTERM' });
    expect(await bot.exited).toEqual({ code: 0, signal: null });
  }, 30_000);
});
