// What a failed client-server request means for the caller. Pure.
//
// matrix-bot-sdk throws a MatrixError (statusCode, errcode, retryAfterMs) for a Matrix
// error body, the raw response for another non-2xx answer, and the network error
// (no statusCode) when no answer came at all: a dropped connection or a timeout.

export type RequestFailure =
  /** 429: the server did not take the request; wait as asked. */
  | { kind: 'rate-limited'; waitMs: number }
  /** 413 M_TOO_LARGE: the event is over the server's size limit. */
  | { kind: 'too-large' }
  /** Any other 4xx: the server understood and refused; the same request will not do better. */
  | { kind: 'refused'; status: number; errcode: string | null }
  /** 5xx or no answer: the request may or may not have taken effect. */
  | { kind: 'unavailable' };

const MAX_RATE_LIMIT_WAIT_MS = 60_000;

export function requestFailure(error: unknown): RequestFailure {
  const { statusCode, errcode, retryAfterMs } = (error ?? {}) as { statusCode?: unknown; errcode?: unknown; retryAfterMs?: unknown };
  if (typeof statusCode !== 'number' || statusCode >= 500) return { kind: 'unavailable' };
  if (statusCode === 429) {
    const asked = typeof retryAfterMs === 'number' && retryAfterMs >= 0 ? retryAfterMs : 1000;
    return { kind: 'rate-limited', waitMs: Math.min(asked, MAX_RATE_LIMIT_WAIT_MS) };
  }
  if (statusCode === 413 || errcode === 'M_TOO_LARGE') return { kind: 'too-large' };
  return { kind: 'refused', status: statusCode, errcode: typeof errcode === 'string' ? errcode : null };
}

/** For the log and the admins: what went wrong, in a few words, without details. */
export function describeFailure(failure: RequestFailure): string {
  switch (failure.kind) {
    case 'rate-limited':
      return 'the homeserver kept asking to slow down';
    case 'too-large':
      return 'the homeserver refused the message as too large';
    case 'refused':
      return `the homeserver refused it (${failure.status}${failure.errcode === null ? '' : ` ${failure.errcode}`})`;
    case 'unavailable':
      return 'the homeserver failed or did not answer';
  }
}
