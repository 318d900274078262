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
  // 2: delivery. Each command counts its answer attempts, so that one that can never be
  // answered is given up (failed_at, with why in a few words) and reported to the admins
  // once (failure_reported_at), not retried forever. Gaps a sync timeline left
  // (limited: true) are kept until they are read.
  (db) => {
    db.exec(`
      ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE inbox ADD COLUMN failed_at INTEGER;
      ALTER TABLE inbox ADD COLUMN failure TEXT;
      ALTER TABLE inbox ADD COLUMN failure_reported_at INTEGER;
      DROP INDEX inbox_unanswered;
      CREATE INDEX inbox_pending ON inbox (received_at) WHERE answered_at IS NULL AND failed_at IS NULL;
      -- Events a sync skipped in a room: read with /messages from from_token (moving
      -- forward page by page) up to to_token (the timeline's prev_batch; NULL: the end).
      CREATE TABLE sync_gaps (
        id          INTEGER PRIMARY KEY,
        room_id     TEXT NOT NULL,
        from_token  TEXT NOT NULL,
        to_token    TEXT,
        recorded_at INTEGER NOT NULL,
        UNIQUE (room_id, to_token)
      );
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
