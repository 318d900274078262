// One error type for everything that can go wrong between the bot and a homeserver.
// `userMessage` is safe to show anyone: it never holds a stack trace, a token, a user's
// data or a URL with a query string; `endpoint` is a template such as
// "GET /_synapse/admin/v2/users/{userId}", never a path with a real ID in it.

import { z } from 'zod';

export const HomeserverErrorKind = z.enum([
  'unreachable',
  'timeout',
  'unauthorized',
  'forbidden',
  'not-found',
  'unsupported',
  'rate-limited',
  'server-error',
  'bad-response',
]);
export type HomeserverErrorKind = z.infer<typeof HomeserverErrorKind>;

export type HomeserverErrorInit = {
  kind: HomeserverErrorKind;
  userMessage: string;
  /** HTTP status, or null when no answer arrived. */
  status?: number | null;
  /** Matrix errcode (e.g. M_UNRECOGNIZED), or null when the answer had none. */
  errcode?: string | null;
  /** "METHOD /path/{placeholder}", or null when not tied to one call. */
  endpoint?: string | null;
  /** A short low-level code (ECONNREFUSED, UND_ERR_SOCKET ...) for operators; never a message. */
  detail?: string | null;
};

export class HomeserverError extends Error {
  override name = 'HomeserverError';
  readonly kind: HomeserverErrorKind;
  readonly status: number | null;
  readonly errcode: string | null;
  readonly endpoint: string | null;
  readonly userMessage: string;
  readonly detail: string | null;

  constructor(init: HomeserverErrorInit) {
    // The message is the safe one too, so that logging `error.message` leaks nothing.
    super(init.userMessage);
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.errcode = init.errcode ?? null;
    this.endpoint = init.endpoint ?? null;
    this.userMessage = init.userMessage;
    this.detail = init.detail ?? null;
  }
}

export function isHomeserverError(error: unknown, kind?: HomeserverErrorKind): error is HomeserverError {
  return error instanceof HomeserverError && (kind === undefined || error.kind === kind);
}

/** A room whose messages cannot be read: 403/404 from the messages endpoint itself (e.g. the user never joined it). */
export function isRoomRefusal(error: unknown): boolean {
  return (isHomeserverError(error, 'forbidden') || isHomeserverError(error, 'not-found')) && error.endpoint?.endsWith('/messages') === true;
}

/** What a failed HTTP answer means; pure, so the recordings can test it. */
export type FailedAnswer = {
  status: number;
  /** The parsed JSON body, or null when the body was not JSON (an HTML error page). */
  json: { errcode?: string | undefined; error?: string | undefined } | null;
  /** e.g. "GET /_synapse/admin/v1/users/{userId}/memberships" */
  endpoint: string;
};

export function classifyFailure(answer: FailedAnswer): HomeserverErrorKind {
  const { status, json } = answer;
  const errcode = json?.errcode;
  // Unknown endpoints: 400 M_UNRECOGNIZED on Synapse 1.67, 404 M_UNRECOGNIZED on current servers.
  if (errcode === 'M_UNRECOGNIZED' && (status === 400 || status === 404 || status === 405)) return 'unsupported';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate-limited';
  // A 404 without JSON is a web server's page, not a Matrix answer: the path is not served
  // (Synapse without a federation listener, /_tuwunel/... on Synapse, a proxy hiding the
  // admin API). Never 'not-found': that would read as "no such user".
  if (status === 404) return json === null ? 'unsupported' : 'not-found';
  if (status >= 500) return 'server-error';
  return 'bad-response';
}

/** The base URL as it is safe to show: no credentials, no query, no fragment. */
export function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return 'the configured homeserver URL';
  }
}

export function failureMessage(kind: HomeserverErrorKind, answer: FailedAnswer, baseUrl: string): string {
  const where = `${answer.endpoint} on ${displayUrl(baseUrl)}`;
  const code = answer.json?.errcode ? ` ${answer.json.errcode}` : '';
  switch (kind) {
    case 'unsupported':
      return answer.json === null && answer.endpoint.includes(' /_synapse/admin/')
        ? `The homeserver answered ${answer.status} without JSON to ${where}: the admin API does not seem to be reachable at this address (does the reverse proxy forward /_synapse/admin?).`
        : `The homeserver does not offer ${where} (${answer.status}${code}).`;
    case 'unauthorized':
      return `The homeserver refused the access token for ${where} (401${code}): the token is missing, wrong, expired or logged out.`;
    case 'forbidden':
      return `The homeserver did not allow ${where} (403${code}): the token does not belong to a server admin.`;
    case 'not-found':
      return `The homeserver found nothing at ${where} (404${code}).`;
    case 'rate-limited':
      return `The homeserver kept rate-limiting ${where} (429); try again later.`;
    case 'server-error':
      return `The homeserver failed with an internal error (${answer.status}${code}) on ${where}.`;
    default:
      return `The homeserver refused or garbled ${where} (${answer.status}${code}).`;
  }
}
