// The IndexedDB mirror, as a property: whatever transactions the engine runs (puts, deletes of
// keys and ranges, clears, cursor updates and deletes, aborts), and wherever the process dies
// (its memory dropped in the middle of a transaction, only the SQLite file left), a fresh
// IndexedDB restored from SQLite holds exactly what the committed transactions wrote.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IdbFactory, IndexedDbMirror } from '../../src/crypto/indexeddb-mirror.ts';
import { fakeIndexedDb } from '../../src/patches/fake-indexeddb.ts';
import { type Db, openMemoryDatabase } from '../../src/store/database.ts';

// The DOM types are not loaded here: IndexedDB objects are used untyped, as the engine does.
type Any = any;

const NAME = 'store::crypto';
const IDS = ['a', 'b', 'c', 'd', 'e'] as const;
const TAGS = ['t1', 't2'] as const;
const LOOSE_KEYS: Array<string | [string, number]> = ['k1', 'k2', ['x', 0], ['x', 1]];

type Thing = { id: string; tag: string; n: number; bytes: Uint8Array };
type Operation =
  | { op: 'put'; thing: Thing }
  | { op: 'putLoose'; key: string | [string, number]; value: number | string }
  | { op: 'delete'; id: string }
  | { op: 'deleteRange'; from: string; to: string }
  | { op: 'deleteLoose'; key: string | [string, number] }
  | { op: 'clear'; store: 'things' | 'loose' }
  | { op: 'cursorUpdate'; n: number }
  | { op: 'cursorDelete'; tag: string };
type Transaction = { operations: Operation[]; abort: boolean };

const thing = fc.record({
  id: fc.constantFrom(...IDS),
  tag: fc.constantFrom(...TAGS),
  n: fc.integer({ min: -5, max: 5 }),
  bytes: fc.uint8Array({ maxLength: 4 }),
});
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: thing.map((t) => ({ op: 'put' as const, thing: t })) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('putLoose' as const),
      key: fc.constantFrom(...LOOSE_KEYS),
      value: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), id: fc.constantFrom(...IDS) }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...IDS), fc.constantFrom(...IDS))
      .map(([x, y]) => ({ op: 'deleteRange' as const, ...(x < y ? { from: x, to: y } : { from: y, to: x }) })),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteLoose' as const), key: fc.constantFrom(...LOOSE_KEYS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), store: fc.constantFrom('things' as const, 'loose' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cursorUpdate' as const), n: fc.integer({ min: 10, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cursorDelete' as const), tag: fc.constantFrom(...TAGS) }) },
);
const transaction: fc.Arbitrary<Transaction> = fc.record({
  operations: fc.array(operation, { minLength: 1, maxLength: 6 }),
  abort: fc.nat({ max: 9 }).map((n) => n < 2),
});

/** What the stores hold: the model the engine would expect, keyed by the key's JSON. */
type Model = { things: Map<string, Thing>; loose: Map<string, { key: string | [string, number]; value: number | string }> };
const emptyModel = (): Model => ({ things: new Map(), loose: new Map() });
const copyModel = (m: Model): Model => ({ things: new Map(m.things), loose: new Map(m.loose) });

/** IndexedDB's order for the keys used here: strings by code unit, arrays after strings. */
const keyOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function applyToModel(model: Model, operation: Operation): void {
  switch (operation.op) {
    case 'put':
      return void model.things.set(operation.thing.id, operation.thing);
    case 'putLoose':
      return void model.loose.set(JSON.stringify(operation.key), { key: operation.key, value: operation.value });
    case 'delete':
      return void model.things.delete(operation.id);
    case 'deleteRange':
      for (const id of [...model.things.keys()]) if (id >= operation.from && id <= operation.to) model.things.delete(id);
      return;
    case 'deleteLoose':
      return void model.loose.delete(JSON.stringify(operation.key));
    case 'clear':
      return void model[operation.store].clear();
    case 'cursorUpdate': {
      const first = [...model.things.keys()].sort(keyOrder)[0];
      if (first !== undefined) model.things.set(first, { ...model.things.get(first)!, n: operation.n });
      return;
    }
    case 'cursorDelete': {
      const first = [...model.things.values()]
        .filter((t) => t.tag === operation.tag)
        .map((t) => t.id)
        .sort(keyOrder)[0];
      if (first !== undefined) model.things.delete(first);
      return;
    }
  }
}

const request = <T = Any>(r: Any): Promise<T> =>
  new Promise((resolve, reject) => {
    r.addEventListener('success', () => resolve(r.result));
    r.addEventListener('error', () => reject(r.error));
  });
const settled = (tx: Any): Promise<'committed' | 'aborted'> =>
  new Promise((resolve) => {
    tx.addEventListener('complete', () => resolve('committed'));
    tx.addEventListener('abort', () => resolve('aborted'));
  });

/** Opens the engine's database as the engine would: created at version 1 where there is none. `during` runs inside the upgrade. */
async function openEngineDb(factory: IdbFactory, during?: () => void): Promise<Any> {
  const r: Any = factory.open(NAME, 1);
  r.onupgradeneeded = () => {
    const things = r.result.createObjectStore('things', { keyPath: 'id' });
    things.createIndex('by_tag', 'tag');
    r.result.createObjectStore('loose');
    during?.();
  };
  return request(r);
}

/** One operation, as the engine would issue it (cursor operations wait for their cursor). */
async function run(tx: Any, operation: Operation): Promise<void> {
  const things = tx.objectStore('things');
  const loose = tx.objectStore('loose');
  switch (operation.op) {
    case 'put':
      return void things.put(operation.thing);
    case 'putLoose':
      return void loose.put(operation.value, operation.key);
    case 'delete':
      return void things.delete(operation.id);
    case 'deleteRange':
      return void things.delete(fakeIndexedDb().IDBKeyRange.bound(operation.from, operation.to));
    case 'deleteLoose':
      return void loose.delete(operation.key);
    case 'clear':
      return void tx.objectStore(operation.store).clear();
    case 'cursorUpdate': {
      const cursor = await request(things.openCursor());
      if (cursor !== null) cursor.update({ ...cursor.value, n: operation.n });
      return;
    }
    case 'cursorDelete': {
      const cursor = await request(things.index('by_tag').openCursor(operation.tag));
      if (cursor !== null) cursor.delete();
      return;
    }
  }
}

/** Everything a restored IndexedDB holds, in the model's shape, and the index's view of it. */
async function readBack(sqlite: Db): Promise<{ model: Model; byTag: Record<string, number> }> {
  const db = await openEngineDb(await new IndexedDbMirror(sqlite, 'store::').open());
  const tx = db.transaction(['things', 'loose'], 'readonly');
  const things = await request<Thing[]>(tx.objectStore('things').getAll());
  const looseKeys = await request<Array<string | [string, number]>>(tx.objectStore('loose').getAllKeys());
  const looseValues = await request<Array<number | string>>(tx.objectStore('loose').getAll());
  const byTag: Record<string, number> = {};
  for (const tag of TAGS) byTag[tag] = await request<number>(tx.objectStore('things').index('by_tag').count(tag));
  db.close();
  return {
    model: { things: new Map(things.map((t) => [t.id, t])), loose: new Map(looseKeys.map((key, i) => [JSON.stringify(key), { key, value: looseValues[i]! }])) },
    byTag,
  };
}

const comparable = (m: Model) => ({
  things: [...m.things.entries()].sort(([a], [b]) => keyOrder(a, b)).map(([, t]) => ({ ...t, bytes: [...t.bytes] })),
  loose: [...m.loose.entries()].sort(([a], [b]) => keyOrder(a, b)).map(([, entry]) => entry),
});
const tagCounts = (m: Model) => Object.fromEntries(TAGS.map((tag) => [tag, [...m.things.values()].filter((t) => t.tag === tag).length]));

/** The SQLite file as it is on disk at this instant: what a process killed now leaves behind. */
const crashNow = (sqlite: Db): Db => new Database(sqlite.serialize());

describe('the IndexedDB mirror, for any transactions and any crash point', () => {
  it('restores exactly what the committed transactions wrote', async () => {
    const scenario = fc.array(transaction, { minLength: 1, maxLength: 6 }).chain((transactions) =>
      fc.record({
        transactions: fc.constant(transactions),
        // Transaction index to crash in (0: during the upgrade that creates the stores), and after how many of its operations.
        crashIn: fc.integer({ min: 0, max: transactions.length }),
        crashAfter: fc.nat({ max: 6 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ transactions, crashIn, crashAfter }) => {
        const sqlite = openMemoryDatabase();
        let crashed: Db | null = null;
        let modelAtCrash = emptyModel();
        const model = emptyModel();
        const factory = await new IndexedDbMirror(sqlite, 'store::').open();
        const db = await openEngineDb(factory, () => {
          if (crashIn === 0) crashed = crashNow(sqlite);
        });
        for (const [index, { operations, abort }] of transactions.entries()) {
          const tx = db.transaction(['things', 'loose'], 'readwrite');
          const outcome = settled(tx);
          const pending = copyModel(model);
          for (const [k, op] of operations.entries()) {
            if (index + 1 === crashIn && k === crashAfter) {
              crashed = crashNow(sqlite);
              modelAtCrash = copyModel(model);
            }
            await run(tx, op);
            applyToModel(pending, op);
          }
          if (index + 1 === crashIn && crashAfter >= operations.length) {
            crashed = crashNow(sqlite); // every operation issued, the commit not yet
            modelAtCrash = copyModel(model);
          }
          if (abort) tx.abort();
          if ((await outcome) === 'committed') {
            model.things = pending.things;
            model.loose = pending.loose;
          }
        }
        db.close();

        // Killed mid-transaction: the restored store is the state before that transaction.
        const afterCrash = await readBack(crashed!);
        expect(comparable(afterCrash.model)).toEqual(comparable(modelAtCrash));
        expect(afterCrash.byTag).toEqual(tagCounts(modelAtCrash));
        crashed!.close();
        // Not killed: everything committed is there, nothing aborted is.
        const afterRun = await readBack(sqlite);
        expect(comparable(afterRun.model)).toEqual(comparable(model));
        expect(afterRun.byTag).toEqual(tagCounts(model));
        sqlite.close();
      }),
      { numRuns: 80 },
    );
  });
});
