// Room events as the model stores them, and the three shapes Synapse serves
// them in: the sync shape (no room_id), the "client" shape of /messages,
// /event and /context (room_id plus legacy top-level user_id and age), and
// stripped state (invite_state).

export type JsonObject = Record<string, unknown>;

/** An event as clients see it. Which optional keys are present depends on the endpoint. */
export interface MatrixEvent {
  event_id: string;
  type: string;
  sender: string;
  content: JsonObject;
  state_key?: string;
  redacts?: string;
  origin_server_ts: number;
  unsigned: JsonObject;
  room_id?: string;
}

export interface StoredEvent {
  eventId: string;
  roomId: string;
  type: string;
  sender: string;
  content: JsonObject;
  stateKey: string | undefined;
  redacts: string | undefined;
  ts: number;
  /** Global stream position: what sync tokens count. */
  pos: number;
  /** Position in the room's timeline (0-based): what /messages tokens count. */
  index: number;
  /** The room's version, which decides what a redaction keeps. */
  roomVersion: string;
  /** The state event this one replaced, for unsigned.replaces_state / prev_content. */
  replaces: StoredEvent | undefined;
  /** Sent through PUT /send with this access token and transaction ID. */
  txn: { token: string; txnId: string } | undefined;
  /** The m.room.redaction event that redacted this one, if any. */
  redactedBy: StoredEvent | undefined;
}

/** Who is asking, for unsigned.transaction_id (Synapse shows it only to the sending token). */
export interface Viewer {
  token: string | null;
}

/** Room version 11's redaction rules (MSC2174, MSC2175, MSC2176, MSC3821, MSC3989). */
export const updatedRedactionRules = (roomVersion: string): boolean => Number(roomVersion) >= 11;

// Content keys kept by the redaction algorithm of room version 9.
const KEPT_CONTENT: Record<string, string[]> = {
  'm.room.member': ['membership', 'join_authorised_via_users_server'],
  'm.room.create': ['creator'],
  'm.room.join_rules': ['join_rule', 'allow'],
  'm.room.power_levels': ['ban', 'events', 'events_default', 'kick', 'redact', 'state_default', 'users', 'users_default'],
  'm.room.history_visibility': ['history_visibility'],
};

// Room version 11 keeps all of the create event, `invite` in the power levels and `redacts` in a redaction.
const KEPT_CONTENT_V11: Record<string, string[]> = {
  ...KEPT_CONTENT,
  'm.room.power_levels': [...(KEPT_CONTENT['m.room.power_levels'] ?? []), 'invite'],
  'm.room.redaction': ['redacts'],
};

export function prunedContent(type: string, content: JsonObject, roomVersion = '9'): JsonObject {
  if (updatedRedactionRules(roomVersion) && type === 'm.room.create') return content;
  const kept = (updatedRedactionRules(roomVersion) ? KEPT_CONTENT_V11 : KEPT_CONTENT)[type] ?? [];
  const out: JsonObject = {};
  for (const key of kept) if (key in content) out[key] = content[key];
  return out;
}

/** The content a reader sees: pruned once the event has been redacted. */
export function visibleContent(ev: StoredEvent): JsonObject {
  return ev.redactedBy ? prunedContent(ev.type, ev.content, ev.roomVersion) : ev.content;
}

function unsignedFor(ev: StoredEvent, viewer: Viewer, now: number, pruned: boolean): JsonObject {
  const unsigned: JsonObject = {};
  if (ev.replaces) {
    unsigned['replaces_state'] = ev.replaces.eventId;
    // Pruning (redaction, or an erased sender seen by a later joiner) drops prev_content.
    const prev = visibleContent(ev.replaces);
    if (!pruned && !ev.redactedBy && Object.keys(prev).length > 0) {
      unsigned['prev_content'] = prev;
      unsigned['prev_sender'] = ev.replaces.sender;
    }
  }
  if (ev.redactedBy) unsigned['redacted_because'] = clientEvent(ev.redactedBy, viewer, now);
  if (ev.txn && viewer.token !== null && ev.txn.token === viewer.token) {
    unsigned['transaction_id'] = ev.txn.txnId;
  }
  unsigned['age'] = Math.max(0, now - ev.ts);
  return unsigned;
}

function baseFields(ev: StoredEvent, pruned: boolean): MatrixEvent {
  const content = pruned ? prunedContent(ev.type, ev.content, ev.roomVersion) : visibleContent(ev);
  const out = { type: ev.type, sender: ev.sender, content } as MatrixEvent;
  if (ev.stateKey !== undefined) out.state_key = ev.stateKey;
  if (ev.redacts !== undefined) out.redacts = ev.redacts;
  out.origin_server_ts = ev.ts;
  return out;
}

/** The shape of events in /sync timelines: no room_id. */
export function syncEvent(ev: StoredEvent, viewer: Viewer, now = Date.now()): MatrixEvent {
  const out = baseFields(ev, false);
  out.unsigned = unsignedFor(ev, viewer, now, false);
  out.event_id = ev.eventId;
  return out;
}

/**
 * The shape of /messages, /event, /context: room_id after type, and the legacy
 * top-level copies Synapse 1.67 still adds (user_id, age, replaces_state, prev_content).
 */
export function clientEvent(ev: StoredEvent, viewer: Viewer, now = Date.now(), pruned = false): MatrixEvent & JsonObject {
  const base = baseFields(ev, pruned);
  const out: JsonObject = { type: base.type, room_id: ev.roomId };
  for (const [k, v] of Object.entries(base)) if (k !== 'type') out[k] = v;
  const unsigned = unsignedFor(ev, viewer, now, pruned);
  out['unsigned'] = unsigned;
  out['event_id'] = ev.eventId;
  out['user_id'] = ev.sender;
  out['age'] = unsigned['age'];
  if (unsigned['replaces_state'] !== undefined) out['replaces_state'] = unsigned['replaces_state'];
  if (unsigned['prev_content'] !== undefined) out['prev_content'] = unsigned['prev_content'];
  if (unsigned['redacted_because'] !== undefined) out['redacted_because'] = unsigned['redacted_because'];
  return out as MatrixEvent & JsonObject;
}

/** Stripped state, as in invite_state: only type, state_key, content, sender. */
export function strippedEvent(ev: StoredEvent): JsonObject {
  return { type: ev.type, state_key: ev.stateKey ?? '', content: visibleContent(ev), sender: ev.sender };
}
