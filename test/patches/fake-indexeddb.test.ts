// Guard tests for src/patches/fake-indexeddb.ts: the members it wraps, the prototype chain it
// counts on, and the order of events the IndexedDB mirror relies on (fake-indexeddb 6.2.8).
// The first test looks at the members before anything in this process wraps them.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FAKE_INDEXEDDB_PATCHES,
  fakeIndexedDb,
  type IdbFactory,
  installIndexedDbGlobals,
  isKeyRange,
  listenFirst,
  newIndexedDb,
  RECORDED_MEMBERS,
  recordWrites,
  type WriteRecorder,
} from '../../src/patches/fake-indexeddb.ts';
import { installedVersion, PatchTargetChanged } from '../../src/patches/guard.ts';

// The DOM types are not loaded here: IndexedDB objects are used untyped, as the engine does.
type Any = any;

const fake = fakeIndexedDb();
const request = <T = Any>(r: Any): Promise<T> =>
  new Promise((resolve, reject) => {
    r.addEventListener('success', () => resolve(r.result));
    r.addEventListener('error', () => reject(r.error));
  });
const committed = (tx: Any): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.addEventListener('complete', () => resolve());
    tx.addEventListener('abort', () => reject(new Error('aborted')));
  });

async function openWithStore(factory: IdbFactory, name = 'db'): Promise<Any> {
  const r: Any = factory.open(name, 1);
  r.onupgradeneeded = () => {
    const store = r.result.createObjectStore('things', { keyPath: 'id' });
    store.createIndex('by_kind', 'kind');
    r.result.createObjectStore('loose');
  };
  return request(r);
}

describe('the patches to fake-indexeddb', () => {
  it('wrap members that are functions of the arity they were written for', () => {
    for (const [cls, members] of Object.entries(RECORDED_MEMBERS)) {
      for (const [name, arity] of Object.entries(members)) {
        const member = fake[cls].prototype[name];
        expect(typeof member, `${cls}.${name}`).toBe('function');
        expect(member.length, `${cls}.${name}`).toBe(arity);
      }
    }
    expect(fake.IDBFactory.prototype.open.length).toBe(2);
  });

  it('are written against the installed version, which package.json pins exactly', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    for (const patch of FAKE_INDEXEDDB_PATCHES) {
      expect(patch.version).toBe(installedVersion('fake-indexeddb'));
      expect(pkg.dependencies['fake-indexeddb']).toBe(patch.version);
    }
  });

  it('count on the prototype chain: cursors with values inherit IDBCursor, and stores and connections are instances of the wrapped classes', async () => {
    expect(Object.getPrototypeOf(fake.IDBCursorWithValue.prototype)).toBe(fake.IDBCursor.prototype);
    for (const name of ['update', 'delete']) expect(Object.hasOwn(fake.IDBCursorWithValue.prototype, name)).toBe(false);
    const db = await openWithStore(newIndexedDb());
    expect(Object.getPrototypeOf(db)).toBe(fake.IDBDatabase.prototype);
    const tx = db.transaction(['things'], 'readwrite');
    const store = tx.objectStore('things');
    expect(Object.getPrototypeOf(store)).toBe(fake.IDBObjectStore.prototype);
    store.put({ id: 'a', kind: 'x' });
    const cursor = await request(store.index('by_kind').openCursor());
    expect(cursor).toBeInstanceOf(fake.IDBCursorWithValue);
    // A cursor over an index names its store through the index.
    expect(cursor.source.objectStore).toBe(store);
    await committed(tx);
    db.close();
  });

  it('count on the order of events: first listener first, a write succeeds before its transaction completes, the commit before the engine resumes', async () => {
    const factory = newIndexedDb();
    const order: string[] = [];
    const r: Any = factory.open('ordered', 1);
    r.addEventListener('upgradeneeded', () => order.push('first upgradeneeded listener'));
    r.addEventListener('success', () => order.push('first success listener'));
    r.onupgradeneeded = () => {
      order.push('engine upgradeneeded');
      r.result.createObjectStore('s');
    };
    const db = await request(r).then((value) => {
      order.push('engine has the connection');
      return value;
    });
    const tx = db.transaction(['s'], 'readwrite');
    const put = tx.objectStore('s').put('v', 'k');
    put.addEventListener('success', () => order.push('write succeeded'));
    tx.addEventListener('complete', () => order.push('mirror commits'));
    await committed(tx);
    order.push('engine resumes');
    expect(order).toEqual([
      'first upgradeneeded listener',
      'engine upgradeneeded',
      'first success listener',
      'engine has the connection',
      'write succeeded',
      'mirror commits',
      'engine resumes',
    ]);
    db.close();
  });

  it('patched, every write is told to the recorder, and the wrapped methods still do what they did', async () => {
    const seen: string[] = [];
    const recorder: WriteRecorder = {
      put: (store, req, value) => {
        seen.push(`put ${store.name} ${JSON.stringify(value)}`);
        req.addEventListener('success', () => seen.push(`key ${JSON.stringify(req.result)}`));
      },
      delete: (store, key) => seen.push(`delete ${store.name} ${isKeyRange(key) ? `range ${JSON.stringify([key.lower, key.upper])}` : JSON.stringify(key)}`),
      clear: (store) => seen.push(`clear ${store.name}`),
      createObjectStore: (_db, store, name) => seen.push(`create store ${name} keyPath ${JSON.stringify(store.keyPath)}`),
      deleteObjectStore: (_db, name) => seen.push(`delete store ${name}`),
      createIndex: (store, index, name) => seen.push(`create index ${store.name}.${name} on ${JSON.stringify(index.keyPath)}`),
      deleteIndex: (store, name) => seen.push(`delete index ${store.name}.${name}`),
    };
    recordWrites(recorder);
    recordWrites(recorder); // once per process
    expect(() => recordWrites({ ...recorder })).toThrow(/already recorded/);
    const db = await openWithStore(newIndexedDb(), 'recorded');
    const tx = db.transaction(['things', 'loose'], 'readwrite');
    const things = tx.objectStore('things');
    things.put({ id: 'a', kind: 'x' });
    things.add({ id: 'b', kind: 'y' });
    tx.objectStore('loose').put(42, ['k', 1]);
    things.delete(fake.IDBKeyRange.bound('a', 'b'));
    tx.objectStore('loose').clear();
    await committed(tx);
    const tx2 = db.transaction(['things'], 'readwrite');
    tx2.objectStore('things').put({ id: 'c', kind: 'z' });
    const cursor = await request(tx2.objectStore('things').openCursor());
    cursor.update({ id: 'c', kind: 'zz' });
    cursor.delete();
    await committed(tx2);
    expect(await request(db.transaction(['things'], 'readwrite').objectStore('things').count())).toBe(0);
    db.close();
    expect(seen).toEqual([
      'create store things keyPath "id"',
      'create index things.by_kind on "kind"',
      'create store loose keyPath null',
      'put things {"id":"a","kind":"x"}',
      'put things {"id":"b","kind":"y"}',
      'put loose 42',
      'delete things range ["a","b"]',
      'clear loose',
      'key "a"',
      'key "b"',
      'key ["k",1]',
      'put things {"id":"c","kind":"z"}',
      'key "c"',
      'put things {"id":"c","kind":"zz"}',
      'delete things "c"',
      'key "c"',
    ]);
  });

  it('listenFirst runs its listeners before the caller’s, and refuses a factory whose open() changed', async () => {
    const factory = newIndexedDb();
    const order: string[] = [];
    listenFirst(factory, { upgradeneeded: () => order.push('mirror: upgrade'), success: () => order.push('mirror: open') });
    const r: Any = factory.open('first', 1);
    r.onupgradeneeded = () => order.push('engine: upgrade');
    (await request(r)).close();
    expect(order).toEqual(['mirror: upgrade', 'engine: upgrade', 'mirror: open']);
    expect(() => listenFirst({ open: (name: string) => name } as unknown as IdbFactory, { upgradeneeded: () => {}, success: () => {} })).toThrow(
      PatchTargetChanged,
    );
  });

  it('installs the factory and the IDB classes as the globals the engine looks up', () => {
    const factory = newIndexedDb();
    installIndexedDbGlobals(factory);
    expect(Reflect.get(globalThis, 'indexedDB')).toBe(factory);
    expect(Reflect.get(globalThis, 'IDBKeyRange')).toBe(fake.IDBKeyRange);
    expect(Reflect.get(globalThis, 'IDBObjectStore')).toBe(fake.IDBObjectStore);
  });
});
