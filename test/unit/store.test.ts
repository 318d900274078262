import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../src/store/database.ts';
import { Inbox } from '../../src/store/inbox.ts';
import { firstStartedAt } from '../../src/store/meta.ts';
import { SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { claimPolicyAlert } from '../../src/store/policy-alerts.ts';
import { SqliteSdkStorage } from '../../src/store/sdk-storage.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

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

  it('remembers the first start and one alert per category', () => {
    const db = openDatabase(tempDir());
    expect(firstStartedAt(db, 100)).toBe(100);
    expect(firstStartedAt(db, 200)).toBe(100);
    expect(claimPolicyAlert(db, 'ipAddresses', 1)).toBe(true);
    expect(claimPolicyAlert(db, 'ipAddresses', 2)).toBe(false);
    expect(claimPolicyAlert(db, 'userAgents', 3)).toBe(true);
    db.close();
  });
});
