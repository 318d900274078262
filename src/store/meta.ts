// Installation facts kept in the `meta` table.
import type { Db } from './database.ts';

const FIRST_STARTED_AT = 'first_started_at';

/**
 * The moment the bot first ran against this database. Events older than this are
 * history from before the bot existed and are never answered; anything newer that
 * arrives after a restart (through the stored sync position) still is.
 */
export function firstStartedAt(db: Db, now: number): number {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(FIRST_STARTED_AT, String(now));
  return Number(readMeta(db, FIRST_STARTED_AT));
}

export function readMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
