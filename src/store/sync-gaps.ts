// Gaps in the sync timeline, kept until read. A gap is recorded synchronously when
// the sync that shows it arrives, before the SDK saves its new sync position; its
// `from` moves forward after each page read, so a crash costs at most one page again.
import { z } from 'zod';
import type { Db } from './database.ts';

export const SyncGap = z.object({
  id: z.number(),
  roomId: z.string(),
  /** Where reading resumes: the previous sync's next_batch, later the end of the last page read. */
  from: z.string(),
  /** Where the gap ends: the limited timeline's prev_batch; null when the server gave none. */
  to: z.string().nullable(),
});
export type SyncGap = z.infer<typeof SyncGap>;

export class SyncGaps {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  record(gaps: ReadonlyArray<Omit<SyncGap, 'id'>>, now: number): void {
    const insert = this.#db.prepare('INSERT OR IGNORE INTO sync_gaps (room_id, from_token, to_token, recorded_at) VALUES (?, ?, ?, ?)');
    this.#db.transaction(() => {
      for (const gap of gaps) insert.run(gap.roomId, gap.from, gap.to, now);
    })();
  }

  /** Gaps still to read, oldest first. */
  open(): SyncGap[] {
    const rows = this.#db.prepare('SELECT id, room_id AS roomId, from_token AS "from", to_token AS "to" FROM sync_gaps ORDER BY id').all();
    return z.array(SyncGap).parse(rows);
  }

  /** Records that everything before `from` was read. */
  advance(id: number, from: string): void {
    this.#db.prepare('UPDATE sync_gaps SET from_token = ? WHERE id = ?').run(from, id);
  }

  close(id: number): void {
    this.#db.prepare('DELETE FROM sync_gaps WHERE id = ?').run(id);
  }
}
