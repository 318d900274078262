// Every change the bot makes to fake-indexeddb at run time, written against 6.2.8 (pinned in
// package.json), for the IndexedDB mirror (crypto/indexeddb-mirror.ts), which keeps the
// WebAssembly engine's store durable in SQLite. Guard tests: test/patches/fake-indexeddb.test.ts.
//
// What the mirror relies on, besides the members wrapped here:
// - listeners run in the order they were added (DOM events), so a listener added to an open
//   request before the engine sets its handlers runs first, and a "complete" listener added
//   at a transaction's first write runs before the engine hears of the commit;
// - a write request's "success" event comes before its transaction's "complete";
// - IDBCursorWithValue inherits IDBCursor's update() and delete(), and every object store and
//   connection is an instance of the classes patched here.
import { createRequire } from 'node:module';
import { type Patch, replaceMethod } from './guard.ts';

// ---- the parts of the IndexedDB API used (fake-indexeddb ships DOM types the bot does not load) ----

/** A valid IndexedDB key (the mirror's key encoding: crypto/idb-key.ts). */
export type IdbKey = number | string | Date | ArrayBuffer | ArrayBufferView | IdbKey[];
export type Listener = (event: { newVersion?: number | null }) => void;
export interface EventTargetLike {
  addEventListener(type: string, listener: Listener): void;
}
export interface IdbRequest extends EventTargetLike {
  readonly result: unknown;
  readonly error: unknown;
}
export interface IdbOpenRequest extends IdbRequest {
  readonly transaction: IdbTransaction | null;
  onupgradeneeded: Listener | null;
}
export interface IdbKeyRange {
  readonly lower: IdbKey | undefined;
  readonly upper: IdbKey | undefined;
  readonly lowerOpen: boolean;
  readonly upperOpen: boolean;
}
export interface IdbIndex {
  readonly keyPath: string | string[];
  readonly unique: boolean;
  readonly multiEntry: boolean;
}
export interface IdbObjectStore {
  readonly name: string;
  readonly keyPath: string | string[] | null;
  readonly autoIncrement: boolean;
  readonly transaction: IdbTransaction;
  put(value: unknown, key?: IdbKey): IdbRequest;
  createIndex(name: string, keyPath: string | string[], options?: { unique?: boolean; multiEntry?: boolean }): IdbIndex;
}
export interface IdbTransaction extends EventTargetLike {
  readonly db: IdbDatabase;
  objectStore(name: string): IdbObjectStore;
}
export interface IdbDatabase {
  readonly name: string;
  readonly version: number;
  createObjectStore(name: string, options?: { keyPath?: string | string[] | null; autoIncrement?: boolean }): IdbObjectStore;
  transaction(stores: string[], mode: 'readwrite'): IdbTransaction;
  close(): void;
}
interface IdbCursor {
  readonly source: IdbObjectStore | { objectStore: IdbObjectStore };
  readonly primaryKey: IdbKey;
}
export interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest;
}

// biome-ignore lint/suspicious/noExplicitAny: the module's classes, reached by name to wrap their prototypes' methods.
type FakeIndexedDb = Record<string, any> & {
  IDBFactory: new () => IdbFactory;
  IDBKeyRange: (new () => IdbKeyRange) & { bound(lower: IdbKey, upper: IdbKey, lowerOpen?: boolean, upperOpen?: boolean): IdbKeyRange };
};

const require = createRequire(import.meta.url);
export const fakeIndexedDb = (): FakeIndexedDb => require('fake-indexeddb') as FakeIndexedDb;

const library = 'fake-indexeddb';
const version = '6.2.8';

/** The members wrapped to record writes, by class, with the arity each had when the patch was written. */
export const RECORDED_MEMBERS = {
  IDBObjectStore: { put: 2, add: 2, delete: 1, clear: 0, createIndex: 2, deleteIndex: 1 },
  IDBCursor: { update: 1, delete: 0 },
  IDBDatabase: { createObjectStore: 1, deleteObjectStore: 1 },
} as const;

const WRITE_RECORDERS: Patch = {
  library,
  version,
  member:
    'IDBObjectStore.prototype.{put,add,delete,clear,createIndex,deleteIndex}, ' +
    'IDBCursor.prototype.{update,delete}, IDBDatabase.prototype.{createObjectStore,deleteObjectStore}',
  why: 'fake-indexeddb keeps everything in memory; every write is recorded so that the mirror can apply a committed transaction to SQLite',
};
const OPEN_LISTENERS_FIRST: Patch = {
  library,
  version,
  member: 'IDBFactory#open (of the factories the mirror makes)',
  why: 'the mirror must see a connection (and its upgrade transaction) before the engine acts on it',
};
const INDEXEDDB_GLOBALS: Patch = {
  library,
  version,
  member: 'globalThis.indexedDB and globalThis.IDB*',
  why: 'the WebAssembly engine looks IndexedDB up in the globals, which Node does not have',
};

export const FAKE_INDEXEDDB_PATCHES: readonly Patch[] = [WRITE_RECORDERS, OPEN_LISTENERS_FIRST, INDEXEDDB_GLOBALS];

/** What is told of each write, on any connection of any factory (the recorder picks the ones it mirrors). */
export type WriteRecorder = {
  /** put, add, or a cursor's update; the key is known once the request succeeded. */
  put(store: IdbObjectStore, request: IdbRequest, value: unknown): void;
  /** A store's delete (a key or a key range), or a cursor's delete (its primary key). */
  delete(store: IdbObjectStore, key: IdbKey | IdbKeyRange): void;
  clear(store: IdbObjectStore): void;
  createObjectStore(db: IdbDatabase, store: IdbObjectStore, name: string): void;
  deleteObjectStore(db: IdbDatabase, name: string): void;
  createIndex(store: IdbObjectStore, index: IdbIndex, name: string): void;
  deleteIndex(store: IdbObjectStore, name: string): void;
};

let recorder: WriteRecorder | null = null;

/** Wraps fake-indexeddb's write methods, once per process: each call is passed on, then told to `write`. */
export function recordWrites(write: WriteRecorder): void {
  if (recorder !== null) {
    if (recorder !== write) throw new Error('fake-indexeddb writes are already recorded by another recorder');
    return;
  }
  recorder = write;
  const fake = fakeIndexedDb();
  // biome-ignore lint/suspicious/noExplicitAny: each wrapped method's receiver, result and arguments, typed by the interfaces above where `after` reads them.
  const wrap = (cls: keyof typeof RECORDED_MEMBERS, name: string, after: (self: any, result: any, args: any[]) => void): void => {
    const arity = (RECORDED_MEMBERS[cls] as Record<string, number>)[name];
    replaceMethod<(...args: unknown[]) => unknown>(
      fake[cls].prototype,
      name,
      WRITE_RECORDERS,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const result = original.apply(this, args);
          after(this, result, args);
          return result;
        },
      arity,
    );
  };
  const cursorStore = (cursor: IdbCursor): IdbObjectStore => ('objectStore' in cursor.source ? cursor.source.objectStore : cursor.source);
  wrap('IDBObjectStore', 'put', (store, request, [value]) => write.put(store, request, value));
  wrap('IDBObjectStore', 'add', (store, request, [value]) => write.put(store, request, value));
  wrap('IDBObjectStore', 'delete', (store, _request, [key]) => write.delete(store, key));
  wrap('IDBObjectStore', 'clear', (store) => write.clear(store));
  wrap('IDBCursor', 'update', (cursor, request, [value]) => write.put(cursorStore(cursor), request, value));
  wrap('IDBCursor', 'delete', (cursor: IdbCursor) => write.delete(cursorStore(cursor), cursor.primaryKey));
  wrap('IDBDatabase', 'createObjectStore', (db, store, [name]) => write.createObjectStore(db, store, String(name)));
  wrap('IDBDatabase', 'deleteObjectStore', (db, _result, [name]) => write.deleteObjectStore(db, String(name)));
  wrap('IDBObjectStore', 'createIndex', (store, index, [name]) => write.createIndex(store, index, String(name)));
  wrap('IDBObjectStore', 'deleteIndex', (store, _result, [name]) => write.deleteIndex(store, String(name)));
}

/** A new, empty in-memory IndexedDB. */
export const newIndexedDb = (): IdbFactory => new (fakeIndexedDb().IDBFactory)();

export const isKeyRange = (key: unknown): key is IdbKeyRange => key instanceof fakeIndexedDb().IDBKeyRange;

/** Every open request of `factory` gets these listeners before its caller can add any. */
export function listenFirst(
  factory: IdbFactory,
  listeners: { upgradeneeded(request: IdbOpenRequest, event: { newVersion?: number | null }): void; success(request: IdbOpenRequest): void },
): void {
  replaceMethod<IdbFactory['open']>(
    factory,
    'open',
    OPEN_LISTENERS_FIRST,
    (open) => (name: string, version?: number) => {
      const request = version === undefined ? open.call(factory, name) : open.call(factory, name, version);
      request.addEventListener('upgradeneeded', (event) => listeners.upgradeneeded(request, event));
      request.addEventListener('success', () => listeners.success(request));
      return request;
    },
    2,
  );
}

/** Makes `factory` the IndexedDB the WebAssembly engine finds (it looks up the globals). */
export function installIndexedDbGlobals(factory: IdbFactory): void {
  for (const [name, value] of Object.entries(fakeIndexedDb())) if (name.startsWith('IDB')) Reflect.set(globalThis, name, value);
  Reflect.set(globalThis, 'indexedDB', factory);
}
