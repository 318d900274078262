// Schema migrations, numbered by SQLite's user_version (as Draupnir does).
// Append new migrations; never edit one that has shipped.
// The connection's type comes from the library, not database.ts: that file runs these.
import type Database from 'better-sqlite3';

type Db = Database.Database;

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
  // 3: the request lifecycle (src/requests), its audit trail, background jobs,
  // escalations and the mail outbox. No message text is ever stored here.
  (db) => {
    db.exec(`
      -- One row per data-subject request. user_id and room_id name a person: they are
      -- replaced by a keyed pseudonym once the request is closed and its retention ends.
      CREATE TABLE requests (
        id               TEXT PRIMARY KEY,          -- R-7K3Q
        kind             TEXT NOT NULL,
        state            TEXT NOT NULL,
        user_id          TEXT NOT NULL,
        room_id          TEXT,                      -- the requester's direct chat, where answers go
        source_event_id  TEXT UNIQUE,               -- the command that opened it: opening twice is a no-op
        entered_by       TEXT,                      -- an admin who entered it (a request by email or post)
        received_at      INTEGER NOT NULL,
        due_at           INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        closed_at        INTEGER,
        extended_at      INTEGER,
        extension_reason TEXT,
        decided_by       TEXT,
        decision_reason  TEXT,
        detail           TEXT NOT NULL DEFAULT '{}', -- kind-specific JSON, checked by zod
        pseudonymised_at INTEGER
      );
      CREATE INDEX requests_open ON requests (due_at) WHERE closed_at IS NULL;
      CREATE INDEX requests_user ON requests (user_id);

      -- Append-only: every transition and decision. Each entry carries the SHA-256 of the
      -- one before it. The data subject appears only as a keyed pseudonym, so that the
      -- chain still verifies after a closed request has been pseudonymised.
      CREATE TABLE audit_log (
        seq        INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        request_id TEXT,
        actor      TEXT NOT NULL,
        action     TEXT NOT NULL,
        detail     TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
      );
      CREATE INDEX audit_request ON audit_log (request_id, seq);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

      -- Background work that belongs to a request (exports, erasures).
      CREATE TABLE jobs (
        request_id      TEXT PRIMARY KEY REFERENCES requests (id),
        kind            TEXT NOT NULL,
        state           TEXT NOT NULL,              -- queued | running | done | failed | cancelled
        queued_at       INTEGER NOT NULL,
        not_before      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        started_at      INTEGER,
        finished_at     INTEGER,
        interrupted     INTEGER NOT NULL DEFAULT 0, -- was running when the bot stopped
        delay_told      INTEGER NOT NULL DEFAULT 0, -- the owner was told about the delay
        progress        TEXT,                       -- JSON, for the owner's progress message
        progress_event  TEXT,                       -- the message edited in place
        checkpoint      TEXT,                       -- JSON the job keeps to resume
        error           TEXT                        -- a short description, never personal data
      );
      CREATE INDEX jobs_queue ON jobs (kind, state, queued_at);

      -- Each escalation fires once per request and trigger, however often it is checked.
      CREATE TABLE escalations (
        request_id TEXT NOT NULL,
        trigger    TEXT NOT NULL,
        at         INTEGER NOT NULL,
        PRIMARY KEY (request_id, trigger)
      );

      -- Mail waiting to be sent, retried with backoff. The body is cleared once sent.
      CREATE TABLE outbox (
        key             TEXT PRIMARY KEY,
        to_address      TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        sent_at         INTEGER,
        failed_at       INTEGER,
        last_error      TEXT
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
    `);
  },
  // 4: the steps of an erasure, each recorded before and after it runs, so that a restart
  // resumes at the step it stopped in and never repeats a finished one.
  (db) => {
    db.exec(`
      CREATE TABLE erasure_steps (
        request_id  TEXT NOT NULL REFERENCES requests (id),
        step        TEXT NOT NULL,
        state       TEXT NOT NULL,   -- started | done
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        attempts    INTEGER NOT NULL DEFAULT 1,
        result      TEXT,            -- JSON counts, never content
        PRIMARY KEY (request_id, step)
      );
    `);
  },
  // 5: the bot's login-as sessions, so that none outlives its job, a crash included.
  (db) => {
    db.exec(`
      -- Login-as ("puppet") sessions the bot has begun and not yet ended: written before the
      -- login, removed once the session is gone (on Tuwunel each one is a device the user
      -- sees), so that one a crash left behind is removed at the next start. Never a token.
      CREATE TABLE puppet_sessions (
        id         INTEGER PRIMARY KEY,
        user_id    TEXT NOT NULL,
        device_id  TEXT,
        created_at INTEGER NOT NULL
      );
    `);
  },
  // 6: delivery. Each command counts its answer attempts, so that one that can never be
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
  // 7: exports. What the bot must remember about a made package until its download window
  // ends: when that is, and the uploads (the bot's own, mxc://) to delete then. Linked to the
  // request only; who asked, and for what, is in the request.
  (db) => {
    db.exec(`
      CREATE TABLE exports (
        request_id   TEXT PRIMARY KEY REFERENCES requests (id),
        made_at      INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        delivered_at INTEGER,
        expired_at   INTEGER
      );
      CREATE INDEX exports_due ON exports (expires_at) WHERE expired_at IS NULL;
      -- One row per part, written as soon as its upload exists (so that expiry finds it after any
      -- crash), completed with the event that delivered it (so that a restart never sends it again).
      CREATE TABLE export_uploads (
        request_id TEXT NOT NULL REFERENCES exports (request_id),
        part       INTEGER NOT NULL,
        uri        TEXT NOT NULL,
        event_id   TEXT,
        PRIMARY KEY (request_id, part)
      );
    `);
  },
  // 8: export packages are made in processes of their own (export/process/export-process.ts), which
  // open login-as sessions too. Each session names the process that opened it, so that the bot
  // can end those of one that died without waiting for its own next start.
  (db) => {
    db.exec(`
      -- NULL: the bot itself; else e.g. "export:<request ID>".
      ALTER TABLE puppet_sessions ADD COLUMN owner TEXT;
    `);
  },
];

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
