// The SQLite copy of the WebAssembly engine's IndexedDB: what a committed
// transaction wrote is in SQLite before anyone hears of the commit, nothing of an
// aborted one is, and a fresh IndexedDB filled from SQLite holds the same data.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type IdbFactory, IndexedDbMirror } from '../../src/crypto/indexeddb-mirror.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function sqlite(dir?: string): { db: Db; dir: string } {
  const folder = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-mirror-'));
  if (dir === undefined) dirs.push(folder);
  const db = openDatabase(folder);
  dbs.push(db);
  return { db, dir: folder };
}

const require = createRequire(import.meta.url);

// The DOM types are not loaded here: IndexedDB objects are used untyped, as the engine does.
type Any = any;

const request = <T = Any>(r: Any): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const done = (tx: Any): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(new Error('aborted'));
  });

async function openEngineDb(factory: IdbFactory, version = 1): Promise<Any> {
  const r: Any = factory.open('store::crypto', version);
  r.onupgradeneeded = () => {
    const db = r.result;
    const sessions = db.createObjectStore('sessions', { keyPath: 'id' });
    sessions.createIndex('by_room', 'room', { unique: false });
    db.createObjectStore('core');
  };
  return request(r);
}

const rows = (db: Db) =>
  (db.prepare('SELECT store, count(*) AS n FROM crypto_idb_records GROUP BY store ORDER BY store').all() as Array<{ store: string; n: number }>).map(
    (r) => `${r.store}:${r.n}`,
  );

describe('the IndexedDB mirror', () => {
  it('has a committed transaction in SQLite before its complete event reaches the engine; restores it all', async () => {
    const { db, dir } = sqlite();
    const factory = await new IndexedDbMirror(db, 'store::').open();
    const idb = await openEngineDb(factory);
    const tx = idb.transaction(['sessions', 'core'], 'readwrite');
    for (let i = 0; i < 10; i++) tx.objectStore('sessions').put({ id: `s${i}`, room: i % 2 ? 'a' : 'b', pickle: new Uint8Array([i, 1, 2]) });
    tx.objectStore('core').put({ nested: { list: [1, 2] } }, 'account');
    tx.objectStore('core').add(true, ['tracked', '@alice:example.org']);
    const seenAtCommit = new Promise<string[]>((resolve) => tx.addEventListener('complete', () => resolve(rows(db))));
    await done(tx);
    expect(await seenAtCommit).toEqual(['core:2', 'sessions:10']);

    const tx2 = idb.transaction(['sessions', 'core'], 'readwrite');
    tx2.objectStore('sessions').delete(IDBKeyRangeBound('s2', 's5', false, true)); // s2, s3, s4
    tx2.objectStore('sessions').delete('s9');
    tx2.objectStore('core').clear();
    const cursor = await request(tx2.objectStore('sessions').index('by_room').openCursor('b'));
    cursor.update({ ...cursor.value, pickle: new Uint8Array([42]) }); // s0
    await done(tx2);

    const tx3 = idb.transaction(['sessions'], 'readwrite');
    tx3.objectStore('sessions').put({ id: 'never', room: 'a' });
    tx3.abort();
    await done(tx3).catch(() => {});
    expect(rows(db)).toEqual(['sessions:6']);
    idb.close();
    db.close();

    // A new start: a fresh IndexedDB from the same file.
    const again = sqlite(dir).db;
    const restored = await openEngineDb(await new IndexedDbMirror(again, 'store::').open());
    const read = restored.transaction(['sessions'], 'readonly').objectStore('sessions');
    const all = await request<Array<{ id: string; pickle: Uint8Array }>>(read.getAll());
    expect(all.map((s) => s.id)).toEqual(['s0', 's1', 's5', 's6', 's7', 's8']);
    expect([...all[0]!.pickle]).toEqual([42]);
    expect(await request(read.index('by_room').count('a'))).toBe(3);
    restored.close();
  });

  it('restores only its own store, and keeps schema changes of an upgrade with the upgrade', async () => {
    const { db, dir } = sqlite();
    const factory = await new IndexedDbMirror(db, 'store::').open();
    (await openEngineDb(factory)).close();
    const r: Any = factory.open('store::crypto', 2);
    r.onupgradeneeded = () => r.result.deleteObjectStore('core');
    (await request(r)).close();
    const other: Any = factory.open('other::crypto', 1);
    other.onupgradeneeded = () => other.result.createObjectStore('x');
    (await request(other)).close();
    db.close();

    const restoredFactory = await new IndexedDbMirror(sqlite(dir).db, 'store::').open();
    const reopened: Any = restoredFactory.open('store::crypto', 2);
    reopened.onupgradeneeded = () => {
      throw new Error('no upgrade expected: the version was restored');
    };
    const restored = await request(reopened);
    expect([...restored.objectStoreNames]).toEqual(['sessions']);
    restored.close();
  });
});

function IDBKeyRangeBound(lower: string, upper: string, lowerOpen: boolean, upperOpen: boolean): unknown {
  return (require('fake-indexeddb') as Any).IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen);
}
