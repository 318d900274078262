// The production dependencies exactly as the Dockerfile's build stage installs them
// (`npm ci --omit=dev`), made once per package-lock.json and kept in a cache folder outside
// the repository (~/.cache/matrix-dsar-bot/production-install/<key>/node_modules), so that
// the image-layout test pays for the install only when the lock file changes. The npm cache
// makes it work without the network once `npm ci` ran here (--prefer-offline).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'matrix-dsar-bot', 'production-install');

const KEEP_INSTALLS = 3;

/** What the install depends on: the lock file, and the platform and Node ABI that native modules are for. */
function cacheKey(): string {
  const lock = fs.readFileSync(path.join(ROOT, 'package-lock.json'));
  return createHash('sha256').update(lock).update(`${process.platform}-${process.arch}-${process.versions.modules}`).digest('hex').slice(0, 16);
}

/** Keeps the cache to the few newest installs (other branches may have other lock files). */
function forgetOldInstalls(keep: string): void {
  const installs = fs
    .readdirSync(CACHE)
    .map((name) => path.join(CACHE, name))
    .filter((dir) => dir !== keep && fs.existsSync(path.join(dir, 'node_modules')))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  for (const old of installs.slice(KEEP_INSTALLS - 1)) fs.rmSync(old, { recursive: true, force: true });
}

/** The folder holding the production node_modules for the current package-lock.json; installs it on first use. */
export function productionInstall(): { dir: string; installedNow: boolean } {
  const dir = path.join(CACHE, cacheKey());
  if (fs.existsSync(path.join(dir, 'node_modules'))) return { dir, installedNow: false };
  fs.mkdirSync(CACHE, { recursive: true });
  const staging = fs.mkdtempSync(path.join(CACHE, 'installing-'));
  try {
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, file), path.join(staging, file));
    const npm = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: staging, encoding: 'utf8' });
    if (npm.status !== 0) throw new Error(`npm ci --omit=dev failed (${npm.status ?? npm.signal}):\n${npm.stderr}`);
    // Another test run may have finished the same install meanwhile: either copy will do.
    try {
      fs.renameSync(staging, dir);
    } catch (error) {
      if (!fs.existsSync(path.join(dir, 'node_modules'))) throw error;
    }
    forgetOldInstalls(dir);
    return { dir, installedNow: true };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
