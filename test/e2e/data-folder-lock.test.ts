// One bot per data folder: a second bot started on the same folder (an operator starting it
// twice) refuses with exit code 3 and says why, before it reaches the homeserver, and the first
// goes on answering. A bot killed with SIGKILL leaves nothing that blocks the next start.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllBots, spawnBot, startBot } from '../support/bot-process.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(async () => {
  await killAllBots();
  await world?.close();
});

describe('a second bot on the same data folder', () => {
  it('exits 3 with a clear message while the first answers on; after the first is SIGKILLed, a new one starts', async () => {
    world = await startWorld({ startBot: false });
    const { hs, privacybot, alice } = world;
    const configPath = `${world.config.dataDir}.config.json`;
    fs.writeFileSync(configPath, JSON.stringify(world.config));
    const env = { DSAR_BOT_ACCESS_TOKEN: privacybot.accessToken };
    const dm = hs.model.createRoom(alice.userId, { isDirect: true, invite: [privacybot.userId] });

    const first = await startBot({ configPath, env });
    await world.botJoined(dm);

    const whoami = () => hs.requests.filter((r) => r.path.endsWith('/account/whoami')).length;
    const whoamiBefore = whoami();
    const second = spawnBot({ configPath, env });
    const stillRunning = new Promise((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000));
    expect(await Promise.race([second.exited, stillRunning])).toEqual({ code: 3, signal: null });
    expect(second.stderr()).toContain(`Cannot start: another bot is running on the data folder ${world.config.dataDir}`);
    expect(second.stderr()).toMatch(/Stop the other one first/);
    // Refused before the homeserver was asked anything (the first thing a bot asks is whoami).
    expect(whoami()).toBe(whoamiBefore);

    const help = world.say(alice.userId, dm, '!help');
    expect((await world.replyTo(help)).body).toContain('!whatdoyouhave');

    await first.kill('SIGKILL');
    const third = await startBot({ configPath, env });
    const status = world.say(alice.userId, dm, '!status');
    expect((await world.replyTo(status)).body).toMatch(/request/i);
    expect(await third.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    // Each command was answered once, by one bot.
    expect(world.repliesTo(dm, help)).toHaveLength(1);
    expect(world.repliesTo(dm, status)).toHaveLength(1);
  });
});
