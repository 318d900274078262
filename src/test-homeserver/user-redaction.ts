// POST /_synapse/admin/v1/user/{u}/redact and its status: the server's own task that
// redacts a user's events room by room, as Synapse and Tuwunel run it.
import { randomBytes } from 'node:crypto';
import { MatrixError, badJson, json, jsonBody, notFound } from './http.ts';
import type { RequestContext, Reply } from './http.ts';
import type { JsonObject, RoomRecord, StoredEvent } from './model.ts';
import { isLocal, requireAdmin, requireTarget } from './admin-common.ts';
import type { AdminRegistrar } from './admin-common.ts';

interface RedactTask {
  userId: string;
  status: 'scheduled' | 'active' | 'complete' | 'failed';
  failed: JsonObject;
  error: string | null;
}
const redactTasks = new WeakMap<object, Map<string, RedactTask>>();

function tasksOf(ctx: RequestContext): Map<string, RedactTask> {
  let tasks = redactTasks.get(ctx.state);
  if (!tasks) redactTasks.set(ctx.state, (tasks = new Map()));
  return tasks;
}

const REDACTED_TYPES = new Set(['m.room.member', 'm.room.message', 'm.room.encrypted']);
const optionalNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * The user's events a redaction task takes in one room, as Tuwunel picks them: newest first,
 * messages, encrypted events and joins by the user within the time window; `limit` counts
 * candidates before the already-redacted ones and non-joins are dropped.
 */
function redactionTargets(room: RoomRecord, userId: string, body: JsonObject): StoredEvent[] {
  const limit = optionalNumber(body['limit']) || 1000;
  const before = optionalNumber(body['before_ts']);
  const after = optionalNumber(body['after_ts']);
  return room.events
    .filter((e) => e.sender === userId && REDACTED_TYPES.has(e.type) && (before === null || e.ts <= before) && (after === null || e.ts >= after))
    .reverse()
    .slice(0, limit)
    .filter((e) => !e.redactedBy && (e.type !== 'm.room.member' || e.content['membership'] === 'join'));
}

/**
 * A background task, like Synapse's and Tuwunel's: `rooms` is required ([] means the rooms the
 * user is in or banned from now, not the ones left); redactions are sent as the user unless
 * `use_admin` (or the user is remote), each under the room's rules; one task per user at a time.
 */
function redactUser(ctx: RequestContext): Reply {
  const admin = requireAdmin(ctx);
  const { flavour, model } = ctx.state;
  const userId = ctx.params['userId'] ?? '';
  if (flavour.redaction.checksUser) requireTarget(ctx, 'User not found');
  const body = jsonBody(ctx);
  const requested = body['rooms'];
  if (!Array.isArray(requested) || requested.some((r) => typeof r !== 'string')) throw badJson('missing field `rooms`');
  const tasks = tasksOf(ctx);
  if ([...tasks.values()].some((t) => t.userId === userId && (t.status === 'scheduled' || t.status === 'active'))) {
    throw new MatrixError(400, flavour.badParamErrcode, `Redact already in progress for user ${userId}`);
  }
  const rooms = requested.length > 0
    ? (requested as string[])
    : model.memberships(userId).filter((m) => m.membership === 'join' || m.membership === 'ban').map((m) => m.roomId);
  const redactAs = body['use_admin'] === true || !isLocal(ctx, userId) ? admin : userId;
  const reason = typeof body['reason'] === 'string' ? body['reason'] : undefined;
  const id = randomBytes(8).toString('hex');
  const task: RedactTask = { userId, status: 'scheduled', failed: {}, error: null };
  tasks.set(id, task);
  const step = (i: number): void => {
    const roomId = rooms[i];
    if (roomId === undefined) {
      task.status = 'complete';
      return;
    }
    const room = model.room(roomId);
    if (!room && flavour.redaction.failsOnUnknownRoom) {
      task.status = 'failed';
      task.error = `Room ${JSON.stringify(roomId)} not found`;
      return;
    }
    for (const e of room ? redactionTargets(room, userId, body) : []) {
      const refusal = model.redactionRefusal(roomId, redactAs, e.eventId);
      if (refusal === null) model.redact(roomId, redactAs, e.eventId, reason);
      else task.failed[e.eventId] = refusal;
    }
    ctx.state.later(ctx.state.redactionStepMs, () => step(i + 1));
  };
  ctx.state.later(0, () => {
    task.status = 'active';
    step(0);
  });
  return json({ redact_id: id });
}

function redactStatus(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const id = ctx.params['redactId'] ?? '';
  const task = tasksOf(ctx).get(id);
  if (!task) throw notFound(`redact id '${id}' not found`);
  if (!ctx.state.flavour.redaction.failuresOnlyWhenComplete) return json({ status: task.status, failed_redactions: task.failed });
  const body: JsonObject = { status: task.status };
  if (task.status === 'complete') body['failed_redactions'] = task.failed;
  if (task.error !== null) body['error'] = task.error;
  return json(body);
}

export function registerUserRedaction(r: AdminRegistrar): void {
  r('POST', '/v1/user/{userId}/redact', redactUser, 'userRedact');
  r('GET', '/v1/user/redact_status/{redactId}', redactStatus, 'userRedact');
}
