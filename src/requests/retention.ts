// Retention: a closed request keeps the names of the people in it only for a while. After
// `retentionDays` the requester's ID becomes a keyed pseudonym and the room is forgotten;
// what remains proves the request was honoured (kind, dates, outcome, who decided).
import { z } from 'zod';
import { Outbox } from '../mail/outbox.ts';
import type { Db } from '../store/database.ts';
import { DAY } from './deadlines.ts';
import type { Pseudonymise } from './pseudonym.ts';
import { BOT, isClosed } from './request.ts';
import type { RequestStore } from './request-store.ts';
import type { RequestService } from './requests.ts';

export type PurgeResult = { pseudonymised: number };

export function purgeClosedRequests(db: Db, store: RequestStore, pseudonymise: Pseudonymise, retentionDays: number, now: number): PurgeResult {
  const cutoff = now - retentionDays * DAY;
  const due = store.closedBefore(cutoff);
  db.transaction(() => {
    for (const request of due) {
      store.update({ ...request, userId: pseudonymise(request.userId), roomId: null, sourceEventId: null, detail: {}, pseudonymisedAt: now });
    }
    // Only closed ones: an erasure's own request is pseudonymised in its last step, while its job is still running.
    db.prepare('DELETE FROM jobs WHERE request_id IN (SELECT id FROM requests WHERE pseudonymised_at IS NOT NULL AND closed_at IS NOT NULL)').run();
    new Outbox(db).purgeSettledBefore(cutoff);
  })();
  if (due.length > 0) {
    // secure_delete overwrote the old rows; the write-ahead log still holds copies until it is checkpointed.
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  return { pseudonymised: due.length };
}

/**
 * After an erasure: the bot forgets the person at once, not after the retention period. Their
 * other open requests are cancelled (there is no account left to answer), every request of
 * theirs keeps only a pseudonym, their unanswered commands leave the inbox, and commands of
 * others that named them (an admin's `!erase @them`) keep only their word. Run again (a restart
 * after it), it changes nothing more: what is pseudonymised already is left as it is.
 */
export function forgetPerson(db: Db, requests: RequestService, pseudonymise: Pseudonymise, userId: string, keepOpen: string, now: number): number {
  const theirs = requests.store.forUser(userId).filter((request) => request.pseudonymisedAt === null);
  for (const request of theirs) {
    if (request.id !== keepOpen && !isClosed(request.state)) requests.transition(request.id, 'cancelled', BOT, 'the account was erased');
  }
  db.transaction(() => {
    for (const request of requests.store.forUser(userId)) {
      if (request.pseudonymisedAt !== null) continue;
      requests.store.update({ ...request, userId: pseudonymise(userId), roomId: null, sourceEventId: null, detail: {}, pseudonymisedAt: now });
    }
    db.prepare('DELETE FROM inbox WHERE sender = ?').run(userId);
    const naming = z
      .array(z.object({ eventId: z.string(), command: z.string() }))
      .parse(db.prepare('SELECT event_id AS eventId, command FROM inbox WHERE instr(command, ?) > 0').all(userId));
    for (const row of naming) db.prepare('UPDATE inbox SET command = ? WHERE event_id = ?').run(row.command.split(' ')[0]!, row.eventId);
  })();
  // secure_delete overwrote the old rows; the write-ahead log still holds copies until it is checkpointed.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return theirs.length;
}
