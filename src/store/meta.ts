// Installation facts kept in the `meta` table.
import type { Db } from './database.ts';

const FIRST_STARTED_AT = 'first_started_at';

export function readMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** The value stored under `key`; the first call stores `initial` (later ones ignore it). */
export function metaValueOnce(db: Db, key: string, initial: string): string {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, initial);
  return readMeta(db, key)!;
}

/**
 * The moment the bot first ran against this database. Events older than this are
 * history from before the bot existed and are never answered; anything newer that
 * arrives after a restart (through the stored sync position) still is.
 */
export function firstStartedAt(db: Db, now: number): number {
  return Number(metaValueOnce(db, FIRST_STARTED_AT, String(now)));
}
