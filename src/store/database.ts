// Opens the bot's SQLite file and brings its schema up to date; or joins it from another process.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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

/**
 * Every store prepares its SQL where it runs it; preparing is most of the cost of a small
 * query, so each SQL text is prepared once and its statement reused (better-sqlite3 runs
 * statements synchronously, one at a time, so sharing one is safe).
 */
function reusePreparedStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const prepared = new Map<string, Database.Statement>();
  const reuse = (sql: string): Database.Statement => {
    let statement = prepared.get(sql);
    if (statement === undefined) prepared.set(sql, (statement = prepare(sql)));
    return statement;
  };
  db.prepare = reuse as Db['prepare'];
}
