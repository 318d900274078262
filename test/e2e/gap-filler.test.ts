// The gap reader against the test homeserver, with the real SDK client and a real
// SQLite file: every event of a gap once, in order, and no further than its end;
// progress that survives a stop; a failing server waited out; a room it may no longer
// read dropped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMatrixBotSdk } from '../../src/matrix/crypto-seam.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';
import { SyncGaps } from '../../src/store/sync-gaps.ts';
import { GapFiller } from '../../src/sync/gap-filler.ts';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { streamToken } from '../../src/test-homeserver/sync.ts';
import { memoryLogger } from '../support/world.ts';

let hs: TestHomeserver;
let db: Db;
let dir: string;
afterEach(async () => {
  db?.close();
  await hs?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A room with `count` messages after a first sync position, and a gap recorded up to the last `after`. */
async function roomWithGap(count: number, after: number) {
  hs = await startTestHomeserver({ flavour: 'synapse' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-gaps-'));
  db = openDatabase(dir);
  const bot = hs.model.addUser({ localpart: 'privacybot' });
  const alice = hs.model.addUser({ localpart: 'alice' });
  const roomId = hs.model.createRoom(alice.userId, { invite: [bot.userId] });
  hs.model.join(roomId, bot.userId);
  const since = streamToken(hs.model.pos);
  const sent = Array.from({ length: count }, (_, i) => hs.model.sendMessage(roomId, alice.userId, `m${i}`));
  // prev_batch of a timeline holding the last `after` events.
  const to = streamToken(hs.model.pos - after);
  const gaps = new SyncGaps(db);
  gaps.record([{ roomId, from: since, to }], Date.now());
  const { sdk } = loadMatrixBotSdk();
  sdk.LogService.setLevel(sdk.LogLevel.ERROR);
  sdk.LogService.muteModule('MatrixHttpClient'); // the failures below are on purpose
  const client = new sdk.MatrixClient(hs.url, bot.accessToken, new sdk.MemoryStorageProvider());
  return { sent, gaps, client };
}

const eventIdOf = (event: unknown) => (event as { event_id: string }).event_id;

describe('reading the gaps a sync left', () => {
  it('hands over every event of a gap once, in order, up to its end, saving progress page by page', async () => {
    const { sent, gaps, client } = await roomWithGap(350, 50);
    const delivered: string[] = [];
    const log = memoryLogger();
    const first: GapFiller = new GapFiller({
      client,
      gaps,
      log,
      deliver: async (_room, event) => {
        delivered.push(eventIdOf(event));
        if (delivered.length === 150) void first.stop(); // stopped mid-page: that page still completes
      },
    });
    first.wake();
    await first.idle();
    expect(delivered).toEqual(sent.slice(0, 200));
    expect(gaps.open()).toHaveLength(1);

    const second = new GapFiller({ client, gaps, log, deliver: async (_room, event) => void delivered.push(eventIdOf(event)) });
    second.wake();
    await second.idle();
    expect(delivered).toEqual(sent.slice(0, 300));
    expect(gaps.open()).toEqual([]);
  });

  it('waits out a failing server and then reads everything', async () => {
    const { sent, gaps, client } = await roomWithGap(30, 10);
    hs.faults.add({ path: /\/messages$/, kind: 'status', status: 502, times: 1 });
    const delivered: string[] = [];
    const log = memoryLogger();
    const filler = new GapFiller({ client, gaps, log, deliver: async (_room, event) => void delivered.push(eventIdOf(event)) });
    filler.wake();
    await filler.idle();
    expect(delivered).toEqual(sent.slice(0, 20));
    expect(log.lines.some((line) => line.includes('trying again'))).toBe(true);
  });

  it('drops a gap in a room it may not read, and says so', async () => {
    const { gaps } = await roomWithGap(30, 10);
    // Someone who was never in the room is refused (403), as a bot that was removed before joining would be.
    const stranger = hs.model.addUser({ localpart: 'stranger' });
    const { sdk } = loadMatrixBotSdk();
    const client = new sdk.MatrixClient(hs.url, stranger.accessToken, new sdk.MemoryStorageProvider());
    const delivered: unknown[] = [];
    const log = memoryLogger();
    const filler = new GapFiller({ client, gaps, log, deliver: async (_room, event) => void delivered.push(event) });
    filler.wake();
    await filler.idle();
    expect(gaps.open()).toEqual([]);
    expect(delivered).toEqual([]);
    expect(log.lines.some((line) => line.includes('403') && line.includes('dropped'))).toBe(true);
  });
});
