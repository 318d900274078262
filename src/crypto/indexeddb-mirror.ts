// The WebAssembly crypto engine keeps its state in IndexedDB, which Node has only
// as fake-indexeddb: in memory, gone at the next start. This file makes it durable.
//
// Every write to an IndexedDB object store (put, add, delete, clear, a cursor's
// update or delete) and every schema change is recorded with its transaction. When
// the transaction commits — in its "complete" event, before the engine's promise
// resumes — the recorded operations are applied to SQLite rows in ONE synchronous
// SQLite transaction. So a change the engine made is on disk before the engine can
// act on it (send the keys/upload, keys/claim, to-device or room message it
// produced), and a kill at any moment leaves SQLite at a committed IndexedDB state.
// At start-up, a fresh in-memory IndexedDB is filled from those rows. How fake-indexeddb is
// reached into (and what of its behaviour this relies on): patches/fake-indexeddb.ts.
import v8 from 'node:v8';
import { z } from 'zod';
import {
  type IdbDatabase,
  type IdbFactory,
  type IdbKey,
  type IdbKeyRange,
  type IdbTransaction,
  isKeyRange,
  listenFirst,
  newIndexedDb,
  recordWrites,
  type WriteRecorder,
} from '../patches/fake-indexeddb.ts';
import type { Db } from '../store/database.ts';
import { decodeIdbKey, encodeIdbKey } from './idb-key.ts';

export type { IdbFactory };

// ---- what is recorded ----

const IndexSchema = z.object({ keyPath: z.union([z.string(), z.array(z.string())]), unique: z.boolean(), multiEntry: z.boolean() });
const StoreSchema = z.object({
  keyPath: z.union([z.string(), z.array(z.string())]).nullable(),
  autoIncrement: z.boolean(),
  indexes: z.record(z.string(), IndexSchema),
});
const DatabaseSchema = z.record(z.string(), StoreSchema);
type DatabaseSchema = z.infer<typeof DatabaseSchema>;

type Operation =
  | { kind: 'put'; store: string; key: IdbKey | undefined; value: Buffer }
  | { kind: 'delete'; store: string; key: IdbKey | IdbKeyRange }
  | { kind: 'clear'; store: string }
  | { kind: 'createStore'; store: string; keyPath: string | string[] | null; autoIncrement: boolean }
  | { kind: 'deleteStore'; store: string }
  | { kind: 'createIndex'; store: string; index: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }
  | { kind: 'deleteIndex'; store: string; index: string };

/** The writes of one IndexedDB transaction, applied to SQLite when it commits. */
type Pending = { db: IdbDatabase; operations: Operation[]; version: number | null };

/** Which mirror records a connection's writes (connections of other factories: none). */
const mirrorOf = new WeakMap<IdbDatabase, IndexedDbMirror>();
/** A connection's running versionchange transaction, for schema changes made on the connection. */
const upgradeOf = new WeakMap<IdbDatabase, IdbTransaction>();
const pendingOf = new WeakMap<IdbTransaction, Pending>();

/** The pending writes of a transaction on a mirrored connection; undefined for other connections. */
function pendingFor(transaction: IdbTransaction): Pending | undefined {
  const mirror = mirrorOf.get(transaction.db);
  if (mirror === undefined) return undefined;
  let pending = pendingOf.get(transaction);
  if (pending === undefined) {
    const created: Pending = { db: transaction.db, operations: [], version: null };
    pending = created;
    pendingOf.set(transaction, created);
    // Registered before the engine awaits the transaction, so it runs first.
    transaction.addEventListener('complete', () => mirror.commit(created));
  }
  return pending;
}

function record(transaction: IdbTransaction, operation: Operation): void {
  pendingFor(transaction)?.operations.push(operation);
}

/** What each write means for the mirror: an operation of its transaction, on connections a mirror opened (others: none). */
const recorder: WriteRecorder = {
  put: (store, request, value) => {
    if (!mirrorOf.has(store.transaction.db)) return;
    const operation: Operation = { kind: 'put', store: store.name, key: undefined, value: v8.serialize(value) };
    // The key is known once the request ran (key generators, inline key paths).
    request.addEventListener('success', () => (operation.key = request.result as IdbKey));
    record(store.transaction, operation);
  },
  delete: (store, key) => record(store.transaction, { kind: 'delete', store: store.name, key }),
  clear: (store) => record(store.transaction, { kind: 'clear', store: store.name }),
  // Schema changes happen in the versionchange transaction of the connection.
  createObjectStore: (db, store, name) => inUpgrade(db, { kind: 'createStore', store: name, keyPath: store.keyPath, autoIncrement: store.autoIncrement }),
  deleteObjectStore: (db, name) => inUpgrade(db, { kind: 'deleteStore', store: name }),
  createIndex: (store, index, name) =>
    inUpgrade(store.transaction.db, {
      kind: 'createIndex',
      store: store.name,
      index: name,
      keyPath: index.keyPath,
      unique: index.unique,
      multiEntry: index.multiEntry,
    }),
  deleteIndex: (store, name) => inUpgrade(store.transaction.db, { kind: 'deleteIndex', store: store.name, index: name }),
};

function inUpgrade(db: IdbDatabase, operation: Operation): void {
  const transaction = upgradeOf.get(db);
  if (transaction !== undefined) record(transaction, operation);
}

// ---- SQLite side ----

function applySchemaChange(schema: DatabaseSchema, operation: Operation): void {
  switch (operation.kind) {
    case 'createStore':
      schema[operation.store] = { keyPath: operation.keyPath, autoIncrement: operation.autoIncrement, indexes: {} };
      break;
    case 'deleteStore':
      delete schema[operation.store];
      break;
    case 'createIndex': {
      const store = schema[operation.store];
      if (store) store.indexes[operation.index] = { keyPath: operation.keyPath, unique: operation.unique, multiEntry: operation.multiEntry };
      break;
    }
    case 'deleteIndex':
      delete schema[operation.store]?.indexes[operation.index];
      break;
    default:
  }
}

/** SQL condition and parameters for a key or key range (BLOB order is key order, see idb-key.ts). */
function keyCondition(key: IdbKey | IdbKeyRange): { sql: string; params: Buffer[] } {
  if (!isKeyRange(key)) return { sql: 'key = ?', params: [encodeIdbKey(key)] };
  const parts: string[] = [];
  const params: Buffer[] = [];
  if (key.lower !== undefined) {
    parts.push(key.lowerOpen ? 'key > ?' : 'key >= ?');
    params.push(encodeIdbKey(key.lower));
  }
  if (key.upper !== undefined) {
    parts.push(key.upperOpen ? 'key < ?' : 'key <= ?');
    params.push(encodeIdbKey(key.upper));
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

export type MirrorStats = { databases: number; records: number; bytes: number };

export class IndexedDbMirror {
  readonly #sqlite: Db;
  /** Only databases whose names start with this are restored (one engine store). */
  readonly #prefix: string;

  constructor(sqlite: Db, prefix: string) {
    this.#sqlite = sqlite;
    this.#prefix = prefix;
    recordWrites(recorder);
  }

  /** A fresh in-memory IndexedDB holding what SQLite has; later commits are written back. */
  async open(): Promise<IdbFactory> {
    const factory = newIndexedDb();
    await this.#restore(factory);
    listenFirst(factory, {
      upgradeneeded: (request, event) => {
        const db = request.result as IdbDatabase;
        const transaction = request.transaction!;
        mirrorOf.set(db, this);
        upgradeOf.set(db, transaction);
        pendingFor(transaction)!.version = event.newVersion ?? db.version;
      },
      success: (request) => {
        const db = request.result as IdbDatabase;
        mirrorOf.set(db, this);
        upgradeOf.delete(db);
      },
    });
    return factory;
  }

  /** Applies one committed IndexedDB transaction to SQLite, all or nothing. */
  commit(pending: Pending): void {
    if (!this.#sqlite.open) return; // the bot is stopping: the next start replays from what is stored
    const name = pending.db.name;
    const run = this.#sqlite.transaction(() => {
      if (pending.version !== null) this.#applyUpgrade(name, pending.version, pending.operations);
      for (const operation of pending.operations) this.#apply(name, operation);
    });
    run();
  }

  #applyUpgrade(name: string, version: number, operations: Operation[]): void {
    const row = this.#sqlite.prepare('SELECT schema FROM crypto_idb_databases WHERE name = ?').get(name) as { schema: string } | undefined;
    const schema = row === undefined ? {} : DatabaseSchema.parse(JSON.parse(row.schema));
    for (const operation of operations) applySchemaChange(schema, operation);
    this.#sqlite
      .prepare(
        'INSERT INTO crypto_idb_databases (name, version, schema) VALUES (?, ?, ?) ON CONFLICT (name) DO ' +
          'UPDATE SET version = excluded.version, schema = excluded.schema',
      )
      .run(name, version, JSON.stringify(schema));
    // Rows of a store that no longer exists go with it.
    const stores = Object.keys(schema);
    this.#sqlite.prepare(`DELETE FROM crypto_idb_records WHERE db = ? AND store NOT IN (${stores.map(() => '?').join(', ')})`).run(name, ...stores);
  }

  #apply(db: string, operation: Operation): void {
    switch (operation.kind) {
      case 'put':
        if (operation.key === undefined) return; // the request failed (the engine handled the error)
        this.#sqlite
          .prepare(
            'INSERT INTO crypto_idb_records (db, store, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (db, store, key) DO UPDATE SET value = excluded.value',
          )
          .run(db, operation.store, encodeIdbKey(operation.key), operation.value);
        return;
      case 'delete': {
        const condition = keyCondition(operation.key);
        this.#sqlite.prepare(`DELETE FROM crypto_idb_records WHERE db = ? AND store = ? AND ${condition.sql}`).run(db, operation.store, ...condition.params);
        return;
      }
      case 'clear':
        this.#sqlite.prepare('DELETE FROM crypto_idb_records WHERE db = ? AND store = ?').run(db, operation.store);
        return;
      default: // schema changes: applied by #applyUpgrade
    }
  }

  /** Recreates every stored database of this engine store, at its version, with its rows. */
  async #restore(factory: IdbFactory): Promise<void> {
    const databases = this.#sqlite
      .prepare('SELECT name, version, schema FROM crypto_idb_databases WHERE substr(name, 1, length(@prefix)) = @prefix')
      .all({ prefix: this.#prefix }) as Array<{ name: string; version: number; schema: string }>;
    for (const stored of databases) {
      const schema = DatabaseSchema.parse(JSON.parse(stored.schema));
      const db = await openForRestore(factory, stored.name, stored.version, schema);
      const stores = Object.keys(schema);
      if (stores.length > 0) {
        const transaction = db.transaction(stores, 'readwrite');
        const rows = this.#sqlite.prepare('SELECT store, key, value FROM crypto_idb_records WHERE db = ?').iterate(stored.name) as Iterable<{
          store: string;
          key: Buffer;
          value: Buffer;
        }>;
        for (const row of rows) {
          const store = transaction.objectStore(row.store);
          const value = v8.deserialize(row.value);
          if (store.keyPath === null) store.put(value, decodeIdbKey(row.key));
          else store.put(value);
        }
        await settled(transaction);
      }
      db.close();
    }
  }

  /** What is stored, for the start-up log and the benchmark. */
  stats(): MirrorStats {
    const row = this.#sqlite
      .prepare(
        'SELECT (SELECT count(*) FROM crypto_idb_databases WHERE substr(name, 1, length(@prefix)) = @prefix) AS databases, count(*) AS records, ' +
          'coalesce(sum(length(key) + length(value)), 0) AS bytes FROM crypto_idb_records WHERE substr(db, 1, length(@prefix)) = @prefix',
      )
      .get({ prefix: this.#prefix }) as MirrorStats;
    return row;
  }
}

function settled(transaction: IdbTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.addEventListener('complete', () => resolve());
    transaction.addEventListener('abort', () => reject(new Error('restoring the crypto store failed')));
  });
}

function openForRestore(factory: IdbFactory, name: string, version: number, schema: DatabaseSchema): Promise<IdbDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = () => {
      const db = request.result as IdbDatabase;
      for (const [storeName, store] of Object.entries(schema)) {
        const created = db.createObjectStore(storeName, { keyPath: store.keyPath, autoIncrement: store.autoIncrement });
        for (const [indexName, index] of Object.entries(store.indexes))
          created.createIndex(indexName, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry });
      }
    };
    request.addEventListener('success', () => resolve(request.result as IdbDatabase));
    request.addEventListener('error', () => reject(new Error(`could not restore the crypto store database ${name}`)));
  });
}
