// What happens when answering a command fails: try again later, or give up. Pure.
//
// Attempts are counted in the inbox before each one starts, across restarts, so a
// command that can never be answered (or that crashes the bot) ends after a few.
import type { RequestFailure } from '../matrix/request-failure.ts';

export const MAX_ANSWER_ATTEMPTS = 3;

/** Waits before the next attempt within one run: after the first failure, after the second. */
const RETRY_AFTER_MS: readonly number[] = [60_000, 15 * 60_000];

export type AfterFailure = { kind: 'retry'; afterMs: number } | { kind: 'give-up' };

export function afterFailedAttempt(attempt: number, failure: RequestFailure): AfterFailure {
  // The server understood and said no (not in the room, too large even when short): asking again changes nothing.
  if (failure.kind === 'refused' || failure.kind === 'too-large') return { kind: 'give-up' };
  if (attempt >= MAX_ANSWER_ATTEMPTS) return { kind: 'give-up' };
  return { kind: 'retry', afterMs: RETRY_AFTER_MS[Math.min(attempt - 1, RETRY_AFTER_MS.length - 1)]! };
}

/** The key of a command's reply: one reply per command, whatever happens (send-once.ts). */
export const replyKey = (commandEventId: string): string => `reply:${commandEventId}`;
