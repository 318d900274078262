// The package is made in a process of its own (src/export/process/export-process.ts), seen from
// outside: the process the kernel lists under the bot, killed with SIGKILL in the middle of an
// export (the bot ends the login-as session it left, retries, and delivers one package), and
// what its command line and environment hold when the bot runs from the real command line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportsDir } from '../../src/export/lifecycle/expiry.ts';
import { botBodies, fileMessages, requestIdIn, seedHistory, slowRoomPages, unzipDelivered } from '../export/delivered.ts';
import { killAllBots, startBot, writeBotConfig } from '../support/bot-process.ts';
import { movableClock } from '../support/clock.ts';
import { exportProcessesOf, isRunning, procStrings, workingExportProcessesOf } from '../support/processes.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, TEST_PSEUDONYM_KEY, type World } from '../support/world.ts';

const HOUR = 60 * 60 * 1000;

let world: World | null = null;
const scratch: string[] = [];
afterEach(async () => {
  await killAllBots();
  await world?.close();
  world = null;
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};

describe('the export process', () => {
  it('killed with SIGKILL mid-export: the bot ends the login-as session it left, tries again, and delivers one package', async () => {
    const clock = movableClock();
    // Tuwunel: the key backup is read as the user, through a login-as that opens a device she can see.
    world = await startWorld({ flavour: 'tuwunel', now: clock.now });
    const w = world;
    const seeded = seedHistory(w.hs, w.alice.userId, w.bob.userId);
    const dm = await w.openDirectChat(w.alice.userId);
    const puppetDevices = () => [...w.hs.model.user(w.alice.userId)!.devices.values()].filter((d) => d.displayName === 'Admin login').map((d) => d.deviceId);
    const killed = { pid: 0, puppetDevices: [] as string[] };
    w.hs.faults.add({
      method: 'GET',
      path: '/_matrix/client/v3/room_keys/version',
      kind: 'commit-then-drop',
      onCommitted: async () => {
        const [pid] = workingExportProcessesOf(process.pid);
        Object.assign(killed, { pid, puppetDevices: puppetDevices() });
        process.kill(pid!, 'SIGKILL');
        await waitUntil(() => !isRunning(pid!), 'the export process to end');
      },
    });

    const id = requestIdIn((await w.ask(w.alice.userId, dm, '!export')).body);
    const job = () => w.bot.services.jobStore.get(id)!;
    await waitUntil(() => job().state === 'queued' && job().attempts === 1, 'the attempt to fail and wait', 20_000);
    // It held a login-as session (a device she can see) when it died.
    expect(killed.puppetDevices).toHaveLength(1);
    expect(job().error).toBe('the export process stopped unexpectedly');
    // Ended by the bot at once (an admin call, as the process's token died with it), not at its next start.
    expect(puppetDevices()).toEqual([]);
    expect(w.hs.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/devices/${killed.puppetDevices[0]}`))).toBe(true);
    expect(w.log.lines.some((l) => l.includes(`export ${id}: the export process stopped unexpectedly (killed by SIGKILL)`))).toBe(true);
    expect(fileMessages(w.hs, w.privacybot.userId, dm)).toHaveLength(0);

    clock.advance(2 * HOUR);
    w.bot.services.jobs.pump();
    await waitUntil(() => botBodies(w.hs.model, w.privacybot.userId, dm).some((b) => b.startsWith(`Your export ${id} is ready`)), 'the export', 30_000);
    const files = fileMessages(w.hs, w.privacybot.userId, dm);
    expect(files).toHaveLength(1);
    const read = await unzipDelivered(w.hs, files, tempDir('dsar-export-process-'), w.alice.accessToken);
    const club = read.json('data/rooms.json').data.rooms.find((r: Record<string, any>) => r.room_id === seeded.club);
    expect(read.text(club.messages_file)).toContain(seeded.said[1]);
    // No device, and no token but her own, left on her account; no half-made package beside the one made.
    expect(puppetDevices()).toEqual([]);
    expect([...w.hs.model.tokens.values()].filter((t) => t.userId === w.alice.userId).map((t) => t.token)).toEqual([w.alice.accessToken]);
    expect(fs.readdirSync(exportsDir(w.config.dataDir))).toEqual([id]);
    expect(workingExportProcessesOf(process.pid)).toEqual([]);
    // At most one waits for the next export.
    expect(exportProcessesOf(process.pid).length).toBeLessThanOrEqual(1);
  }, 60_000);

  it('one waits for the next export: no secret, taken by the export, another started behind it, all ended when the bot stops', async () => {
    world = await startWorld({ warmExportAfterMs: 0 });
    const w = world;
    const secrets = [w.privacybot.accessToken, TEST_PSEUDONYM_KEY];
    let waiting: number[] = [];
    await waitUntil(
      () => {
        waiting = exportProcessesOf(process.pid);
        return waiting.length === 1;
      },
      'an export process to wait for the first export',
      20_000,
    );
    const [first] = waiting;
    expect(workingExportProcessesOf(process.pid)).toEqual([]);
    for (const text of [...procStrings(first!, 'cmdline'), ...procStrings(first!, 'environ')]) for (const secret of secrets) expect(text).not.toContain(secret);

    seedHistory(w.hs, w.alice.userId, w.bob.userId);
    slowRoomPages(w.hs, 500);
    const dm = await w.openDirectChat(w.alice.userId);
    const id = requestIdIn((await w.ask(w.alice.userId, dm, '!export')).body);
    // The waiting process makes the package; a new one waits behind it (export.concurrency is 2: no more).
    await waitUntil(() => workingExportProcessesOf(process.pid).length === 1, 'the export to start');
    expect(workingExportProcessesOf(process.pid)).toEqual([first]);
    await waitUntil(() => exportProcessesOf(process.pid).length === 2, 'another export process to wait');
    const second = exportProcessesOf(process.pid).find((pid) => pid !== first)!;
    await waitUntil(() => botBodies(w.hs.model, w.privacybot.userId, dm).some((b) => b.startsWith(`Your export ${id} is ready`)), 'the export', 30_000);
    await waitUntil(() => !isRunning(first!), 'the process that made the package to end');
    expect(exportProcessesOf(process.pid)).toEqual([second]);

    await w.bot.stop();
    expect(isRunning(second)).toBe(false);
    expect(exportProcessesOf(process.pid)).toEqual([]);
  }, 60_000);

  it('gets no secret in its command line or environment, and ends with the bot (SIGTERM), and with a bot killed (SIGKILL)', async () => {
    world = await startWorld({ startBot: false });
    const w = world;
    const dir = tempDir('dsar-export-process-bot-');
    seedHistory(w.hs, w.alice.userId, w.bob.userId);
    slowRoomPages(w.hs, 1000);
    const configPath = writeBotConfig(w.hs, dir);
    const env = { DSAR_BOT_ACCESS_TOKEN: w.privacybot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: 'a passphrase the export process must not see' };
    const secrets = [w.privacybot.accessToken, TEST_PSEUDONYM_KEY, env.DSAR_BOT_CRYPTO_PASSPHRASE];
    let bot = await startBot({ configPath, env });
    const dm = await w.openDirectChat(w.alice.userId);
    w.say(w.alice.userId, dm, '!export');

    // Stopped, the bot stops its export first; started again, it resumes the export in a new process.
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await waitUntil(() => workingExportProcessesOf(bot.pid).length === 1, 'the export process to start', 20_000);
      // With one waiting for the next export, if the bot has started one by now: all end with the bot.
      const all = exportProcessesOf(bot.pid);
      for (const pid of all) {
        const cmdline = procStrings(pid, 'cmdline');
        const environ = procStrings(pid, 'environ');
        expect(cmdline).toEqual(expect.arrayContaining(['--max-old-space-size=192', '--max-semi-space-size=1']));
        expect(environ.some((e) => e.startsWith('PATH='))).toBe(true);
        expect(environ.filter((e) => e.startsWith('DSAR_'))).toEqual([]);
        for (const secret of secrets) expect([...cmdline, ...environ].some((s) => s.includes(secret))).toBe(false);
      }

      if (signal === 'SIGTERM') {
        expect(await bot.kill(signal)).toEqual({ code: 0, signal: null });
        expect(all.filter(isRunning)).toEqual([]);
        bot = await startBot({ configPath, env });
      } else {
        expect(await bot.kill(signal)).toEqual({ code: null, signal: 'SIGKILL' });
        await waitUntil(() => all.filter(isRunning).length === 0, 'the export processes to end with the bot', 5000);
      }
    }
  }, 60_000);

  it('the one waiting for the next export ends with a bot killed (SIGKILL), and holds no secret', async () => {
    world = await startWorld({ startBot: false });
    const w = world;
    const env = { DSAR_BOT_ACCESS_TOKEN: w.privacybot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: 'a passphrase the export process must not see' };
    const bot = await startBot({ configPath: writeBotConfig(w.hs, tempDir('dsar-export-waiting-')), env });
    let waiting: number[] = [];
    // The bot starts it 10 s after its own start.
    await waitUntil(
      () => {
        waiting = exportProcessesOf(bot.pid);
        return waiting.length === 1;
      },
      'an export process to wait for the next export',
      25_000,
    );
    const [pid] = waiting;
    const seen = [...procStrings(pid!, 'cmdline'), ...procStrings(pid!, 'environ')];
    for (const secret of [w.privacybot.accessToken, TEST_PSEUDONYM_KEY, env.DSAR_BOT_CRYPTO_PASSPHRASE])
      expect(seen.some((s) => s.includes(secret))).toBe(false);
    expect(await bot.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await waitUntil(() => !isRunning(pid!), 'the waiting export process to end with the bot', 5000);
  }, 60_000);
});
