// Opens the bot's SQLite file and brings its schema up to date; or joins it from another process.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { reusePreparedStatements } from '../patches/better-sqlite3.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';

export type Db = Database.Database;

export const DATABASE_FILE = 'dsar-bot.sqlite';

/** Opens (creating if needed) the database in `dataDir`, in WAL mode, migrated to the latest schema. */
export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  const file = path.join(dataDir, DATABASE_FILE);
  // Owner-only: it holds the inbox and the end-to-end encryption store. SQLite gives
  // its -wal and -shm files the database file's permissions.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  for (const extra of ['-wal', '-shm']) if (fs.existsSync(file + extra)) fs.chmodSync(file + extra, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // What the bot deletes or pseudonymises is overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  // Another process (a backup, an admin's sqlite3 shell) may hold a lock briefly.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  reusePreparedStatements(db);
  return db;
}

/** A database in memory, migrated like the file: for tests and tools that must leave nothing on disk. */
export function openMemoryDatabase(): Db {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  reusePreparedStatements(db);
  return db;
}

/**
 * Another connection to the bot's database, for a process of its own (an export process): the
 * file must exist and be migrated already (the bot did both at its start); WAL lets both write.
 */
export function joinDatabase(dataDir: string): Db {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true });
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new Error(`the bot's database is at schema version ${String(version)}, not ${SCHEMA_VERSION}`);
  }
  return db;
}
