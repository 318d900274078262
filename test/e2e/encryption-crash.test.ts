// The bot killed with SIGKILL at the worst moments of end-to-end encryption — the
// server took its one-time keys but it never heard back; it claimed a person's
// one-time key, or sent them the room key, and died before noting it — starts
// again with the same identity, and still decrypts and answers. Its store stays
// owner-only and cannot be opened without the passphrase.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type BotProcess, STARTED, spawnBot } from '../support/bot-process.ts';
import { E2eeUser } from '../support/e2ee-user.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, TEST_CRYPTO_PASSPHRASE, type World } from '../support/world.ts';

let world: World;
let bot: BotProcess | undefined;
afterEach(async () => {
  await bot?.kill();
  await world?.close();
});

async function crashWorld() {
  world = await startWorld({ startBot: false, configure: (raw) => (raw.bot.encryption = 'auto') });
  const configPath = `${world.config.dataDir}.config.json`;
  fs.writeFileSync(configPath, JSON.stringify(world.config));
  const env = { DSAR_BOT_ACCESS_TOKEN: world.privacybot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: TEST_CRYPTO_PASSPHRASE };
  const device = world.hs.model.tokenInfo(world.privacybot.accessToken)!.deviceId!;
  return { start: (extra: Record<string, string> = {}) => (bot = spawnBot({ configPath, env: { ...env, ...extra } })), device };
}

/** Waits until the server has done a request of the bot's whose answer was lost (its status stays 0). */
const lostAnswer = (w: World, method: string, path: RegExp) =>
  waitUntil(
    () => w.hs.requests.some((r) => r.userId === w.privacybot.userId && r.method === method && path.test(r.path) && r.status === 0),
    `a lost answer to ${method} ${path}`,
    20_000,
  );

describe('the bot killed during end-to-end encryption', () => {
  it('right after the server took its one-time keys: restarts with the same identity, re-uploads nothing new, and answers', async () => {
    const { start, device } = await crashWorld();
    const hs = world.hs;
    hs.faults.add({ method: 'POST', path: '/_matrix/client/v3/keys/upload', kind: 'lost-answer', bodyIncludes: '"one_time_keys"' });
    start();
    await lostAnswer(world, 'POST', /\/keys\/upload$/);
    const uploaded = hs.model.e2ee.oneTimeKeyCounts(world.privacybot.userId, device)['signed_curve25519'];
    expect(uploaded).toBeGreaterThan(0);
    const identity = structuredClone(hs.model.e2ee.deviceKeys.get(world.privacybot.userId)?.get(device));
    await bot!.kill('SIGKILL');

    start();
    await bot!.waitForLog(STARTED);
    const alice = await E2eeUser.login(hs, world.alice.userId);
    const room = await world.openDirectChat(alice.userId, { encrypted: true });
    const help = await alice.sendText(room, '!help');
    expect((await alice.replyTo(help, 20_000)).content['body']).toContain('!whatdoyouhave');
    // Same device keys; the one-time keys sent again were the same ones (a new identity would get Synapse's 400).
    expect(hs.model.e2ee.deviceKeys.get(world.privacybot.userId)?.get(device)).toEqual(identity);
    expect(hs.requests.filter((r) => r.path.endsWith('/keys/upload') && r.status === 400)).toHaveLength(0);
    expect(bot!.stderr()).not.toMatch(/already exists|ERROR/);
  });

  it("while sharing the room key (after claiming a person's one-time key, after sending the key): answers once it is back", async () => {
    const { start } = await crashWorld();
    const hs = world.hs;
    start();
    await bot!.waitForLog(STARTED);
    const alice = await E2eeUser.login(hs, world.alice.userId);
    const room = await world.openDirectChat(alice.userId, { encrypted: true });
    await alice.replyTo(await alice.sendText(room, '!help'), 20_000);
    // A new device of Alice's that never wrote to the bot: to share its room key with it, the
    // bot must claim one of its one-time keys and send the key in a to-device message.
    const phone = await E2eeUser.login(hs, world.alice.userId, 'Element on a phone');
    const bots = { userId: world.privacybot.userId };
    hs.faults.add({ method: 'POST', path: '/_matrix/client/v3/keys/claim', kind: 'lost-answer', ...bots });
    const command = await alice.sendText(room, '!contact');
    await lostAnswer(world, 'POST', /\/keys\/claim$/);
    await bot!.kill('SIGKILL');

    hs.faults.add({ method: 'PUT', path: /\/sendToDevice\//, kind: 'lost-answer', ...bots });
    start();
    await lostAnswer(world, 'PUT', /\/sendToDevice\//);
    await bot!.kill('SIGKILL');

    start();
    const reply = await phone.replyTo(command, 20_000);
    expect(reply.encrypted).toBe(true);
    expect(reply.content['body']).toContain('privacy');
    await alice.replyTo(command, 20_000); // the first device reads it too
    await bot!.waitForLog(STARTED);
    const replies = hs.model.events(room).filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.encrypted');
    expect(replies.length).toBeGreaterThanOrEqual(2);

    // The store: owner-only, and no way in without the passphrase.
    const dataDir = world.config.dataDir;
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const file of fs.readdirSync(dataDir)) {
      const stat = fs.statSync(`${dataDir}/${file}`);
      expect([file, stat.mode & 0o777]).toEqual([file, stat.isDirectory() ? 0o700 : 0o600]);
    }
    const sessionKeys = await alice.exportedSessionKeys();
    expect(sessionKeys.length).toBeGreaterThan(0);
    await bot!.kill('SIGTERM');
    const database = fs.readFileSync(`${dataDir}/dsar-bot.sqlite`);
    for (const key of sessionKeys) {
      expect(database.includes(key)).toBe(false);
      expect(database.includes(Buffer.from(key, 'base64'))).toBe(false);
    }
    start({ DSAR_BOT_CRYPTO_PASSPHRASE: 'not the passphrase the store was made with' });
    expect((await bot!.exited).code).toBe(3);
    expect(bot!.stderr()).toContain('cannot be opened with DSAR_BOT_CRYPTO_PASSPHRASE');
  });
});
