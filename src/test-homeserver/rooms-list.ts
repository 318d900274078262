// GET /_synapse/admin/v1/rooms: every room the server knows, paged by an integer offset, as
// Synapse (synapse/rest/admin/rooms.py ListRoomRestServlet, storage get_rooms_paginate; shape
// measured on 1.160) and Tuwunel (src/api/client/admin/rooms/list_rooms.rs) answer it:
// {rooms, offset, total_rooms, next_batch?, prev_batch?}. A room whose current state Synapse
// dropped is listed with null name and rules and joined_local_members 0; a purged room is gone.

import type { AdminRegistrar } from './admin-common.ts';
import { requireAdmin } from './admin-common.ts';
import { MatrixError } from './errors.ts';
import type { Reply, RequestContext } from './http.ts';
import { intParam, json } from './http.ts';
import type { JsonObject } from './model.ts';
import { roomRow } from './room-summary.ts';

/** Synapse's columns and the direction each sorts in by default (true: ascending). */
const SYNAPSE_ORDER: Record<string, { column: string; ascending: boolean }> = {
  alphabetical: { column: 'name', ascending: true },
  size: { column: 'joined_members', ascending: false },
  name: { column: 'name', ascending: true },
  canonical_alias: { column: 'canonical_alias', ascending: true },
  joined_members: { column: 'joined_members', ascending: false },
  joined_local_members: { column: 'joined_local_members', ascending: false },
  version: { column: 'version', ascending: false },
  creator: { column: 'creator', ascending: true },
  encryption: { column: 'encryption', ascending: true },
  federatable: { column: 'federatable', ascending: true },
  public: { column: 'public', ascending: true },
  join_rules: { column: 'join_rules', ascending: true },
  guest_access: { column: 'guest_access', ascending: true },
  history_visibility: { column: 'history_visibility', ascending: true },
  state_events: { column: 'state_events', ascending: false },
};

/** Ascending order of two column values as SQLite and Rust's Option both have it: null (None) first. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function optionalBoolean(ctx: RequestContext, name: string): boolean | null {
  const raw = ctx.query.get(name);
  if (raw === null) return null;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new MatrixError(400, 'M_INVALID_PARAM', `Boolean query parameter '${name}' must be one of ['true', 'false']`);
}

function synapseRooms(ctx: RequestContext, rows: JsonObject[]): JsonObject[] {
  const orderBy = ctx.query.get('order_by') ?? 'name';
  const order = SYNAPSE_ORDER[orderBy];
  if (!order)
    throw new MatrixError(
      400,
      'M_INVALID_PARAM',
      `Query parameter 'order_by' must be one of [${Object.keys(SYNAPSE_ORDER)
        .map((k) => `'${k}'`)
        .join(', ')}]`,
    );
  const dir = ctx.query.get('dir') ?? 'f';
  if (dir !== 'f' && dir !== 'b') throw new MatrixError(400, 'M_INVALID_PARAM', "Query parameter 'dir' must be one of ['b', 'f']");
  const term = ctx.query.get('search_term');
  if (term === '') throw new MatrixError(400, 'M_INVALID_PARAM', 'search_term cannot be an empty string');
  const publicRooms = optionalBoolean(ctx, 'public_rooms');
  const emptyRooms = optionalBoolean(ctx, 'empty_rooms');
  const matches = (row: JsonObject): boolean => {
    if (term === null) return true;
    const lower = term.toLowerCase();
    const name = typeof row['name'] === 'string' ? row['name'].toLowerCase() : null;
    const alias = typeof row['canonical_alias'] === 'string' ? row['canonical_alias'].toLowerCase() : null;
    // LOWER(name) LIKE %term%, LOWER(alias) LIKE #%term%:%, room_id = term.
    return (name?.includes(lower) ?? false) || (alias?.slice(1, alias.indexOf(':')).includes(lower) ?? false) || row['room_id'] === term;
  };
  const ascending = dir === 'b' ? !order.ascending : order.ascending;
  const sign = ascending ? 1 : -1;
  return rows
    .filter(matches)
    .filter((row) => publicRooms === null || row['public'] === publicRooms)
    .filter((row) => emptyRooms === null || (row['joined_members'] === 0) === emptyRooms)
    .sort((a, b) => sign * (compareValues(a[order.column], b[order.column]) || compareValues(a['room_id'], b['room_id'])));
}

/** Tuwunel's columns (an unknown order falls back to the name). */
const TUWUNEL_COLUMNS: Record<string, string> = {
  canonical_alias: 'canonical_alias',
  joined_members: 'joined_members',
  size: 'joined_members',
  joined_local_members: 'joined_local_members',
  version: 'version',
  creator: 'creator',
  encryption: 'encryption',
  federatable: 'federatable',
  public: 'public',
  join_rules: 'join_rules',
  guest_access: 'guest_access',
  history_visibility: 'history_visibility',
  state_events: 'state_events',
};

function tuwunelRooms(ctx: RequestContext, rows: JsonObject[]): JsonObject[] {
  const column = TUWUNEL_COLUMNS[ctx.query.get('order_by') ?? ''] ?? 'name';
  const term = ctx.query.get('search_term')?.toLowerCase() ?? null;
  const publicRooms = optionalBoolean(ctx, 'public_rooms');
  const emptyRooms = optionalBoolean(ctx, 'empty_rooms');
  const matches = (row: JsonObject): boolean => {
    if (term === null) return true;
    const name = typeof row['name'] === 'string' ? row['name'].toLowerCase() : null;
    const alias = typeof row['canonical_alias'] === 'string' ? row['canonical_alias'].toLowerCase() : null;
    // The room ID is compared with the lower-cased term, so an ID with capitals never matches.
    return (name?.includes(term) ?? false) || (alias?.includes(term) ?? false) || row['room_id'] === term;
  };
  const sorted = rows
    .filter(matches)
    .filter((row) => publicRooms === null || row['public'] === publicRooms)
    .filter((row) => emptyRooms === null || (row['joined_local_members'] === 0) === emptyRooms)
    .sort((a, b) => compareValues(a[column], b[column]) || compareValues(a['room_id'], b['room_id']));
  return ctx.query.get('dir') === 'b' ? sorted.reverse() : sorted;
}

function listRooms(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const rows = [...ctx.state.model.rooms.values()].map((room) => roomRow(ctx.state, room));
  const rooms = ctx.state.flavour.roomsList === 'synapse' ? synapseRooms(ctx, rows) : tuwunelRooms(ctx, rows);
  const from = Math.max(0, intParam(ctx.query, 'from', 0));
  const limit = Math.max(0, intParam(ctx.query, 'limit', 100));
  const body: JsonObject = { offset: from, rooms: rooms.slice(from, from + limit), total_rooms: rooms.length };
  if (from + limit < rooms.length) body['next_batch'] = from + limit;
  if (from > 0) body['prev_batch'] = Math.max(0, from - limit);
  return json(body);
}

export function registerRoomsList(r: AdminRegistrar): void {
  r('GET', '/v1/rooms', listRooms);
}
