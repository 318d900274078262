// Opens the bot's SQLite file and brings its schema up to date.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';

export type Db = Database.Database;

export const DATABASE_FILE = 'dsar-bot.sqlite';

/** Opens (creating if needed) the database in `dataDir`, in WAL mode, migrated to the latest schema. */
export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  // Another process (a backup, an admin's sqlite3 shell) may hold a lock briefly.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}
