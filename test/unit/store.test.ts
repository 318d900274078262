import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../src/store/database.ts';
import { Inbox } from '../../src/store/inbox.ts';
import { firstStartedAt, readMeta, writeMeta } from '../../src/store/meta.ts';
import { SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { claimPolicyAlert, releasePolicyAlert } from '../../src/store/policy-alerts.ts';
import { SqliteSdkStorage } from '../../src/store/sdk-storage.ts';
import { SyncGaps } from '../../src/store/sync-gaps.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite store', () => {
  it('creates a WAL database at the latest schema version, and reopening keeps the data', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    new SqliteSdkStorage(db).setSyncToken('s42');
    db.close();
    const again = openDatabase(dir);
    expect(new SqliteSdkStorage(again).getSyncToken()).toBe('s42');
    again.close();
  });

  it('refuses a database from a newer version of the bot', () => {
    const dir = tempDir();
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(/newer than this bot understands/);
  });

  it('keeps the SDK filter and values', () => {
    const db = openDatabase(tempDir());
    const storage = new SqliteSdkStorage(db);
    expect(storage.getFilter()).toBeNull();
    storage.setFilter({ id: 7, filter: { room: {} } });
    storage.storeValue('k', 'v');
    expect(storage.getFilter()).toEqual({ id: 7, filter: { room: {} } });
    expect(storage.readValue('k')).toBe('v');
    expect(storage.readValue('missing')).toBeNull();
    storage.setSyncToken(null);
    expect(storage.getSyncToken()).toBeNull();
    db.close();
  });

  it('accepts a command once, lists it until answered, then forgets who asked', () => {
    const db = openDatabase(tempDir());
    const inbox = new Inbox(db);
    const entry = { eventId: '$1', roomId: '!r:x', sender: '@a:x', command: '!help', receivedAt: 10 };
    expect(inbox.accept(entry)).toBe(true);
    expect(inbox.accept(entry)).toBe(false);
    expect(inbox.unanswered()).toEqual([entry]);
    inbox.markAnswered('$1', 20);
    expect(inbox.unanswered()).toEqual([]);
    expect(inbox.accept(entry)).toBe(false);
    expect(db.prepare('SELECT sender, room_id FROM inbox').get()).toEqual({ sender: '', room_id: '' });
    expect(inbox.purgeAnsweredBefore(21)).toBe(1);
    db.close();
  });

  it('remembers the first start, other facts, and one alert per category unless released', () => {
    const db = openDatabase(tempDir());
    expect(firstStartedAt(db, 100)).toBe(100);
    expect(firstStartedAt(db, 200)).toBe(100);
    expect(readMeta(db, 'server_notes_digest')).toBeNull();
    writeMeta(db, 'server_notes_digest', 'a');
    writeMeta(db, 'server_notes_digest', 'b');
    expect(readMeta(db, 'server_notes_digest')).toBe('b');
    expect(claimPolicyAlert(db, 'ipAddresses', 1)).toBe(true);
    expect(claimPolicyAlert(db, 'ipAddresses', 2)).toBe(false);
    expect(claimPolicyAlert(db, 'userAgents', 3)).toBe(true);
    releasePolicyAlert(db, 'ipAddresses');
    expect(claimPolicyAlert(db, 'ipAddresses', 4)).toBe(true);
    db.close();
  });

  it('counts attempts across reopenings; a given-up command is never listed again, and is reported once', () => {
    const dir = tempDir();
    let db = openDatabase(dir);
    const entry = { eventId: '$1', roomId: '!r:x', sender: '@a:x', command: '!help', receivedAt: 10 };
    new Inbox(db).accept(entry);
    expect(new Inbox(db).startAttempt('$1')).toBe(1);
    db.close();
    db = openDatabase(dir);
    const inbox = new Inbox(db);
    expect(inbox.startAttempt('$1')).toBe(2);
    inbox.markFailed('$1', 30, 'the homeserver failed or did not answer');
    expect(inbox.unanswered()).toEqual([]);
    expect(inbox.accept(entry)).toBe(false);
    expect(inbox.failedUnreported()).toEqual([{ ...entry, failure: 'the homeserver failed or did not answer' }]);
    inbox.markFailureReported('$1', 40);
    expect(inbox.failedUnreported()).toEqual([]);
    expect(db.prepare('SELECT sender, room_id, attempts FROM inbox').get()).toEqual({ sender: '', room_id: '', attempts: 2 });
    // Remembered for a while to refuse a duplicate, then purged like an answered one.
    expect(inbox.purgeAnsweredBefore(40)).toBe(0);
    expect(inbox.purgeAnsweredBefore(41)).toBe(1);
    db.close();
  });

  it('keeps sync gaps until closed, once per room and end, with their progress', () => {
    const db = openDatabase(tempDir());
    const gaps = new SyncGaps(db);
    gaps.record(
      [
        { roomId: '!a:x', from: 's1', to: 's9' },
        { roomId: '!b:x', from: 's1', to: null },
      ],
      5,
    );
    gaps.record([{ roomId: '!a:x', from: 's1', to: 's9' }], 6); // the same sync again, after a crash
    const [a, b] = gaps.open();
    expect(gaps.open()).toHaveLength(2);
    expect(a).toMatchObject({ roomId: '!a:x', from: 's1', to: 's9' });
    expect(b).toMatchObject({ roomId: '!b:x', to: null });
    gaps.advance(a!.id, 't5');
    expect(gaps.open()[0]).toMatchObject({ from: 't5' });
    gaps.close(a!.id);
    expect(gaps.open().map((gap) => gap.roomId)).toEqual(['!b:x']);
    db.close();
  });

  it('migrates a version-1 database with its inbox intact', () => {
    const dir = tempDir();
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE sdk_storage (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE inbox (event_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, sender TEXT NOT NULL, command TEXT NOT NULL, received_at INTEGER NOT NULL, answered_at INTEGER);
      CREATE INDEX inbox_unanswered ON inbox (received_at) WHERE answered_at IS NULL;
      CREATE TABLE policy_alerts (category TEXT PRIMARY KEY, alerted_at INTEGER NOT NULL);
      INSERT INTO inbox VALUES ('$old', '!r:x', '@a:x', '!help', 1, NULL);`);
    raw.pragma('user_version = 1');
    raw.close();
    const db = openDatabase(dir);
    const inbox = new Inbox(db);
    expect(inbox.unanswered()).toEqual([{ eventId: '$old', roomId: '!r:x', sender: '@a:x', command: '!help', receivedAt: 1 }]);
    expect(inbox.startAttempt('$old')).toBe(1);
    db.close();
  });
});
