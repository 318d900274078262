// How long to wait before trying again: used by the homeserver client (a request), the job
// runner (a whole job) and the mailer (a mail). Pure.

/** Exponential backoff with jitter, so that many callers do not retry in step. */
export function backoffDelay(attempt: number, baseDelayMs: number, random: () => number): number {
  return baseDelayMs * 2 ** attempt + random() * baseDelayMs;
}
