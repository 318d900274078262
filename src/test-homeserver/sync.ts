// GET /sync: builds the answer for one user from the model, and long-polls
// when an incremental sync has nothing new. Follows what Synapse 1.67 was
// recorded sending: empty sections are left out, a joined room always has
// timeline/state/account_data/ephemeral/unread_notifications/summary, state
// events of small rooms travel in the timeline, the default timeline limit is 10.
import { endToEndSyncSections } from './e2ee-sync.ts';
import { MatrixError } from './errors.ts';
import { strippedEvent, syncEvent } from './events.ts';
import type { Reply, RequestContext } from './http.ts';
import { json, requireAuth } from './http.ts';
import type { HomeserverModel, JsonObject, RoomRecord, StoredEvent, TokenRecord, UserRecord } from './model.ts';
import { defaultPushRules } from './push-rules.ts';

export interface SyncFilter {
  includeLeave: boolean;
  timelineLimit: number;
}

const DEFAULT_TIMELINE_LIMIT = 10;

export const streamToken = (pos: number): string => `s${pos}_0_0_0_0_0_0_0_0`;

/** The stream position of a sync token ("s<N>_..."), null for none. */
export function parseSince(raw: string | null): number | null {
  if (raw === null || raw === '') return null;
  const m = /^s(\d+)(_|$)/.exec(raw);
  if (!m) throw new MatrixError(400, 'M_INVALID_PARAM', `Invalid stream token '${raw}'`);
  return Number(m[1]);
}

/** The filter query parameter: inline JSON or an ID from POST /user/{u}/filter. */
export function parseSyncFilter(user: UserRecord, raw: string | null): SyncFilter {
  let def: JsonObject = {};
  if (raw) {
    if (raw.startsWith('{')) {
      try {
        def = JSON.parse(raw) as JsonObject;
      } catch {
        throw new MatrixError(400, 'M_INVALID_PARAM', 'Invalid filter');
      }
    } else {
      const stored = user.filters[Number(raw)];
      if (!stored) throw new MatrixError(400, 'M_INVALID_PARAM', 'Invalid filter ID');
      def = stored;
    }
  }
  const room = (def['room'] ?? {}) as JsonObject;
  const timeline = (room['timeline'] ?? {}) as JsonObject;
  const limit = timeline['limit'];
  return {
    includeLeave: room['include_leave'] === true,
    timelineLimit: typeof limit === 'number' ? limit : DEFAULT_TIMELINE_LIMIT,
  };
}

/** The user's membership as of a stream position (null: none yet). */
function membershipAtPos(room: RoomRecord, userId: string, pos: number): string | null {
  let m: string | null = null;
  for (const ev of room.events) {
    if (ev.pos > pos) break;
    if (ev.type === 'm.room.member' && ev.stateKey === userId) m = ev.content['membership'] as string;
  }
  return m;
}

/** Current state as it was just before `index`, one event per (type, state_key). */
function stateBefore(room: RoomRecord, index: number): StoredEvent[] {
  const state = new Map<string, StoredEvent>();
  for (const ev of room.events) {
    if (ev.index >= index) break;
    if (ev.stateKey !== undefined) state.set(`${ev.type}\u0000${ev.stateKey}`, ev);
  }
  return [...state.values()];
}

/** Messages from others after the user's read receipt that the default push rules notify for. */
export function unreadCount(room: RoomRecord, userId: string): number {
  const receipt = room.receipts.get(userId);
  const from = receipt ? (room.events.find((e) => e.eventId === receipt)?.index ?? -1) : -1;
  return room.events.filter(
    (e) =>
      e.index > from &&
      e.sender !== userId &&
      !e.redactedBy &&
      ((e.type === 'm.room.message' && e.content['msgtype'] !== 'm.notice') || e.type === 'm.room.encrypted'),
  ).length;
}

interface Timeline {
  events: StoredEvent[];
  limited: boolean;
}

function limitTimeline(events: StoredEvent[], limit: number): Timeline {
  if (events.length <= limit) return { events, limited: false };
  return { events: limit > 0 ? events.slice(-limit) : [], limited: true };
}

function timelineJson(t: Timeline, token: TokenRecord, now: number, nextBatch: string): JsonObject {
  const first = t.events[0];
  return {
    events: t.events.map((e) => syncEvent(e, token, now)),
    prev_batch: first ? streamToken(first.pos - 1) : nextBatch,
    limited: t.limited,
  };
}

/** State that a limited timeline skipped over, as Synapse sends it in state.events. */
function skippedState(room: RoomRecord, t: Timeline, since: number | null, token: TokenRecord, now: number): unknown[] {
  const first = t.events[0];
  if (!t.limited) return [];
  const index = first ? first.index : room.events.length;
  return stateBefore(room, index)
    .filter((e) => since === null || e.pos > since)
    .map((e) => syncEvent(e, token, now));
}

function roomAccountData(user: UserRecord, roomId: string, since: number | null): unknown[] {
  const out: unknown[] = [];
  for (const [type, entry] of user.roomAccountData.get(roomId) ?? []) {
    if (since === null ? !entry.deleted : entry.pos > since) out.push({ type, content: entry.content });
  }
  const tags = user.tags.get(roomId);
  if (tags && (since === null || tags.pos > since)) out.push({ type: 'm.tag', content: { tags: tags.content } });
  return out;
}

function joinedRoom(
  room: RoomRecord,
  user: UserRecord,
  token: TokenRecord,
  since: number | null,
  filter: SyncFilter,
  now: number,
  nextBatch: string,
): JsonObject | undefined {
  const newlyJoined = since === null || membershipAtPos(room, user.userId, since) !== 'join';
  const events = newlyJoined ? room.events : room.events.filter((e) => e.pos > (since ?? 0));
  const accountData = roomAccountData(user, room.roomId, newlyJoined ? null : since);
  // Typing travels as ephemeral m.typing when it changed since the last sync (and is not empty on a first sync).
  const typingChanged = since === null ? room.typing.userIds.length > 0 : room.typing.pos > since;
  const ephemeral = typingChanged ? [{ type: 'm.typing', content: { user_ids: room.typing.userIds } }] : [];
  if (!newlyJoined && events.length === 0 && accountData.length === 0 && ephemeral.length === 0) return undefined;
  const t = limitTimeline(events, filter.timelineLimit);
  const count = unreadCount(room, user.userId);
  return {
    timeline: timelineJson(t, token, now, nextBatch),
    state: { events: skippedState(room, t, newlyJoined ? null : since, token, now) },
    account_data: { events: accountData },
    ephemeral: { events: ephemeral },
    unread_notifications: { notification_count: count, highlight_count: 0 },
    summary: {},
  };
}

// Synapse 1.67's room_prejoin_state types, then the inviter's member event.
const PREJOIN_TYPES = ['m.room.join_rules', 'm.room.canonical_alias', 'm.room.avatar', 'm.room.encryption', 'm.room.name'];

function invitedRoom(model: HomeserverModel, room: RoomRecord, invite: StoredEvent, token: TokenRecord, now: number): JsonObject {
  const stripped: unknown[] = [];
  const add = (ev: StoredEvent | undefined): void => {
    if (ev) stripped.push(strippedEvent(ev));
  };
  for (const type of PREJOIN_TYPES) add(model.stateEvent(room.roomId, type, ''));
  add(model.stateEvent(room.roomId, 'm.room.member', invite.sender));
  add(model.stateEvent(room.roomId, 'm.room.create', ''));
  add(model.stateEvent(room.roomId, 'm.room.topic', ''));
  // Only the invitee's own member event is sent in full (event_id, origin_server_ts, unsigned).
  const own = syncEvent(invite, token, now) as unknown as JsonObject;
  stripped.push({
    type: own['type'],
    sender: own['sender'],
    content: own['content'],
    state_key: own['state_key'],
    origin_server_ts: own['origin_server_ts'],
    unsigned: own['unsigned'],
    event_id: own['event_id'],
  });
  return { invite_state: { events: stripped } };
}

function leftRoom(
  room: RoomRecord,
  user: UserRecord,
  leave: StoredEvent,
  token: TokenRecord,
  since: number | null,
  filter: SyncFilter,
  now: number,
  nextBatch: string,
): JsonObject | undefined {
  const before = since === null ? null : membershipAtPos(room, user.userId, since);
  if (since !== null && leave.pos <= since) return undefined;
  if (since === null && !filter.includeLeave) return undefined;
  // Someone who only rejected an invite sees nothing but the leave itself.
  const wasJoined = room.events.some(
    (e) => e.type === 'm.room.member' && e.stateKey === user.userId && e.content['membership'] === 'join' && e.index < leave.index,
  );
  let events: StoredEvent[];
  if (!wasJoined || before === 'invite') events = [leave];
  else events = room.events.filter((e) => e.index <= leave.index && (since === null || before !== 'join' || e.pos > since));
  const t = limitTimeline(events, filter.timelineLimit);
  return {
    timeline: timelineJson(t, token, now, nextBatch),
    state: { events: skippedState(room, t, null, token, now) },
    account_data: { events: roomAccountData(user, room.roomId, since) },
  };
}

/** The whole sync answer; `rooms`, `account_data` and `presence` only when not empty. */
export function buildSync(model: HomeserverModel, token: TokenRecord, since: number | null, filter: SyncFilter): JsonObject {
  const user = model.user(token.userId);
  if (!user) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.', { soft_logout: false });
  const now = Date.now();
  const nextBatch = streamToken(model.pos);
  const join: JsonObject = {};
  const invite: JsonObject = {};
  const leave: JsonObject = {};
  for (const room of model.rooms.values()) {
    const member = model.stateEvent(room.roomId, 'm.room.member', user.userId);
    if (!member) continue;
    const membership = member.content['membership'];
    if (membership === 'join') {
      const r = joinedRoom(room, user, token, since, filter, now, nextBatch);
      if (r) join[room.roomId] = r;
    } else if (membership === 'invite') {
      if (since === null || member.pos > since) invite[room.roomId] = invitedRoom(model, room, member, token, now);
    } else if (membership !== 'knock' && !user.forgotten.has(room.roomId)) {
      // A forgotten room is no longer synced, not even with include_leave. (Knocks would go
      // under rooms.knock, which this server does not write.)
      const r = leftRoom(room, user, member, token, since, filter, now, nextBatch);
      if (r) leave[room.roomId] = r;
    }
  }
  const body: JsonObject = { next_batch: nextBatch };
  const accountData: unknown[] = [];
  for (const [type, entry] of user.accountData) {
    if (since === null ? !entry.deleted : entry.pos > since) accountData.push({ type, content: entry.content });
  }
  if (since === null && !user.accountData.has('m.push_rules')) {
    accountData.push({ type: 'm.push_rules', content: defaultPushRules(user.userId) });
  }
  if (accountData.length > 0) body['account_data'] = { events: accountData };
  if (since === null) {
    body['presence'] = {
      events: [{ type: 'm.presence', sender: user.userId, content: { presence: 'online', last_active_ago: 0, currently_active: true } }],
    };
  }
  Object.assign(body, endToEndSyncSections(model, token, since));
  const rooms: JsonObject = {};
  if (Object.keys(join).length > 0) rooms['join'] = join;
  if (Object.keys(invite).length > 0) rooms['invite'] = invite;
  if (Object.keys(leave).length > 0) rooms['leave'] = leave;
  if (Object.keys(rooms).length > 0) body['rooms'] = rooms;
  return body;
}

/** True when an incremental answer carries nothing for the client. */
function isEmpty(body: JsonObject): boolean {
  return body['rooms'] === undefined && body['account_data'] === undefined && body['to_device'] === undefined && body['device_lists'] === undefined;
}

/** Resolves when `ready()` holds after a model change, or after `ms`, or at close(). */
function waitForChange(model: HomeserverModel, closing: AbortSignal, ms: number, ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      model.emitter.off('change', onChange);
      closing.removeEventListener('abort', finish);
      resolve();
    };
    const onChange = (): void => {
      if (ready()) finish();
    };
    const timer = setTimeout(finish, ms);
    model.emitter.on('change', onChange);
    closing.addEventListener('abort', finish);
  });
}

export async function handleSync(ctx: RequestContext): Promise<Reply> {
  const token = requireAuth(ctx);
  const { model, closing } = ctx.state;
  const user = model.user(token.userId);
  if (!user) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.', { soft_logout: false });
  const fullState = ctx.query.get('full_state') === 'true';
  const since = fullState ? null : parseSince(ctx.query.get('since'));
  const filter = parseSyncFilter(user, ctx.query.get('filter'));
  const timeout = Math.max(0, Number(ctx.query.get('timeout') ?? '0') || 0);
  let body = buildSync(model, token, since, filter);
  if (since !== null && isEmpty(body) && timeout > 0 && !closing.aborted) {
    await waitForChange(model, closing, timeout, () => {
      // A token revoked while waiting (deactivation) ends the wait with an empty answer.
      if (!model.tokenInfo(token.token)) return true;
      body = buildSync(model, token, since, filter);
      return !isEmpty(body);
    });
    if (isEmpty(body)) body = buildSync(model, token, since, filter);
  }
  return json(body);
}
