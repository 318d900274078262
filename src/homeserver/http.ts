// A small JSON-over-HTTP client for a homeserver: one attempt is one fetch with its own
// timeout; retries are decided by pure functions below. Every answer is parsed with the
// caller's zod schema. Nothing here logs a token, a body, a query string or an IP: the
// optional `log` hook gets only "METHOD /endpoint/{template} status".
import type { z } from 'zod';
import { backoffDelay } from '../backoff.ts';
import { classifyFailure, displayUrl, failureMessage, HomeserverError, type HomeserverErrorKind } from './errors.ts';
import { ErrorBody } from './schemas.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A path with its IDs encoded, plus the template it came from (for errors and logs). */
export type Endpoint = { readonly template: string; readonly path: string };

/**
 * endpoint('/_synapse/admin/v2/users/{userId}', { userId }) percent-encodes each value
 * (so "!room:server", "@user:server" and "$event" are safe in a path) and keeps
 * the template, which holds no ID, for messages and logs.
 */
export function endpoint(template: string, params: Record<string, string> = {}): Endpoint {
  const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`endpoint ${template}: no value for {${name}}`);
    // encodeURIComponent leaves !'()* alone; Matrix IDs start with "!", so encode those too (RFC 3986).
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  });
  return { template, path };
}

export type RequestOptions<S extends z.ZodType> = {
  schema: S;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Send a token (default true). */
  auth?: boolean;
  /** Use this token instead of the client's (a puppet token from login-as). */
  token?: string;
  /** Retry a POST on 5xx, timeouts and dropped connections too (only where repeating is harmless). */
  retry?: boolean;
  /** 'text': the schema gets the body as a string (a text file from the media repository), not parsed JSON. */
  answerAs?: 'json' | 'text';
};

/** A request whose body or answer is a file, not JSON: uploads and downloads. */
export type StreamOptions = {
  query?: Record<string, string | number | boolean | undefined>;
  /** Called for every attempt, so that a retry sends the file again from its start. */
  body?: () => ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** Longest silence while the answer's body is read (default: the per-request timeout). */
  idleTimeoutMs?: number;
  /** For uploads: the whole request may take this long (default: the per-request timeout). */
  timeoutMs?: number;
  /** Ends the transfer (a cancelled export). */
  signal?: AbortSignal;
};

/** A successful answer whose body has not been read yet. */
export type StreamAnswer = {
  status: number;
  headers: Headers;
  /** The body; it errors with a timeout after `idleTimeoutMs` without data. Read it or cancel it. */
  body: ReadableStream<Uint8Array>;
};

export type HomeserverHttp = {
  readonly baseUrl: string;
  request<S extends z.ZodType>(method: Method, target: Endpoint | string, options: RequestOptions<S>): Promise<z.output<S>>;
  /** Like request, for bodies that are files: retried only where request would be, and only before the body flows. */
  stream(method: Method, target: Endpoint | string, options?: StreamOptions): Promise<StreamAnswer>;
};

export type HttpOptions = {
  baseUrl: string;
  accessToken: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  maxRetries?: number;
  baseDelayMs?: number;
  /** Longest wait a 429 may ask for. */
  maxRetryAfterMs?: number;
  /** The largest JSON answer read; a bigger one is refused as unusable (a hostile or broken server). */
  maxResponseBytes?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: (line: string) => void;
};

const IDEMPOTENT: ReadonlySet<Method> = new Set(['GET', 'PUT', 'DELETE']);

/** An answer the bot cannot use: asking again would get the same one. */
function unusableAnswer(status: number, endpoint: string, userMessage: string): Attempt<never> {
  return { ok: false, retryable: false, retryAfterMs: null, error: new HomeserverError({ kind: 'bad-response', status, endpoint, userMessage }) };
}

export function createHomeserverHttp(options: HttpOptions): HomeserverHttp {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});

  async function request<S extends z.ZodType>(method: Method, target: Endpoint | string, opts: RequestOptions<S>): Promise<z.output<S>> {
    const ep = typeof target === 'string' ? { template: target, path: target } : target;
    const name = `${method} ${ep.template}`;
    const url = buildUrl(baseUrl, ep.path, opts.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth ?? true) headers.authorization = `Bearer ${opts.token ?? options.accessToken}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const mayRepeat = IDEMPOTENT.has(method) || opts.retry === true;

    return withRetries(name, mayRepeat, () => attemptOnce({ url, method, headers, body, name, schema: opts.schema, text: opts.answerAs === 'text' }));
  }

  /** The one retry loop: attempts until one succeeds or retryDecision says to stop, then throws the last error. */
  async function withRetries<T>(name: string, mayRepeat: boolean, attempt: () => Promise<Attempt<T>>): Promise<T> {
    for (let attempts = 0; ; attempts++) {
      const outcome = await attempt();
      if (outcome.ok) return outcome.value;
      const decision = retryDecision(outcome, { attempt: attempts, maxRetries, mayRepeat, baseDelayMs, maxRetryAfterMs, random });
      if (decision === null) throw outcome.error;
      log(`${name} ${outcome.error.status ?? outcome.error.kind}: retrying in ${Math.round(decision)} ms`);
      await sleep(decision);
    }
  }

  async function attemptOnce<S extends z.ZodType>(call: {
    url: string;
    method: Method;
    headers: Record<string, string>;
    body: string | undefined;
    name: string;
    schema: S;
    text: boolean;
  }): Promise<Attempt<z.output<S>>> {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      // Redirects are not followed: a homeserver API has no business redirecting, and
      // following one could carry the token to another host.
      response = await fetch(call.url, { method: call.method, headers: call.headers, body: call.body, signal, redirect: 'manual' });
      const read = await readCapped(response, maxResponseBytes);
      if (read === null) {
        log(`${call.name} answer over ${maxResponseBytes} bytes: not read`);
        return unusableAnswer(
          response.status,
          call.name,
          `The homeserver answered ${call.name} on ${displayUrl(baseUrl)} with more than ${Math.round(maxResponseBytes / 1048576)} MiB; that is not an answer the bot can use.`,
        );
      }
      text = read;
    } catch (error) {
      const network = classifyNetworkError(error);
      log(`${call.name} failed: ${network.reason}`);
      return { ok: false, retryable: network.reason !== 'unreachable', retryAfterMs: null, error: networkError(network, call.name, baseUrl, timeoutMs) };
    }
    log(`${call.name} ${response.status}`);

    if (response.status >= 200 && response.status < 300) {
      const json = call.text ? { ok: true as const, value: text } : parseJson(text);
      const parsed = json.ok ? call.schema.safeParse(json.value) : null;
      if (parsed?.success) return { ok: true, value: parsed.data as z.output<S> };
      const where = parsed ? ` (at ${issuePaths(parsed.error.issues)})` : ' (not JSON)';
      return unusableAnswer(response.status, call.name, `The homeserver answered ${call.name} on ${displayUrl(baseUrl)} in an unexpected shape${where}.`);
    }
    return failedAttempt(response, text, call.name);
  }

  /** What a non-2xx answer means: a redirect we refuse to follow, or a classified Matrix error. */
  function failedAttempt(response: Response, text: string, name: string): Attempt<never> {
    if (response.status >= 300 && response.status < 400) {
      return unusableAnswer(
        response.status,
        name,
        `The homeserver redirected ${name} (${response.status}); set the homeserver URL to the address it redirects to instead of ${displayUrl(baseUrl)}.`,
      );
    }
    const call = { name };
    const json = parseJson(text);
    const errorBody = json.ok ? ErrorBody.safeParse(json.value) : null;
    const answer = {
      status: response.status,
      json: errorBody?.success ? errorBody.data : json.ok ? {} : null,
      endpoint: call.name,
    };
    const kind = classifyFailure(answer);
    return {
      ok: false,
      retryable: kind === 'rate-limited' || kind === 'server-error',
      retryAfterMs:
        kind === 'rate-limited'
          ? ((errorBody?.success ? errorBody.data.retry_after_ms : undefined) ?? parseRetryAfter(response.headers.get('retry-after')))
          : null,
      error: new HomeserverError({
        kind,
        status: response.status,
        errcode: answer.json?.errcode ?? null,
        endpoint: call.name,
        userMessage: failureMessage(kind, answer, baseUrl),
      }),
    };
  }

  async function stream(method: Method, target: Endpoint | string, opts: StreamOptions = {}): Promise<StreamAnswer> {
    const ep = typeof target === 'string' ? { template: target, path: target } : target;
    const name = `${method} ${ep.template}`;
    const url = buildUrl(baseUrl, ep.path, opts.query);
    const headers: Record<string, string> = { authorization: `Bearer ${options.accessToken}`, ...opts.headers };
    return withRetries(name, IDEMPOTENT.has(method), () => streamOnce({ url, method, headers, name }, opts));
  }

  /** One attempt of a stream: the answer with its body still to read, or why it failed. */
  async function streamOnce(
    call: { url: string; method: Method; headers: Record<string, string>; name: string },
    opts: StreamOptions,
  ): Promise<Attempt<StreamAnswer>> {
    const { url, method, headers, name } = call;
    opts.signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // Until the answer's headers arrive, the whole request is timed; after that, only silences are.
    const whole = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), opts.timeoutMs ?? timeoutMs);
    let outcome: Attempt<StreamAnswer>;
    try {
      const body = opts.body?.();
      const response = await fetch(url, {
        method,
        headers,
        redirect: 'manual',
        signal: controller.signal,
        ...(body ? { body, duplex: 'half' } : {}),
      } as RequestInit);
      clearTimeout(whole);
      log(`${name} ${response.status}`);
      if (response.status >= 200 && response.status < 300 && response.body) {
        const done = () => opts.signal?.removeEventListener('abort', onAbort);
        const idleMs = opts.idleTimeoutMs ?? timeoutMs;
        return {
          ok: true,
          value: { status: response.status, headers: response.headers, body: withIdleTimeout(response.body, idleMs, controller, name, done) },
        };
      }
      outcome = failedAttempt(response, await response.text(), name);
    } catch (error) {
      clearTimeout(whole);
      opts.signal?.throwIfAborted();
      const network = classifyNetworkError(error);
      log(`${name} failed: ${network.reason}`);
      outcome = { ok: false, retryable: network.reason !== 'unreachable', retryAfterMs: null, error: networkError(network, name, baseUrl, timeoutMs) };
    }
    opts.signal?.removeEventListener('abort', onAbort);
    return outcome;
  }

  return { baseUrl, request, stream };
}

/** Passes a body through, aborting the transfer when no data arrives for `idleMs`. */
function withIdleTimeout(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  controller: AbortController,
  name: string,
  done: () => void,
): ReadableStream<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        controller.abort(
          new HomeserverError({ kind: 'timeout', endpoint: name, userMessage: `The homeserver stopped sending ${name} for ${Math.round(idleMs / 1000)} s.` }),
        ),
      idleMs,
    );
    timer.unref();
  };
  arm();
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        arm();
        out.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
        done();
      },
      cancel() {
        clearTimeout(timer);
        done();
      },
    }),
  );
}

type Attempt<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: HomeserverError;
      /** Whether trying again could help (before method and attempt limits are applied). */
      retryable: boolean;
      /** For 429: what the server asked for, or null when it did not say. */
      retryAfterMs: number | null;
    };

/** How long to wait before the next attempt, or null to give up. Pure. */
export function retryDecision(
  outcome: { error: HomeserverError; retryable: boolean; retryAfterMs: number | null },
  limits: { attempt: number; maxRetries: number; mayRepeat: boolean; baseDelayMs: number; maxRetryAfterMs: number; random: () => number },
): number | null {
  if (!outcome.retryable || limits.attempt >= limits.maxRetries) return null;
  // A 429 means the request was not processed, so even a POST may be sent again.
  if (outcome.error.kind === 'rate-limited') {
    return Math.min(outcome.retryAfterMs ?? backoffDelay(limits.attempt, limits.baseDelayMs, limits.random), limits.maxRetryAfterMs);
  }
  if (!limits.mayRepeat) return null;
  return backoffDelay(limits.attempt, limits.baseDelayMs, limits.random);
}

/** Retry-After is seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export type NetworkFailure = { reason: 'timeout' | 'unreachable' | 'dropped'; code: string };

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** What a thrown fetch error means. Pure: looks at names and codes along the cause chain. */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const chain: unknown[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && chain.length < 6; e = (e as { cause?: unknown }).cause) chain.push(e);
  for (const e of chain) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { reason: 'timeout', code: 'timeout' };
  }
  for (const e of chain) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (TIMEOUT_CODES.has(code)) return { reason: 'timeout', code };
    if (UNREACHABLE_CODES.has(code)) return { reason: 'unreachable', code };
    if (DROPPED_CODES.has(code)) return { reason: 'dropped', code };
  }
  for (const e of chain) {
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /socket hang up|other side closed|terminated/i.test(message)) return { reason: 'dropped', code: 'socket hang up' };
  }
  // TLS failures and the like: connecting again will not help.
  const firstCode = chain.map((e) => (e as { code?: unknown }).code).find((c): c is string => typeof c === 'string');
  return { reason: 'unreachable', code: firstCode ?? 'fetch failed' };
}

function networkError(failure: NetworkFailure, name: string, baseUrl: string, timeoutMs: number): HomeserverError {
  const where = displayUrl(baseUrl);
  let kind: HomeserverErrorKind = 'unreachable';
  let userMessage: string;
  if (failure.reason === 'timeout') {
    kind = 'timeout';
    userMessage = `The homeserver at ${where} did not answer ${name} within ${Math.round(timeoutMs / 1000)} s.`;
  } else if (failure.reason === 'dropped') {
    userMessage = `The homeserver at ${where} dropped the connection during ${name} (${failure.code}).`;
  } else if (failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN' || failure.code === 'EAI_NONAME') {
    userMessage = `The homeserver's host name in ${where} could not be resolved (${failure.code}): is the URL right?`;
  } else {
    userMessage = `Could not connect to the homeserver at ${where} (${failure.code}): is the URL right and the server running?`;
  }
  return new HomeserverError({ kind, endpoint: name, userMessage, detail: failure.code });
}

function buildUrl(baseUrl: string, path: string, query: RequestOptions<z.ZodType>['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return `${baseUrl}${path.startsWith('/') ? path : `/${path}`}${search ? `?${search}` : ''}`;
}

/** A 1,000-event page is a few MiB; 64 MiB is far beyond any honest answer the bot asks for. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The body as text, or null (and the rest not downloaded) once it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Where a shape was wrong, without the data: only snake_case field names and indexes are kept; IDs used as keys (rooms, users, devices, types) become "*". */
export function issuePaths(issues: readonly { path: readonly PropertyKey[] }[]): string {
  const paths = issues
    .slice(0, 3)
    .map((issue) =>
      issue.path.length === 0
        ? '(top level)'
        : issue.path
            .map((part) =>
              typeof part === 'number' ? String(part) : typeof part === 'string' && /^[a-z_][a-z0-9_]*$/.test(part) && part.length <= 40 ? part : '*',
            )
            .join('.'),
    );
  return [...new Set(paths)].join(', ');
}
