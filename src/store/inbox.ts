// The inbox: commands accepted but perhaps not yet answered.
// Recording a command is synchronous and happens before the SDK moves its sync
// position on, so a crash between the two loses nothing: on start-up, unanswered
// commands are answered; answered ones are never answered again.
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

/** How long an answered command's event ID is remembered to refuse duplicates. */
const REMEMBER_ANSWERED_MS = 30 * 24 * 60 * 60 * 1000;

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

  markAnswered(eventId: string, now: number): void {
    // Once answered, only the event ID is needed (to refuse a duplicate): forget who asked.
    this.#db
      .prepare("UPDATE inbox SET answered_at = ?, sender = '', room_id = '' WHERE event_id = ?")
      .run(now, eventId);
  }

  unanswered(): InboxEntry[] {
    const rows = this.#db
      .prepare(
        'SELECT event_id AS eventId, room_id AS roomId, sender, command, received_at AS receivedAt FROM inbox WHERE answered_at IS NULL ORDER BY received_at',
      )
      .all();
    return z.array(InboxEntry).parse(rows);
  }

  purgeAnsweredBefore(cutoff: number): number {
    return this.#db.prepare('DELETE FROM inbox WHERE answered_at IS NOT NULL AND answered_at < ?').run(cutoff).changes;
  }

  purgeExpired(now: number): number {
    return this.purgeAnsweredBefore(now - REMEMBER_ANSWERED_MS);
  }
}
