// The one place where the bot stops trying to answer a command: it records the command
// as failed, so that it is never tried again, and tells the admins once, so that a
// person can answer instead. (Later, a given-up request becomes a failed, escalated one.)
import type { Logger } from '../log.ts';
import type { Document } from '../render/document.ts';
import type { FailedEntry, Inbox, InboxEntry } from '../store/inbox.ts';
import * as adminNotices from './admin-notices.ts';

export type GiveUpDependencies = {
  inbox: Inbox;
  /** Sends to the admin room (false: there is none); `key` makes a repeat of the same notice a no-op. */
  tellAdmins: (document: Document, key: string) => Promise<boolean>;
  /** Fails (and escalates, once) the request the command opened, if it opened one. */
  failRequest?: (commandEventId: string) => Promise<void>;
  log: Logger;
  now: () => number;
};

export async function giveUp(deps: GiveUpDependencies, entry: InboxEntry, failure: string): Promise<void> {
  deps.inbox.markFailed(entry.eventId, deps.now(), failure);
  // The user ID is what the admins need to follow up; the command word stays out of the log.
  deps.log.warn(`gave up answering a command from ${entry.sender}: ${failure}`);
  await deps.failRequest?.(entry.eventId);
  await reportGivenUp(deps, { ...entry, failure });
}

/** Tells the admins about a given-up command; at start-up too, for one whose report did not get through. */
export async function reportGivenUp(deps: GiveUpDependencies, entry: FailedEntry): Promise<void> {
  if (await deps.tellAdmins(adminNotices.commandGivenUp(entry, entry.failure), `given-up:${entry.eventId}`))
    deps.inbox.markFailureReported(entry.eventId, deps.now());
}
