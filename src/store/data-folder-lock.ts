// One bot per data folder. Two bots on one folder would both answer every command and write
// the same inbox and encryption store. The lock is SQLite's own: a small database in the
// folder, opened in exclusive locking mode and written once, so that the connection holds an
// exclusive POSIX lock on it until it is closed. The kernel drops that lock when the process
// ends, however it ends (SIGKILL, out of memory, a power cut), so a lock can never go stale:
// no PID to check (meaningless across containers sharing a volume), no timestamps to renew.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../startup-error.ts';

const LOCK_FILE = 'dsar-bot.lock';

export type DataFolderLock = { release(): void };

export class DataFolderInUseError extends StartupError {
  constructor(dataDir: string) {
    super(
      `another bot is running on the data folder ${dataDir}: it holds ${path.join(dataDir, LOCK_FILE)}. ` +
        'Two bots on one data folder would answer every command twice and damage its inbox and encryption store, so this one stops here. ' +
        'Stop the other one first (a second container, service or terminal); to run two bots, give each its own data folder and its own login.',
    );
  }
}

const isBusy = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

/** Takes the data folder's lock for as long as this process runs (or until `release`); refuses if another holds it. */
export function lockDataFolder(dataDir: string): DataFolderLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  // No waiting: a lock that is held stays held for the other bot's whole life.
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY'); // nothing in it is worth a journal file beside it
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, new Date().toISOString());
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    throw isBusy(error) ? new DataFolderInUseError(dataDir) : error;
  }
  return { release: () => void (db.open && db.close()) };
}
