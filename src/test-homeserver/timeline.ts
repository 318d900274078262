// Reading room timelines page by page: /messages and /context for clients
// and for the admin API. Pagination tokens name a position between events:
// "t<k>-..." means "after the first k events"; sync's "s<N>_..." tokens are
// accepted too and mean "after every event up to stream position N".

import { MatrixError, notFound } from './errors.ts';
import { clientEvent } from './events.ts';
import { filterParam, intParam } from './http.ts';
import type { HomeserverModel, JsonObject, RoomRecord, StoredEvent, TokenRecord } from './model.ts';

export interface EventFilter {
  senders?: string[];
  not_senders?: string[];
  types?: string[];
  not_types?: string[];
}

export interface ReadOptions {
  /** Highest timeline index the reader may see (a user who left sees up to the leave). */
  visibleUpTo: number;
  /** The reader's token, for unsigned.transaction_id. */
  viewer: TokenRecord | null;
  /** Prune events of erased senders for a reader who was not in the room then (client API; Tuwunel's admin reads too). */
  pruneErasedFor: string | null;
  /** Such a pruned copy carries no `unsigned` at all, not even a redaction (Tuwunel's Pdu::redacted). */
  prunedWithoutUnsigned?: boolean;
  /** The server's largest page: a bigger `limit` is quietly lowered to it. */
  maxLimit?: number;
  /** The direction when `dir` is missing (default 'b'). */
  defaultDir?: 'b' | 'f';
  /** A forward read without `from` starts at the beginning of the room instead of its end. */
  forwardWithoutFromStartsAtBeginning?: boolean;
}

const globMatch = (pattern: string, value: string): boolean => (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : pattern === value);

export function matchesFilter(ev: StoredEvent, filter: EventFilter): boolean {
  if (filter.senders && !filter.senders.includes(ev.sender)) return false;
  if (filter.not_senders?.includes(ev.sender)) return false;
  if (filter.types && !filter.types.some((t) => globMatch(t, ev.type))) return false;
  if (filter.not_types?.some((t) => globMatch(t, ev.type))) return false;
  return true;
}

export function positionToken(room: RoomRecord, k: number): string {
  const pos = room.events[k - 1]?.pos ?? 0;
  return `t${k}-${pos}_0_0_0_0_0_0_0_0`;
}

/** The position (0..n) a token names; n (the end of the room) when absent. */
export function parsePosition(room: RoomRecord, token: string | null): number {
  const n = room.events.length;
  if (token === null || token === '') return n;
  const t = /^t(\d+)-/.exec(token);
  if (t) return Math.min(Number(t[1]), n);
  const s = /^s(\d+)(_|$)/.exec(token);
  if (s) return room.events.filter((e) => e.pos <= Number(s[1])).length;
  throw new MatrixError(400, 'M_INVALID_PARAM', `Invalid pagination token '${token}'`);
}

function serialize(model: HomeserverModel, ev: StoredEvent, opts: ReadOptions, now: number): JsonObject {
  const viewer = { token: opts.viewer?.token ?? null };
  let prune = false;
  if (opts.pruneErasedFor !== null && model.user(ev.sender)?.erasedAt != null) {
    prune = model.membershipAt(ev.roomId, opts.pruneErasedFor, ev.index) !== 'join';
  }
  const out = clientEvent(ev, viewer, now, prune);
  if (prune && opts.prunedWithoutUnsigned) {
    for (const key of ['unsigned', 'age', 'redacted_because', 'replaces_state', 'prev_content']) delete out[key];
  }
  return out;
}

/**
 * GET /messages: Synapse 1.67 starts at the end of the room when `from` is missing, whatever
 * `dir`; current Synapse and Tuwunel start a forward read at the beginning (`opts`).
 * `to` (any token, sync ones included) is where paging stops: the events between `from`
 * and `to`, never beyond; a `to` behind `from` gives nothing.
 */
export function paginate(model: HomeserverModel, room: RoomRecord, query: URLSearchParams, opts: ReadOptions): JsonObject {
  const dir = query.get('dir') ?? opts.defaultDir ?? 'b';
  if (dir !== 'b' && dir !== 'f') throw new MatrixError(400, 'M_INVALID_PARAM', "Query parameter \"dir\" must be one of ['b', 'f']");
  const limit = Math.min(Math.max(0, intParam(query, 'limit', 10)), opts.maxLimit ?? Number.MAX_SAFE_INTEGER);
  const filter = filterParam(query) as EventFilter;
  const from = query.get('from');
  const start = dir === 'f' && !from && opts.forwardWithoutFromStartsAtBeginning ? 0 : parsePosition(room, from);
  const toToken = query.get('to');
  const stop = toToken === null || toToken === '' ? null : parsePosition(room, toToken);
  const beyondTo = (i: number): boolean => stop !== null && (dir === 'b' ? i < stop : i >= stop);
  const chunk: StoredEvent[] = [];
  let i = dir === 'b' ? start - 1 : start;
  while (chunk.length < limit && i >= 0 && i < room.events.length && !beyondTo(i)) {
    const ev = room.events[i];
    if (ev && ev.index <= opts.visibleUpTo && matchesFilter(ev, filter)) chunk.push(ev);
    i += dir === 'b' ? -1 : 1;
  }
  const now = Date.now();
  const body: JsonObject = {
    chunk: chunk.map((e) => serialize(model, e, opts, now)),
    start: positionToken(room, start),
  };
  const last = chunk[chunk.length - 1];
  // No `end` once nothing came back: that is how a client knows it reached the end.
  if (last) body['end'] = positionToken(room, dir === 'b' ? last.index : last.index + 1);
  return body;
}

/** GET /context/{eventId}: limit/2 events before, the rest after, and the state there. */
export function eventContext(model: HomeserverModel, room: RoomRecord, eventId: string, query: URLSearchParams, opts: ReadOptions): JsonObject {
  const target = room.events.find((e) => e.eventId === eventId);
  if (!target || target.index > opts.visibleUpTo) throw notFound('Event not found.');
  const limit = Math.max(0, intParam(query, 'limit', 10));
  const filter = filterParam(query) as EventFilter;
  const beforeLimit = Math.floor(limit / 2);
  const afterLimit = limit - beforeLimit;
  const visible = (e: StoredEvent): boolean => e.index <= opts.visibleUpTo && matchesFilter(e, filter);
  const before = room.events.slice(0, target.index).filter(visible).reverse().slice(0, beforeLimit);
  const after = room.events
    .slice(target.index + 1)
    .filter(visible)
    .slice(0, afterLimit);
  const lastIndex = after[after.length - 1]?.index ?? target.index;
  const state = new Map<string, StoredEvent>();
  for (const e of room.events) {
    if (e.index > lastIndex) break;
    if (e.stateKey !== undefined) state.set(`${e.type}\u0000${e.stateKey}`, e);
  }
  const now = Date.now();
  const ser = (e: StoredEvent): JsonObject => serialize(model, e, opts, now);
  return {
    events_before: before.map(ser),
    event: ser(target),
    events_after: after.map(ser),
    state: [...state.values()].filter((e) => matchesFilter(e, filter)).map(ser),
    start: positionToken(room, before[before.length - 1]?.index ?? target.index),
    end: positionToken(room, lastIndex + 1),
  };
}
