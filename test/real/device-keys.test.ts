// On a real Synapse: the bot logged in, started once with data folder A, then started with a
// new, empty data folder B and the same token. Synapse holds the device's keys and one-time
// keys from A; the bot refuses with exit code 3 and says why, and Synapse's keys stay as they were.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnBot } from '../support/bot-process.ts';
import { type RealWorld, startRealWorld } from './support/real-world.ts';
import { describeWithSynapse } from './support/synapse.ts';

describeWithSynapse('a new data folder for a device that already has keys, on a real Synapse', () => {
  let world: RealWorld;
  beforeAll(async () => {
    world = await startRealWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('exits 3 with the message, uploads nothing, and Synapse keeps the keys of data folder A', async () => {
    const token = world.botEnv['DSAR_BOT_ACCESS_TOKEN']!;
    const { device_id: device } = await world.synapse.ok('GET', '/_matrix/client/v3/account/whoami', { token });
    // What Synapse holds for the device: its identity keys, and (an upload of nothing answers it) its one-time key count.
    const serverKeys = async () => ({
      device: (await world.synapse.ok('POST', '/_matrix/client/v3/keys/query', { token, body: { device_keys: { [world.botUserId]: [device] } } })).device_keys[
        world.botUserId
      ]?.[device]?.keys,
      oneTimeKeys: (await world.synapse.ok('POST', '/_matrix/client/v3/keys/upload', { token, body: {} })).one_time_key_counts,
    });
    await world.stopBot();
    const before = await serverKeys();
    expect(Object.keys(before.device ?? {})).toHaveLength(2);
    expect(before.oneTimeKeys['signed_curve25519']).toBeGreaterThan(0);

    const configB = path.join(path.dirname(world.configPath), 'bot-b.config.json');
    const raw = JSON.parse(fs.readFileSync(world.configPath, 'utf8'));
    fs.writeFileSync(configB, JSON.stringify({ ...raw, dataDir: path.join(path.dirname(world.dataDir), 'data-b') }));
    const second = spawnBot({ configPath: configB, env: world.botEnv });
    expect(await second.exited).toEqual({ code: 3, signal: null });
    expect(second.stderr()).toContain(
      `Cannot start: this bot's device (${device}) already has end-to-end encryption keys on the homeserver that this data folder does not hold`,
    );
    expect(second.stderr()).not.toMatch(/already exists|Unexpected failure/);
    for (const key of Object.values(before.device as Record<string, string>)) expect(second.stderr()).not.toContain(key);
    expect(await serverKeys()).toEqual(before);
  });
});
