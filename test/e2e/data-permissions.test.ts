// What the bot writes to disk is its owner's alone: the database (and the encryption store in
// it), and every export, while it is being made and after. Checked under a umask that would
// otherwise let anyone read everything, after a real !export through the real bot.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { botBodies, requestIdIn, seedHistory, slowRoomPages } from '../export/delivered.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World | null = null;
let umask: number | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
  if (umask !== null) process.umask(umask);
  umask = null;
});

/** Every file and folder below `dir` (itself included), with its permission bits. */
function modesBelow(dir: string): Array<[string, number]> {
  const found: Array<[string, number]> = [[dir, fs.statSync(dir).mode & 0o777]];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modesBelow(full));
    else found.push([full, fs.statSync(full).mode & 0o777]);
  }
  return found;
}

const ownerOnly = (modes: Array<[string, number]>) =>
  modes.filter(([file, mode]) => mode !== (fs.statSync(file).isDirectory() ? 0o700 : 0o600)).map(([file, mode]) => `${file} ${mode.toString(8)}`);

it('the database and every export, half-made and delivered, are readable by the owner alone, whatever the umask', async () => {
  umask = process.umask(0o000);
  world = await startWorld();
  const w = world;
  seedHistory(w.hs, w.alice.userId, w.bob.userId);
  const dm = await w.openDirectChat(w.alice.userId);
  slowRoomPages(w.hs, 300);
  const id = requestIdIn((await w.ask(w.alice.userId, dm, '!export')).body);
  // Half-made: the work folder exists while rooms are read.
  const exports = path.join(w.config.dataDir, 'exports');
  await waitUntil(() => fs.existsSync(exports) && fs.readdirSync(exports).some((name) => name.endsWith('.partial')), 'the export to be under way', 20_000);
  const whileMaking = modesBelow(w.config.dataDir);
  expect(ownerOnly(whileMaking)).toEqual([]);
  // Delivered: the package waits in the data folder until it expires.
  await waitUntil(
    () => botBodies(w.hs.model, w.privacybot.userId, dm).some((b) => b.startsWith(`Your export ${id} is ready`)),
    'the export to be ready',
    30_000,
  );
  const delivered = modesBelow(w.config.dataDir);
  expect(delivered.some(([file]) => file.endsWith('.zip'))).toBe(true);
  expect(delivered.some(([file]) => file.endsWith('.sqlite'))).toBe(true);
  expect(ownerOnly(delivered)).toEqual([]);
});
