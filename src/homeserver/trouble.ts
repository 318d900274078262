// A homeserver failure in the words a user is told: the kind of trouble, never its details
// (the endpoint and the server are for the operator's log). Used by the bot's replies and by
// the jobs that describe why they failed. Pure.
import type { HomeserverErrorKind } from './errors.ts';

export function troubleDescription(kind: HomeserverErrorKind): string {
  switch (kind) {
    case 'timeout':
      return 'the homeserver did not answer in time.';
    case 'unreachable':
      return 'the homeserver could not be reached.';
    case 'rate-limited':
      return 'the homeserver is too busy right now.';
    case 'server-error':
      return 'the homeserver reported an internal error.';
    default:
      return 'the homeserver gave an answer I did not understand.';
  }
}
