// Injected failures, to test the bot's retries and timeouts. A fault matches
// a request by method and raw path (as received, without the query) and
// fires `times` times before it is used up.
//
// 'drop' closes the connection before the request is handled. 'commit-then-drop' handles
// it (an event is stored) and then closes the connection without an answer: the client
// cannot know that its request took effect. 'lost-answer' handles it and never answers
// (until the client goes away): the window where a client is killed after the server
// acted and before it heard back.
// 'answer' replies with what the test says instead of what the server would: a broken or hostile server.
export type FaultKind = 'latency' | 'status' | 'rate-limit' | 'drop' | 'commit-then-drop' | 'lost-answer' | 'answer';

export interface FaultSpec {
  method?: string;
  /** Matched against the raw path: a string must be equal, a RegExp must match. */
  path: string | RegExp;
  /** How many matching requests it affects; default 1. */
  times?: number;
  kind: FaultKind;
  /** For 'latency': how long to hold the request before answering normally. */
  latencyMs?: number;
  /** For 'status': the HTTP status (default 500). */
  status?: number;
  /** For 'rate-limit': retry_after_ms in the 429 answer (default 1000). */
  retryAfterMs?: number;
  /** For 'answer': the status and JSON body to send back (the request is not handled). */
  answer?: { status: number; json: unknown };
  /** Just requests whose body contains this text. */
  bodyIncludes?: string;
  /** Only requests made with a token of this user. */
  userId?: string;
  /**
   * For 'commit-then-drop': runs after the request took effect and before the connection
   * is dropped (awaited), e.g. to kill the client at that very moment.
   */
  onCommitted?: () => void | Promise<void>;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class Faults {
  private active: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.active.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.active = [];
  }

  /** The first fault matching this request, used up by one; undefined when none. */
  take(method: string, rawPath: string, request: { userId?: string | null; body?: Buffer } = {}): FaultSpec | undefined {
    const { userId, body } = request;
    const fault = this.active.find(
      (f) =>
        matches(f, method, rawPath) &&
        (f.userId === undefined || f.userId === userId) &&
        (f.bodyIncludes === undefined || (body?.includes(f.bodyIncludes) ?? false)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault);
    return fault;
  }
}

function matches(fault: ActiveFault, method: string, rawPath: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof fault.path === 'string' ? fault.path === rawPath : fault.path.test(rawPath);
}
