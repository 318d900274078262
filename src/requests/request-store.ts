// Requests in SQLite (table `requests`). Rows are parsed with the Request schema on the
// way out; only the request service (requests.ts) writes.
import { z } from 'zod';
import type { Db } from '../store/database.ts';
import { Request, RequestDetail } from './request.ts';

const COLUMNS = `id, kind, state, user_id AS userId, room_id AS roomId, source_event_id AS sourceEventId,
  entered_by AS enteredBy, received_at AS receivedAt, due_at AS dueAt, updated_at AS updatedAt,
  closed_at AS closedAt, extended_at AS extendedAt, extension_reason AS extensionReason,
  decided_by AS decidedBy, decision_reason AS decisionReason, detail, pseudonymised_at AS pseudonymisedAt`;

const Row = Request.extend({ detail: z.string().transform((text) => RequestDetail.parse(JSON.parse(text))) });

export class RequestStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(id: string): Request | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM requests WHERE id = ?`).get(id);
    return row === undefined ? null : Row.parse(row);
  }

  exists(id: string): boolean {
    return this.#db.prepare('SELECT 1 FROM requests WHERE id = ?').get(id) !== undefined;
  }

  bySourceEvent(eventId: string): Request | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM requests WHERE source_event_id = ?`).get(eventId);
    return row === undefined ? null : Row.parse(row);
  }

  /** A person's requests, newest first. */
  forUser(userId: string): Request[] {
    return this.#all(`SELECT ${COLUMNS} FROM requests WHERE user_id = ? ORDER BY received_at DESC, id`, userId);
  }

  /** Every open request, the most urgent first. */
  open(): Request[] {
    return this.#all(`SELECT ${COLUMNS} FROM requests WHERE closed_at IS NULL ORDER BY due_at, received_at`);
  }

  /** Requests received in [from, to). */
  receivedBetween(from: number, to: number): Request[] {
    return this.#all(`SELECT ${COLUMNS} FROM requests WHERE received_at >= ? AND received_at < ? ORDER BY received_at`, from, to);
  }

  /** Closed before `cutoff` and still naming a person. */
  closedBefore(cutoff: number): Request[] {
    return this.#all(`SELECT ${COLUMNS} FROM requests WHERE closed_at IS NOT NULL AND closed_at < ? AND pseudonymised_at IS NULL`, cutoff);
  }

  insert(request: Request): void {
    this.#db
      .prepare(
        `INSERT INTO requests (id, kind, state, user_id, room_id, source_event_id, entered_by, received_at, due_at, updated_at,
           closed_at, extended_at, extension_reason, decided_by, decision_reason, detail, pseudonymised_at)
         VALUES (@id, @kind, @state, @userId, @roomId, @sourceEventId, @enteredBy, @receivedAt, @dueAt, @updatedAt,
           @closedAt, @extendedAt, @extensionReason, @decidedBy, @decisionReason, @detail, @pseudonymisedAt)`,
      )
      .run({ ...request, detail: JSON.stringify(request.detail) });
  }

  update(request: Request): void {
    this.#db
      .prepare(
        `UPDATE requests SET state = @state, user_id = @userId, room_id = @roomId, source_event_id = @sourceEventId,
           entered_by = @enteredBy, due_at = @dueAt, updated_at = @updatedAt, closed_at = @closedAt, extended_at = @extendedAt,
           extension_reason = @extensionReason, decided_by = @decidedBy, decision_reason = @decisionReason, detail = @detail,
           pseudonymised_at = @pseudonymisedAt
         WHERE id = @id`,
      )
      .run({ ...request, detail: JSON.stringify(request.detail) });
  }

  #all(sql: string, ...params: unknown[]): Request[] {
    return z.array(Row).parse(this.#db.prepare(sql).all(...params));
  }
}
