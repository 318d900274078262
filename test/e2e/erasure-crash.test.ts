// An erasure survives real crashes: the bot runs as its own process and is killed (SIGKILL)
// right after each step is recorded, and in the middle of the redaction at the worst moments
// (the server has acted, the bot has not heard). After each restart it resumes; in the end the
// account is erased and verified, nothing was done twice, and the bot's file names nobody.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/store/database.ts';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import { type BotProcess, killAllBots, startBot, writeBotConfig } from '../support/bot-process.ts';
import {
  ALICE,
  type AliceRooms,
  botBodies,
  codeIn,
  databaseBytes,
  ERASED,
  idIn,
  leftOnServer,
  readableEventsOf,
  redactionsPerEvent,
  seedAlice,
} from '../support/erasure.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World | undefined;
let dir: string | undefined;
afterEach(async () => {
  await killAllBots();
  await world?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  world = undefined;
  dir = undefined;
});

/** The steps each server runs, in order (src/erasure/plan.ts). */
const STEPS: Record<Flavour, string[]> = {
  synapse: ['memberships', 'profile', 'purge', 'redact', 'media', 'threepids', 'traces', 'announce', 'deactivate', 'sweep', 'verify', 'forget'],
  'synapse-1.67': ['memberships', 'profile', 'purge', 'redact', 'media', 'threepids', 'traces', 'announce', 'deactivate', 'sweep', 'verify', 'forget'],
  tuwunel: [
    'memberships',
    'purge',
    'redact',
    'media',
    'threepids',
    'traces',
    'announce',
    'deactivate',
    'sweep',
    'leave-rooms',
    'verify',
    'erase-marker',
    'admin-room',
    'forget',
  ],
};

const stepDone = (step: string) => new RegExp(`erasure R-\\w+: step ${step} done`);

async function crashWorld(flavour: Flavour) {
  let rooms: AliceRooms | undefined;
  world = await startWorld({
    flavour,
    startBot: false,
    alice: { avatarUrl: 'mxc://example.org/avatar' },
    // A private room she left (the bot is made an admin there, where the server's task does not reach it), and a room made
    // elsewhere that she left, which nobody here is in any more (deleted).
    seed: (hs) => {
      rooms = seedAlice(hs.model, { privateRoom: true, remoteRoom: true });
    },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-erasure-crash-'));
  const configPath = writeBotConfig(world.hs, dir, (raw) => (raw.erasure = { coolingOffHours: 0 }));
  return { w: world, rooms: rooms!, configPath, env: { DSAR_BOT_ACCESS_TOKEN: world.privacybot.accessToken }, dataDir: path.join(dir, 'data') };
}

/** How the bot process ended; a bot that is still running after a while fails the test instead of hanging it. */
async function exitOf(bot: BotProcess): Promise<unknown> {
  return Promise.race([bot.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
}

async function askAndApprove(w: World, dm: string): Promise<string> {
  const code = codeIn((await w.ask(ALICE, dm, '!delete')).body);
  const id = idIn((await w.ask(ALICE, dm, `!delete confirm ${code}`)).body);
  // Not waiting for the answer: the bot may be killed before it gives it (and gives it after the restart).
  w.say(w.admin.userId, w.adminRoomId, `!approve ${id}`);
  return id;
}

/** What is in the bot's database now (a second connection, as an admin's sqlite3 shell would open; read-only ones miss the write-ahead log). */
function readDatabase(dataDir: string, id: string) {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { fileMustExist: true });
  try {
    return {
      request: db.prepare('SELECT state, user_id AS userId FROM requests WHERE id = ?').get(id) as { state: string; userId: string },
      steps: db.prepare('SELECT step, state FROM erasure_steps WHERE request_id = ? ORDER BY started_at, rowid').all(id) as { step: string; state: string }[],
    };
  } finally {
    db.close();
  }
}

/** Everything an erasure must leave behind, and nothing it must not do twice. */
async function expectErasedOnce(w: World, rooms: AliceRooms, dm: string, id: string, dataDir: string, flavour: Flavour) {
  const m = w.hs.model;
  const reports = () => botBodies(m, w.privacybot.userId, w.adminRoomId).filter((b) => b.startsWith(`Erasure ${id} of`));
  await waitUntil(() => reports().length > 0, 'the report', 20_000);
  expect(reports()).toHaveLength(1);
  expect(reports()[0]).toContain(': verified.');
  expect(leftOnServer(m)).toEqual(ERASED);
  for (const roomId of [rooms.chat, rooms.lounge, dm, ...(rooms.private ? [rooms.private] : [])]) expect(readableEventsOf(m, roomId), roomId).toEqual([]);
  // No event was redacted twice, no notice sent twice.
  expect([...redactionsPerEvent(m).entries()].filter(([, n]) => n > 1)).toEqual([]);
  expect(botBodies(m, w.privacybot.userId, dm).filter((b) => b.includes('Your account is being erased now'))).toHaveLength(1);
  expect(botBodies(m, w.privacybot.userId, dm).at(-1)).toContain('Your account is being erased now');
  // In the rooms she left, Synapse's task redacts as her without anyone joining; elsewhere the bot is made an admin,
  // joins and leaves, once per room: one change of power levels naming the bot, one join.
  const botJoinsLeftRooms = flavour !== 'synapse';
  for (const roomId of [rooms.lounge, rooms.private!]) {
    const joins = m
      .events(roomId)
      .filter((ev) => ev.type === 'm.room.member' && ev.state_key === w.privacybot.userId && (ev.content as Record<string, unknown>)['membership'] === 'join');
    expect(joins, roomId).toHaveLength(botJoinsLeftRooms ? 1 : 0);
    if (botJoinsLeftRooms) expect(m.membership(roomId, w.privacybot.userId)).toBe('leave');
    const granted = m
      .events(roomId)
      .filter((ev) => ev.type === 'm.room.power_levels' && w.privacybot.userId in ((ev.content as Record<string, any>)['users'] ?? {}));
    expect(granted, roomId).toHaveLength(botJoinsLeftRooms ? 1 : 0);
  }
  // The room nobody here was in any more is deleted, asked for once (a restart follows the deletion it finds).
  expect(m.room(rooms.remote!)).toBeUndefined();
  expect(w.hs.requests.filter((r) => r.method === 'DELETE' && /\/_synapse\/admin\/v2\/rooms\/[^/]+$/.test(r.path))).toHaveLength(1);
  // The server's redaction task was asked for once at most, whatever the crashes.
  expect(w.hs.requests.filter((r) => r.method === 'POST' && /\/user\/[^/]+\/redact$/.test(r.path)).length).toBeLessThanOrEqual(1);
  if (flavour === 'tuwunel') {
    const commands = m.room(m.adminRoomId!)!.events.filter((ev) => String(ev.content['body'] ?? '').startsWith(`!admin users deactivate ${ALICE}`));
    expect(commands).toHaveLength(1);
    expect(m.user(ALICE)!.erasedAt).not.toBeNull();
  }
  await waitUntil(
    () => {
      const { request } = readDatabase(dataDir, id);
      return request.state === 'completed';
    },
    'the request to be completed',
    10_000,
  );
}

describe('SIGKILL at every step boundary', () => {
  it.each<Flavour>(['synapse', 'synapse-1.67', 'tuwunel'])(
    '%s: killed right after each step is recorded, restarted each time: erased, verified, nothing twice',
    async (flavour) => {
      const { w, rooms, configPath, env, dataDir } = await crashWorld(flavour);
      const steps = STEPS[flavour];
      let bot: BotProcess = await startBot({ configPath, env, killOnLog: stepDone(steps[0]!) });
      const dm = await w.openDirectChat(ALICE);
      const id = await askAndApprove(w, dm);
      for (const next of [...steps.slice(1), null]) {
        expect(await exitOf(bot)).toEqual({ code: null, signal: 'SIGKILL' });
        bot = await startBot({ configPath, env, ...(next === null ? {} : { killOnLog: stepDone(next) }) });
      }
      await expectErasedOnce(w, rooms, dm, id, dataDir, flavour);
      expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });

      const stored = readDatabase(dataDir, id);
      expect(stored.steps).toEqual(steps.map((step) => ({ step, state: 'done' })));
      expect(stored.request.userId).toMatch(/^pseudonym:/);
      expect(databaseBytes(dataDir)).not.toContain(ALICE);
    },
    90_000,
  );
});

describe('SIGKILL in the middle of the redaction', () => {
  const DELETE_ROOM = /\/_synapse\/admin\/v2\/rooms\/[^/]+$/;
  const TASK = /\/_synapse\/admin\/v1\/user\/[^/]+\/redact$/;
  it.each<[Flavour, RegExp[]]>([
    // The room deletion taken, its ID never heard; then the task taken, its ID never heard (the restart must find it, not
    // ask again: Synapse's task redacts everything a second time); then her reaction redacted as her, the answer lost.
    ['synapse', [DELETE_ROOM, TASK, /\/_matrix\/client\/v3\/rooms\/[^/]+\/redact\//]],
    // The deletion; one event redacted, the answer lost; then the bot made an admin in a room Alice left, before it joins.
    ['synapse-1.67', [DELETE_ROOM, /\/_matrix\/client\/v3\/rooms\/[^/]+\/redact\//, /\/_synapse\/admin\/v1\/rooms\/[^/]+\/make_room_admin$/]],
    // The task taken; then its status read; then the bot made an admin; then the admin-room command sent (never sent twice).
    [
      'tuwunel',
      [
        TASK,
        /\/_synapse\/admin\/v1\/user\/redact_status\/(?!dsar-bot-capability-probe)/,
        /\/_synapse\/admin\/v1\/rooms\/[^/]+\/make_room_admin$/,
        /\/rooms\/[^/]+\/send\/m\.room\.message\/dsar-/,
      ],
    ],
  ])(
    '%s: killed as the server acts and before the bot hears back, restarted: erased, verified, nothing twice',
    async (flavour, worstMoments) => {
      const { w, rooms, configPath, env, dataDir } = await crashWorld(flavour);
      let bot: BotProcess = await startBot({ configPath, env });
      const dm = await w.openDirectChat(ALICE);
      let kills = 0;
      for (const path of worstMoments) {
        w.hs.faults.add({
          path,
          kind: 'commit-then-drop',
          onCommitted: async () => {
            kills++;
            await bot.kill('SIGKILL');
          },
        });
      }
      const id = await askAndApprove(w, dm);
      for (let restarts = 0; restarts < worstMoments.length; restarts++) {
        await waitUntil(() => kills > restarts, `kill ${restarts + 1}`, 10_000);
        expect(await exitOf(bot)).toEqual({ code: null, signal: 'SIGKILL' });
        bot = await startBot({ configPath, env });
      }
      await expectErasedOnce(w, rooms, dm, id, dataDir, flavour);
      expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      if (flavour !== 'synapse-1.67') {
        // Asked once: the restart that never heard the task's ID looked it up, and the pass after deactivation asks for none.
        expect(w.hs.requests.filter((r) => r.method === 'POST' && TASK.test(r.path))).toHaveLength(1);
      }
    },
    90_000,
  );
});
