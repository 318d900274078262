// Schema migrations, numbered by SQLite's user_version (as Draupnir does).
// Append new migrations; never edit one that has shipped.
import type { Db } from './database.ts';

/** Each entry moves the schema from version i to i + 1. */
const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  // 1: what the bot needs to run: its own bookkeeping, the sync position, the inbox.
  (db) => {
    db.exec(`
      -- Small facts about this installation, e.g. when the bot first started.
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      -- matrix-bot-sdk's own storage: the sync token, its filter, its key-value pairs.
      CREATE TABLE sdk_storage (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      -- Every command the bot has accepted, by event ID, so that after a restart
      -- none is answered twice and none is lost. No message text is kept: only the
      -- command word. Rows are purged a while after they are answered.
      CREATE TABLE inbox (
        event_id    TEXT PRIMARY KEY,
        room_id     TEXT NOT NULL,
        sender      TEXT NOT NULL,
        command     TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        answered_at INTEGER
      );
      CREATE INDEX inbox_unanswered ON inbox (received_at) WHERE answered_at IS NULL;
      -- Categories for which the admins were told that the server and the policy
      -- disagree: one alert per category, ever, not one per user.
      CREATE TABLE policy_alerts (
        category   TEXT PRIMARY KEY,
        alerted_at INTEGER NOT NULL
      );
    `);
  },
  // 2: the end-to-end encryption store of the WebAssembly engine. The engine keeps
  // its state in IndexedDB (in memory here); every committed IndexedDB transaction
  // is copied into these rows in one SQLite transaction, and they fill a fresh
  // IndexedDB at the next start. Values are the engine's own records, encrypted by
  // it with a key derived from DSAR_BOT_CRYPTO_PASSPHRASE (salt in meta).
  (db) => {
    db.exec(`
      -- One row per IndexedDB database: its version and its object stores and indexes (JSON).
      CREATE TABLE crypto_idb_databases (
        name    TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        schema  TEXT NOT NULL
      );
      -- One row per IndexedDB record. key: the IndexedDB key in an encoding whose byte
      -- order is IndexedDB's key order; value: the structured clone (v8 serialization).
      CREATE TABLE crypto_idb_records (
        db    TEXT NOT NULL,
        store TEXT NOT NULL,
        key   BLOB NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (db, store, key)
      ) WITHOUT ROWID;
    `);
  },
];

// Next (the request lifecycle and its audit trail), as new migrations:
//   requests  (id, user_id, kind: access | export | erasure | contact, state, room_id,
//              created_at, due_at, updated_at, closed_at, detail JSON checked by zod)
//   audit_log (id, request_id, at, actor, action, detail JSON): append-only, who decided what
// keeping only what a request needs, purged when the request is done and its retention ends.

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database schema is version ${current}, newer than this bot understands (${SCHEMA_VERSION}). ` +
        'Run a newer version of the bot, or restore a backup.',
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version]!;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
