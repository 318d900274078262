// HTTP plumbing shared by the API modules: replies, the request context handlers
// receive, and a small router over decoded path segments (room IDs arrive both raw
// "!a:b" and encoded "%21a%3Ab").
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { MatrixError } from './errors.ts';
import type { FlavourDescriptor } from './flavours.ts';
import type { MessageRateLimiter } from './message-rate.ts';
import type { HomeserverModel, JsonObject, TokenRecord } from './model.ts';
import type { TaskScheduler } from './task-scheduler.ts';

export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'stream'; status: number; headers: Record<string, string>; body: Readable };

export const json = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({ kind: 'json', status, body, ...(headers ? { headers } : {}) });

/** What the server knows that handlers need besides the request. */
export interface ServerState {
  model: HomeserverModel;
  flavour: FlavourDescriptor;
  /** http://127.0.0.1:<port>, for well_known in login answers. */
  url: string;
  registrationSecret: string;
  /** Long-polls end at once when this fires (close()). */
  closing: AbortSignal;
  /** The largest upload, in bytes (`m.upload.size`). */
  uploadLimit: number;
  /** Runs a background job after `ms`, unless the server closes first. */
  later: (ms: number, fn: () => void) => void;
  /** The server's background tasks (user redaction, room deletion). */
  tasks: TaskScheduler;
  /** Synapse's message rate limit; it limits nothing unless the server runs with `rateLimits: 'synapse-defaults'`. */
  rateLimiter: MessageRateLimiter;
  /** How long a room deletion runs before it completes. */
  roomDeletionMs: number;
  /** Pause between the rooms of a user redaction task. */
  redactionStepMs: number;
}

export interface RequestContext {
  state: ServerState;
  req: IncomingMessage;
  method: string;
  rawPath: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: Buffer;
  /** The caller's valid token, or null when it sent none or an invalid one. */
  token: TokenRecord | null;
  /** Whether the request carried a token at all (to tell missing from invalid). */
  tokenSent: boolean;
}

/** The request body as a JSON object; {} when empty. */
export function jsonBody(ctx: RequestContext): JsonObject {
  if (ctx.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(ctx.body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // fall through
  }
  throw new MatrixError(400, 'M_NOT_JSON', 'Content not JSON.');
}

/** The caller's token, or the 401 Synapse answers without a valid one. */
export function requireAuth(ctx: RequestContext): TokenRecord {
  if (ctx.token) return ctx.token;
  if (!ctx.tokenSent) throw new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token');
  throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.', { soft_logout: false });
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** Pattern segments in braces ({roomId}) capture one decoded segment, possibly empty. */
  add(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, segments: pattern.split('/'), handler });
  }

  /** The handler for the path, 'wrong-method' when only the method differs, or undefined. */
  match(method: string, segments: string[]): { handler: Handler; params: Record<string, string> } | 'wrong-method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      pathMatched = true;
    }
    return pathMatched ? 'wrong-method' : undefined;
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const a = actual[i] ?? '';
    if (p.startsWith('{') && p.endsWith('}')) params[p.slice(1, -1)] = a;
    else if (p !== a) return undefined;
  }
  return params;
}

/** Splits a raw path into decoded segments; undefined when the encoding is broken. */
export function decodeSegments(rawPath: string): string[] | undefined {
  try {
    return rawPath.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Parses an integer query parameter, with Synapse's 400 for garbage. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new MatrixError(400, 'M_INVALID_PARAM', `Query parameter "${name}" must be an integer`);
  return n;
}

/** Parses the JSON filter query parameter (/messages, /context). */
export function filterParam(query: URLSearchParams): JsonObject {
  const raw = query.get('filter');
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') return parsed as JsonObject;
  } catch {
    // fall through
  }
  throw new MatrixError(400, 'M_INVALID_PARAM', 'Invalid JSON in filter');
}
