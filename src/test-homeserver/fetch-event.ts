// GET /_synapse/admin/v1/fetch_event/{event_id} (Synapse 1.140+, Tuwunel 1.8.1+): the event as
// the server stores it, in the federation ("raw") shape, whoever sent it and whether or not its
// sender was erased: {"event": {auth_events, content, depth, event_id, hashes,
// origin_server_ts, prev_events, room_id, sender, signatures, type, unsigned, ...}}.
//
// What "as stored" means differs. Synapse (synapse/rest/admin/events.py, EventRedactBehaviour
// .as_is; measured on 1.160) keeps a redacted event's original JSON until its
// redaction_retention_period (7 days by default) and serves it with its content and only `age`
// in unsigned: a redaction does not show here. Tuwunel (src/api/client/admin/misc/fetch_event.rs)
// serves the stored PDU, which a redaction rewrote in place: pruned content, the redaction in
// unsigned.redacted_because (src/service/rooms/timeline/redact.rs).
import { createHash } from 'node:crypto';
import type { AdminRegistrar } from './admin-common.ts';
import { requireAdmin } from './admin-common.ts';
import { notFound } from './errors.ts';
import { prunedContent } from './events.ts';
import type { Reply, RequestContext } from './http.ts';
import { json } from './http.ts';
import type { HomeserverModel, JsonObject, StoredEvent } from './model.ts';

const fakeHash = (text: string): string => createHash('sha256').update(text).digest('base64').replace(/=+$/, '');

/** The event's auth events as the state before it gives them: create, power levels, the sender's membership. */
function authEvents(model: HomeserverModel, ev: StoredEvent): string[] {
  const room = model.room(ev.roomId);
  const latest = (type: string, stateKey: string): string | undefined =>
    room?.events.filter((e) => e.index < ev.index && e.type === type && e.stateKey === stateKey).pop()?.eventId;
  return [latest('m.room.create', ''), latest('m.room.power_levels', ''), latest('m.room.member', ev.sender)].filter((id): id is string => id !== undefined);
}

/** The federation shape of a stored event; `content` and `unsigned` as the caller decides. */
export function rawEvent(model: HomeserverModel, ev: StoredEvent, content: JsonObject, unsigned: JsonObject): JsonObject {
  const previous = model.room(ev.roomId)?.events[ev.index - 1];
  const out: JsonObject = {
    auth_events: authEvents(model, ev),
    content,
    depth: ev.index + 1,
    event_id: ev.eventId,
    hashes: { sha256: fakeHash(ev.eventId) },
    origin_server_ts: ev.ts,
    prev_events: previous ? [previous.eventId] : [],
    room_id: ev.roomId,
    sender: ev.sender,
    signatures: { [model.serverName]: { 'ed25519:a_test': fakeHash(`sig${ev.eventId}`) } },
    type: ev.type,
    unsigned,
  };
  if (ev.stateKey !== undefined) out['state_key'] = ev.stateKey;
  if (ev.redacts !== undefined) out['redacts'] = ev.redacts;
  return out;
}

function findStored(model: HomeserverModel, eventId: string): StoredEvent | undefined {
  for (const room of model.rooms.values()) {
    const found = room.events.find((e) => e.eventId === eventId);
    if (found) return found;
  }
  return undefined;
}

function fetchEvent(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const model = ctx.state.model;
  const ev = findStored(model, ctx.params['eventId'] ?? '');
  if (!ev) throw notFound('Event not found');
  if (ctx.state.flavour.fetchEventShowsRedaction && ev.redactedBy) {
    const redaction = ev.redactedBy;
    return json({
      event: rawEvent(model, ev, prunedContent(ev.type, ev.content, ev.roomVersion), { redacted_because: rawEvent(model, redaction, redaction.content, {}) }),
    });
  }
  const unsigned = ctx.state.flavour.fetchEventShowsRedaction ? {} : { age: Math.max(0, Date.now() - ev.ts) };
  return json({ event: rawEvent(model, ev, ev.content, unsigned) });
}

export function registerFetchEvent(r: AdminRegistrar): void {
  r('GET', '/v1/fetch_event/{eventId}', fetchEvent, 'fetchEvent');
}
