// The last step of an erasure: the bot forgets the person. Other parts of the bot that keep
// something of theirs outside the requests table (export files, ...) plug in a ForgetHook;
// the hooks run first, while the person's requests still name them, then every request is
// pseudonymised (requests/retention.ts, forgetPerson). Both are safe to run again.
import type { Pseudonymise } from '../requests/pseudonym.ts';
import type { Request } from '../requests/request.ts';
import type { RequestService } from '../requests/requests.ts';
import { forgetPerson } from '../requests/retention.ts';
import type { Db } from '../store/database.ts';

/** Deletes what a part of the bot keeps about the person; must do nothing when run a second time. */
export type ForgetHook = (person: { userId: string; requests: readonly Request[] }) => Promise<void>;

export type Forgetter = (userId: string, erasureRequestId: string) => Promise<void>;

export function personForgetter(options: {
  db: Db;
  requests: RequestService;
  pseudonymise: Pseudonymise;
  hooks: readonly ForgetHook[];
  now: () => number;
}): Forgetter {
  const { db, requests, pseudonymise, hooks, now } = options;
  return async (userId, erasureRequestId) => {
    const theirs = requests.store.forUser(userId);
    for (const hook of hooks) await hook({ userId, requests: theirs });
    forgetPerson(db, requests, pseudonymise, userId, erasureRequestId, now());
  };
}
