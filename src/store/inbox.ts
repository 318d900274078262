// The inbox: commands accepted but perhaps not yet answered.
// Recording a command is synchronous and happens before the SDK moves its sync
// position on, so a crash between the two loses nothing: on start-up, unanswered
// commands are answered; answered ones are never answered again. Every attempt to
// answer is counted before it starts, so that a command that cannot be answered is
// given up after a few (see bot/delivery.ts), across restarts too.
import { z } from 'zod';
import type { Db } from './database.ts';

export const InboxEntry = z.object({
  eventId: z.string(),
  roomId: z.string(),
  sender: z.string(),
  command: z.string(),
  receivedAt: z.number(),
});
export type InboxEntry = z.infer<typeof InboxEntry>;

export const FailedEntry = InboxEntry.extend({ failure: z.string() });
export type FailedEntry = z.infer<typeof FailedEntry>;

/** How long an answered (or given-up) command's event ID is remembered to refuse duplicates. */
const REMEMBER_ANSWERED_MS = 30 * 24 * 60 * 60 * 1000;

const ENTRY_COLUMNS = 'event_id AS eventId, room_id AS roomId, sender, command, received_at AS receivedAt';

export class Inbox {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a command; false when this event was seen before (answered or not). */
  accept(entry: InboxEntry): boolean {
    const result = this.#db
      .prepare('INSERT OR IGNORE INTO inbox (event_id, room_id, sender, command, received_at) VALUES (?, ?, ?, ?, ?)')
      .run(entry.eventId, entry.roomId, entry.sender, entry.command, entry.receivedAt);
    return result.changes === 1;
  }

  /** Counts an attempt to answer, before it starts; returns which attempt this is (1, 2, ...). */
  startAttempt(eventId: string): number {
    const row = this.#db.prepare('UPDATE inbox SET attempts = attempts + 1 WHERE event_id = ? RETURNING attempts').get(eventId);
    return z.object({ attempts: z.number() }).parse(row).attempts;
  }

  markAnswered(eventId: string, now: number): void {
    // Once answered, only the event ID is needed (to refuse a duplicate): forget who asked.
    this.#db.prepare("UPDATE inbox SET answered_at = ?, sender = '', room_id = '' WHERE event_id = ?").run(now, eventId);
  }

  /** Gives the command up: it is never tried again. Who asked is kept until the admins are told. */
  markFailed(eventId: string, now: number, failure: string): void {
    this.#db.prepare('UPDATE inbox SET failed_at = ?, failure = ? WHERE event_id = ? AND failed_at IS NULL').run(now, failure, eventId);
  }

  markFailureReported(eventId: string, now: number): void {
    this.#db.prepare("UPDATE inbox SET failure_reported_at = ?, sender = '', room_id = '' WHERE event_id = ?").run(now, eventId);
  }

  /** Commands still to answer, oldest first. */
  unanswered(): InboxEntry[] {
    const rows = this.#db.prepare(`SELECT ${ENTRY_COLUMNS} FROM inbox WHERE answered_at IS NULL AND failed_at IS NULL ORDER BY received_at`).all();
    return z.array(InboxEntry).parse(rows);
  }

  /** Commands given up whose failure the admins have not been told about yet. */
  failedUnreported(): FailedEntry[] {
    const rows = this.#db
      .prepare(`SELECT ${ENTRY_COLUMNS}, failure FROM inbox WHERE failed_at IS NOT NULL AND failure_reported_at IS NULL ORDER BY received_at`)
      .all();
    return z.array(FailedEntry).parse(rows);
  }

  purgeAnsweredBefore(cutoff: number): number {
    return this.#db
      .prepare('DELETE FROM inbox WHERE (answered_at IS NOT NULL AND answered_at < ?) OR (failure_reported_at IS NOT NULL AND failure_reported_at < ?)')
      .run(cutoff, cutoff).changes;
  }

  purgeExpired(now: number): number {
    return this.purgeAnsweredBefore(now - REMEMBER_ANSWERED_MS);
  }
}
