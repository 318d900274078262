// Retention: a closed request keeps the names of the people in it only for a while. After
// `retentionDays` the requester's ID becomes a keyed pseudonym and the room is forgotten;
// what remains proves the request was honoured (kind, dates, outcome, who decided).
import { Outbox } from '../mail/outbox.ts';
import type { Db } from '../store/database.ts';
import { DAY } from './deadlines.ts';
import type { Pseudonymise } from './pseudonym.ts';
import type { RequestStore } from './request-store.ts';

export type PurgeResult = { pseudonymised: number };

export function purgeClosedRequests(db: Db, store: RequestStore, pseudonymise: Pseudonymise, retentionDays: number, now: number): PurgeResult {
  const cutoff = now - retentionDays * DAY;
  const due = store.closedBefore(cutoff);
  db.transaction(() => {
    for (const request of due) {
      store.update({ ...request, userId: pseudonymise(request.userId), roomId: null, sourceEventId: null, detail: {}, pseudonymisedAt: now });
    }
    db.prepare('DELETE FROM jobs WHERE request_id IN (SELECT id FROM requests WHERE pseudonymised_at IS NOT NULL)').run();
    new Outbox(db).purgeSettledBefore(cutoff);
  })();
  if (due.length > 0) {
    // secure_delete overwrote the old rows; the write-ahead log still holds copies until it is checkpointed.
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  return { pseudonymised: due.length };
}
