// matrix-bot-sdk's storage (sync token, filter, key-value pairs) in our SQLite file,
// so the sync position survives restarts together with the inbox.
import type { IFilterInfo, IStorageProvider } from 'matrix-bot-sdk';
import { z } from 'zod';
import type { Db } from './database.ts';

const StoredFilter = z.object({ id: z.union([z.string(), z.number()]), filter: z.unknown() });

const SYNC_TOKEN = 'sync_token';
const FILTER = 'filter';
const VALUE_PREFIX = 'kv:';

export class SqliteSdkStorage implements IStorageProvider {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  setSyncToken(token: string | null): void {
    this.#write(SYNC_TOKEN, token);
  }

  getSyncToken(): string | null {
    return this.#read(SYNC_TOKEN);
  }

  setFilter(filter: IFilterInfo): void {
    this.#write(FILTER, JSON.stringify(filter));
  }

  getFilter(): IFilterInfo {
    const raw = this.#read(FILTER);
    if (raw === null) return null as unknown as IFilterInfo; // the SDK treats a missing filter as "create one"
    return StoredFilter.parse(JSON.parse(raw)) as IFilterInfo;
  }

  storeValue(key: string, value: string): void {
    this.#write(VALUE_PREFIX + key, value);
  }

  readValue(key: string): string | null {
    return this.#read(VALUE_PREFIX + key);
  }

  #read(key: string): string | null {
    const row = this.#db.prepare('SELECT value FROM sdk_storage WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  #write(key: string, value: string | null): void {
    // matrix-bot-sdk cannot abort a sync already in flight when it is stopped; its
    // late attempt to save that sync's position must not touch a closed database.
    if (!this.#db.open) return;
    if (value === null) this.#db.prepare('DELETE FROM sdk_storage WHERE key = ?').run(key);
    else this.#db.prepare('INSERT INTO sdk_storage (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
