// Mail waiting to be sent (table `outbox`). A mail is queued once per key, retried with
// backoff, and its body is cleared once it has been sent or given up.
import { z } from 'zod';
import type { Db } from '../store/database.ts';

export const Mail = z.object({
  key: z.string(),
  to: z.string(),
  subject: z.string(),
  body: z.string(),
  attempts: z.number().int(),
});
export type Mail = z.infer<typeof Mail>;

export class Outbox {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Queues a mail; false when one with this key was queued before. */
  queue(mail: { key: string; to: string; subject: string; body: string }, now: number): boolean {
    return (
      this.#db
        .prepare('INSERT OR IGNORE INTO outbox (key, to_address, subject, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(mail.key, mail.to, mail.subject, mail.body, now, now).changes === 1
    );
  }

  due(now: number, limit = 20): Mail[] {
    const rows = this.#db
      .prepare(
        `SELECT key, to_address AS "to", subject, body, attempts FROM outbox
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
      )
      .all(now, limit);
    return z.array(Mail).parse(rows);
  }

  nextAttemptAt(): number | null {
    const row = this.#db.prepare('SELECT MIN(next_attempt_at) AS at FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL').get() as { at: number | null };
    return row.at;
  }

  sent(key: string, now: number): void {
    this.#db.prepare("UPDATE outbox SET sent_at = ?, body = '', last_error = NULL WHERE key = ?").run(now, key);
  }

  retryLater(key: string, at: number, error: string): void {
    this.#db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE key = ?').run(at, error, key);
  }

  gaveUp(key: string, now: number, error: string): void {
    this.#db.prepare("UPDATE outbox SET attempts = attempts + 1, failed_at = ?, body = '', last_error = ? WHERE key = ?").run(now, error, key);
  }

  status(key: string): { sentAt: number | null; failedAt: number | null; attempts: number; lastError: string | null } | null {
    const row = this.#db.prepare('SELECT sent_at AS sentAt, failed_at AS failedAt, attempts, last_error AS lastError FROM outbox WHERE key = ?').get(key) as
      | { sentAt: number | null; failedAt: number | null; attempts: number; lastError: string | null }
      | undefined;
    return row ?? null;
  }

  /** Forgets settled mails older than `cutoff` (they name requests and people). */
  purgeSettledBefore(cutoff: number): number {
    return this.#db.prepare('DELETE FROM outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < ?').run(cutoff).changes;
  }
}
