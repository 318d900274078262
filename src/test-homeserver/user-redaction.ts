// POST /_synapse/admin/v1/user/{u}/redact and its status: the server's own task that
// redacts a user's events room by room, as Synapse and Tuwunel run it.

import type { AdminRegistrar } from './admin-common.ts';
import { isLocal, requireAdmin } from './admin-common.ts';
import { MatrixError, notFound } from './errors.ts';
import type { Reply, RequestContext } from './http.ts';
import { json, jsonBody } from './http.ts';
import type { JsonObject, RoomRecord, StoredEvent } from './model.ts';

export const REDACT_ALL_EVENTS = 'redact_all_events';

const REDACTED_TYPES = new Set(['m.room.member', 'm.room.message', 'm.room.encrypted']);
const optionalNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * The user's events a redaction task takes in one room: newest first, messages, encrypted events
 * and member events by the user within the time window; `limit` counts these candidates, then
 * members other than joins are dropped (Synapse's get_events_sent_by_user_in_room, Tuwunel's
 * is_candidate). Tuwunel also drops what is already redacted; Synapse's "already redacted" check
 * looks for a redaction among the event's relations, finds none, and redacts it again.
 */
function redactionTargets(room: RoomRecord, userId: string, body: JsonObject, skipsRedacted: boolean): StoredEvent[] {
  const limit = optionalNumber(body['limit']) || 1000;
  const before = optionalNumber(body['before_ts']);
  const after = optionalNumber(body['after_ts']);
  return room.events
    .filter((e) => e.sender === userId && REDACTED_TYPES.has(e.type) && (before === null || e.ts <= before) && (after === null || e.ts >= after))
    .reverse()
    .slice(0, limit)
    .filter((e) => !(skipsRedacted && e.redactedBy) && (e.type !== 'm.room.member' || e.content['membership'] === 'join'));
}

/**
 * A background task, like Synapse's and Tuwunel's: `rooms` is required ([] means the rooms the
 * user is in or banned from now, not the ones left); redactions are sent as the user unless
 * `use_admin` (or the user is remote); one task per user at a time. Synapse authorises each
 * redaction against the state at the redacted event (it is sent with that event as its only
 * prev event), so it succeeds in rooms the user left, even where nobody local is joined any
 * more; Tuwunel checks the room's current rules. Either fails as a whole at a room it does not
 * know, keeping what it redacted before.
 */
function redactUser(ctx: RequestContext): Reply {
  const admin = requireAdmin(ctx);
  const { flavour, model, tasks } = ctx.state;
  const rules = flavour.redaction;
  const userId = ctx.params['userId'] ?? '';
  const body = jsonBody(ctx);
  const requested = body['rooms'];
  if (!Array.isArray(requested) || requested.some((r) => typeof r !== 'string')) throw rules.missingRooms();
  const limit = optionalNumber(body['limit']);
  if (rules.refusesNegativeLimit && limit !== null && limit < 0) {
    throw new MatrixError(400, 'M_UNKNOWN', 'If limit is provided it must be a non-negative integer greater than 0.');
  }
  if (tasks.find(REDACT_ALL_EVENTS, { resourceId: userId, statuses: rules.blockingStatuses }).length > 0) {
    throw new MatrixError(400, flavour.badParamErrcode, `Redact already in progress for user ${userId}`);
  }
  const rooms =
    requested.length > 0
      ? (requested as string[])
      : model
          .memberships(userId)
          .filter((m) => m.membership === 'join' || m.membership === 'ban')
          .map((m) => m.roomId);
  const redactAs = body['use_admin'] === true || !isLocal(ctx, userId) ? admin : userId;
  const reason = typeof body['reason'] === 'string' ? body['reason'] : undefined;
  const task = tasks.schedule(REDACT_ALL_EVENTS, userId);
  const failed: JsonObject = {};
  const step = (i: number): void => {
    const roomId = rooms[i];
    if (roomId === undefined) {
      tasks.setStatus(task, 'complete', { result: { failed_redactions: failed } });
      return;
    }
    const room = model.room(roomId);
    if (!room) {
      tasks.setStatus(task, 'failed', { error: rules.unknownRoomError(roomId) });
      return;
    }
    for (const e of redactionTargets(room, userId, body, rules.skipsRedacted)) {
      const refusal = rules.authorisedAtEvent
        ? model.redactionRefusalAtEvent(roomId, redactAs, e.eventId)
        : model.redactionRefusal(roomId, redactAs, e.eventId);
      if (refusal === null) model.redact(roomId, redactAs, e.eventId, reason);
      else failed[e.eventId] = refusal;
    }
    ctx.state.later(ctx.state.redactionStepMs, () => step(i + 1));
  };
  ctx.state.later(0, () => {
    tasks.setStatus(task, 'active');
    step(0);
  });
  return json({ redact_id: task.id });
}

/** Scheduled and active: the status alone; complete: with failed_redactions; failed: with the error (Synapse and Tuwunel alike). */
function redactStatus(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const id = ctx.params['redactId'] ?? '';
  const task = ctx.state.tasks.tasks.get(id);
  if (!task || task.action !== REDACT_ALL_EVENTS) throw notFound(ctx.state.flavour.redaction.unknownTaskError(id));
  if (task.status === 'complete') return json({ status: task.status, failed_redactions: task.result?.['failed_redactions'] ?? {} });
  if (task.status === 'failed') return json({ status: task.status, error: task.error });
  return json({ status: task.status });
}

export function registerUserRedaction(r: AdminRegistrar): void {
  r('POST', '/v1/user/{userId}/redact', redactUser, 'userRedact');
  r('GET', '/v1/user/redact_status/{redactId}', redactStatus, 'userRedact');
}
