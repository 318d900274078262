// `!export` from the command to the last word, against the floor (export-floor.ts), on the test
// homeserver: the real bot runs as its own process (src/launch.ts, default settings, encryption
// on) against the test homeserver in this process, which holds every page of events for
// `pageMs` and every other request for `requestMs`, as a real server takes its time (a Synapse
// 1.160 here took 0.6 s for a page of 1,000 events when it was not busy; the floor,
// 20 rooms in 9.7 s, says the same). The user is the issue's: 20 rooms of 1,000 events of hers
// (and a quarter as many of someone else's), 41 uploads, 11 MB. Asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTestHomeserver } from '../src/test-homeserver/index.ts';
import { requestIdIn } from '../test/support/bot-messages.ts';
import { killAllBots, startBot, writeBotConfig } from '../test/support/bot-process.ts';
import { TEST_CRYPTO_PASSPHRASE } from '../test/support/world.ts';
import { compareWithFloor, plainFloor, type Shape } from './export-floor.ts';

export type RatioOptions = Shape & { pageMs: number; requestMs: number; runs: number };

type Content = Record<string, any>;

export async function exportRatio(o: RatioOptions): Promise<number[]> {
  const hs = await startTestHomeserver({ flavour: 'synapse', serverName: 'example.org' });
  const m = hs.model;
  const bot = m.addUser({ localpart: 'privacybot', admin: true });
  const admin = m.addUser({ localpart: 'admin', admin: true });
  m.createRoom(admin.userId, { name: 'Privacy admins', alias: 'privacy-admins', invite: [bot.userId] });
  m.createRoom(admin.userId, { name: 'Privacy contact', alias: 'privacy-contact', invite: [bot.userId] });
  const alice = m.addUser({ localpart: 'alice', displayName: 'Alice' });
  const bob = m.addUser({ localpart: 'bob' });
  const rooms: string[] = [];
  for (let r = 0; r < o.rooms; r++) {
    const room = m.createRoom(bob.userId, { name: `Room ${r + 1}`, invite: [alice.userId] });
    m.join(room, alice.userId);
    // Four of Alice's, then one of Bob's, as a conversation goes.
    for (let done = 0; done < o.perRoom; done += 400) {
      const block = Math.min(400, o.perRoom - done);
      m.appendMessages(room, alice.userId, block, (i) => `message ${done + i}: the quick brown fox jumps over the lazy dog, and then some more words to read`);
      m.appendMessages(room, bob.userId, Math.ceil(block / 4), (i) => `bob says ${i}`);
    }
    rooms.push(room);
  }
  const uploads = o.uploadSizes.map((length, i) =>
    m.uploadGeneratedMedia(alice.userId, { contentType: i % 2 ? 'image/jpeg' : 'video/mp4', length, seed: i + 1, filename: `file-${i}` }),
  );
  hs.faults.add({ method: 'GET', path: /^\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/, kind: 'latency', latencyMs: o.pageMs, times: Infinity });
  // Every other request but the sync (a long poll anyway).
  if (o.requestMs > 0) hs.faults.add({ path: /^\/_(matrix|synapse)\/(?!client\/v3\/sync)/, kind: 'latency', latencyMs: o.requestMs, times: Infinity });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-export-ratio-'));
  const configPath = writeBotConfig(hs, dir, (raw) => {
    raw.bot.encryption = 'auto';
    raw.export = { ...raw.export, perUserHours: 0 };
  });
  const botProcess = await startBot({ configPath, env: { DSAR_BOT_ACCESS_TOKEN: bot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: TEST_CRYPTO_PASSPHRASE } });
  try {
    const dm = m.createRoom(alice.userId, { isDirect: true, invite: [bot.userId], preset: 'trusted_private_chat' });
    await m.waitForEvent((ev) => ev.room_id === dm && ev.state_key === bot.userId && (ev.content as Content)['membership'] === 'join', 30_000);
    const size = (o.uploadSizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1);
    console.log(
      `!export against the floor, test homeserver: ${o.rooms} rooms, ${o.rooms * o.perRoom} events of hers, ${uploads.length} uploads (${size} MB); ${o.pageMs} ms a page of events, ${o.requestMs} ms any other request`,
    );
    return await compareWithFloor({
      runs: o.runs,
      // Every room the export reads: hers, and the direct chat with the bot.
      floor: () => plainFloor({ url: hs.url, token: bot.accessToken, userId: alice.userId, rooms: [...rooms, dm], uploads }),
      exportOnce: async () => {
        const at = performance.now();
        const startedAt = Date.now();
        const command = m.sendMessage(dm, alice.userId, '!export');
        const first = await m.waitForEvent(
          (ev) => ev.sender === bot.userId && (ev.content as Content)['m.relates_to']?.['m.in_reply_to']?.event_id === command,
          30_000,
        );
        const firstMs = performance.now() - at;
        const id = requestIdIn(String((first.content as Content)['body']));
        await m.waitForEvent(
          (ev) => ev.room_id === dm && ev.sender === bot.userId && String((ev.content as Content)['body'] ?? '').startsWith(`Your export ${id} is ready`),
          300_000,
        );
        return { firstMs, lastMs: performance.now() - at, startedAt };
      },
      botLog: () => botProcess.stderr(),
    });
  } finally {
    await botProcess.kill('SIGTERM');
    await killAllBots();
    await hs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
