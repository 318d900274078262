// A data folder that does not hold the keys of the bot's device: the bot moved to a new
// volume, an older backup was restored, or another bot runs with the same login. The
// server already has the device's keys and one-time keys; uploading new ones would fail
// (Synapse's "One time key ... already exists") or replace the device's identity. The bot
// refuses to start, exit code 3, with what happened and what to do, before it uploads
// anything, and prints no key material. The data folder that belongs to the device still starts.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type BotProcess, STARTED, spawnBot } from '../support/bot-process.ts';
import { startWorld, TEST_CRYPTO_PASSPHRASE, type World } from '../support/world.ts';

let world: World;
let bots: BotProcess[] = [];
afterEach(async () => {
  await Promise.all(bots.map((bot) => bot.kill('SIGKILL')));
  bots = [];
  await world?.close();
});

/** A config file for the bot on `dataDir`, with encryption on. */
function configOn(w: World, dataDir: string): string {
  const file = `${dataDir}.config.json`;
  fs.writeFileSync(file, JSON.stringify({ ...w.config, dataDir, bot: { ...w.config.bot, encryption: 'auto' } }));
  return file;
}

describe('a data folder without the keys of the bot device', () => {
  it('is refused with exit code 3 and a plain message, before any key upload; the server keeps its keys; the right folder starts', async () => {
    world = await startWorld({ startBot: false });
    const { hs, privacybot } = world;
    const env = { DSAR_BOT_ACCESS_TOKEN: privacybot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: TEST_CRYPTO_PASSPHRASE };
    const device = hs.model.tokenInfo(privacybot.accessToken)!.deviceId!;
    const folderA = `${world.config.dataDir}/a`;
    const folderB = `${world.config.dataDir}/b`;

    const first = spawnBot({ configPath: configOn(world, folderA), env });
    bots.push(first);
    await first.waitForLog(STARTED);
    await first.kill('SIGTERM');
    const identity = structuredClone(hs.model.e2ee.deviceKeys.get(privacybot.userId)?.get(device));
    const oneTimeKeys = hs.model.e2ee.oneTimeKeyCounts(privacybot.userId, device);
    expect(identity).toBeDefined();
    expect(oneTimeKeys['signed_curve25519']).toBeGreaterThan(0);

    const uploadsBefore = hs.requests.filter((r) => r.path.endsWith('/keys/upload')).length;
    const second = spawnBot({ configPath: configOn(world, folderB), env });
    bots.push(second);
    expect(await second.exited).toEqual({ code: 3, signal: null });
    const said = second.stderr();
    expect(said).toContain(`Cannot start: this bot's device (${device}) already has end-to-end encryption keys on the homeserver`);
    expect(said).toMatch(/that this data folder does not hold/);
    expect(said).toMatch(/a new volume .*, a restored older backup, or another bot with the same login/);
    expect(said).toMatch(/log in again .* new device/i);
    expect(said).toMatch(/restore the data folder that belongs to this device/i);
    // No key material, and not the server's error either: nothing was uploaded.
    for (const key of Object.values((identity as { keys: Record<string, string> }).keys)) expect(said).not.toContain(key);
    expect(said).not.toMatch(/already exists|Unexpected failure|ERROR/);
    expect(hs.requests.filter((r) => r.path.endsWith('/keys/upload')).length).toBe(uploadsBefore);
    expect(hs.model.e2ee.deviceKeys.get(privacybot.userId)?.get(device)).toEqual(identity);
    expect(hs.model.e2ee.oneTimeKeyCounts(privacybot.userId, device)).toEqual(oneTimeKeys);

    // The data folder that belongs to the device starts as before.
    const again = spawnBot({ configPath: configOn(world, folderA), env });
    bots.push(again);
    await again.waitForLog(STARTED);
    expect(again.stderr()).not.toMatch(/already has end-to-end encryption keys|ERROR/);
    expect(hs.model.e2ee.deviceKeys.get(privacybot.userId)?.get(device)).toEqual(identity);
  });
});
