// Exports in SQLite (tables `exports` and `export_uploads`): for each package made, when its
// download window ends, and each part's upload and delivering event. Linked to the request
// only; who asked is the request's business.
import { z } from 'zod';
import type { Db } from '../../store/database.ts';

export const ExportRecord = z.object({
  requestId: z.string(),
  madeAt: z.number(),
  expiresAt: z.number(),
  deliveredAt: z.number().nullable(),
  expiredAt: z.number().nullable(),
});
export type ExportRecord = z.infer<typeof ExportRecord>;

export const PartUpload = z.object({ part: z.number().int().positive(), uri: z.string(), eventId: z.string().nullable() });
export type PartUpload = z.infer<typeof PartUpload>;

const COLUMNS = 'request_id AS requestId, made_at AS madeAt, expires_at AS expiresAt, delivered_at AS deliveredAt, expired_at AS expiredAt';

export class ExportStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(requestId: string): ExportRecord | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM exports WHERE request_id = ?`).get(requestId);
    return row === undefined ? null : ExportRecord.parse(row);
  }

  /** The record of a package about to be delivered; a job that resumes gets the one it began with (same expiry). */
  begin(requestId: string, madeAt: number, expiresAt: number): ExportRecord {
    this.#db.prepare('INSERT OR IGNORE INTO exports (request_id, made_at, expires_at) VALUES (?, ?, ?)').run(requestId, madeAt, expiresAt);
    return this.get(requestId)!;
  }

  uploads(requestId: string): PartUpload[] {
    const rows = this.#db.prepare('SELECT part, uri, event_id AS eventId FROM export_uploads WHERE request_id = ? ORDER BY part').all(requestId);
    return z.array(PartUpload).parse(rows);
  }

  /** A part's upload exists: written before its message is sent, so that expiry always finds it. */
  recordUpload(requestId: string, part: number, uri: string): void {
    this.#db.prepare('INSERT OR REPLACE INTO export_uploads (request_id, part, uri) VALUES (?, ?, ?)').run(requestId, part, uri);
  }

  recordSent(requestId: string, part: number, eventId: string): void {
    this.#db.prepare('UPDATE export_uploads SET event_id = ? WHERE request_id = ? AND part = ?').run(eventId, requestId, part);
  }

  markDelivered(requestId: string, at: number): void {
    this.#db.prepare('UPDATE exports SET delivered_at = ? WHERE request_id = ? AND delivered_at IS NULL').run(at, requestId);
  }

  /** Ends the download window now (a request cancelled or failed half-way, or a person erased). */
  expireNow(requestId: string, at: number): void {
    this.#db.prepare('INSERT OR IGNORE INTO exports (request_id, made_at, expires_at) VALUES (?, ?, ?)').run(requestId, at, at);
    this.#db.prepare('UPDATE exports SET expires_at = MIN(expires_at, ?) WHERE request_id = ? AND expired_at IS NULL').run(at, requestId);
  }

  /** Exports whose window has ended and whose files still exist. */
  due(now: number): ExportRecord[] {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM exports WHERE expired_at IS NULL AND expires_at <= ? ORDER BY expires_at`).all(now);
    return z.array(ExportRecord).parse(rows);
  }

  /** Every upload deleted and the local files gone: only the dates stay. */
  markExpired(requestId: string, at: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM export_uploads WHERE request_id = ?').run(requestId);
      this.#db.prepare('UPDATE exports SET expired_at = ? WHERE request_id = ?').run(at, requestId);
    })();
  }

  /** Export requests whose files are needed: being made (a job queued or running) or delivered and not yet expired. */
  live(): string[] {
    const rows = this.#db
      .prepare(
        `SELECT request_id AS id FROM exports WHERE expired_at IS NULL
         UNION SELECT request_id AS id FROM jobs WHERE kind = 'export' AND state IN ('queued', 'running')`,
      )
      .all() as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The export requests of a person (by Matrix ID, or by the pseudonym that replaced it). */
  requestsOf(userIds: readonly string[]): string[] {
    if (userIds.length === 0) return [];
    const rows = this.#db.prepare(`SELECT id FROM requests WHERE kind = 'export' AND user_id IN (${userIds.map(() => '?').join(', ')})`).all(...userIds) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }
}
