// The server's background tasks (Synapse's task scheduler, Tuwunel's tasks service): the user
// redaction task and room deletion run as tasks, each with an ID, an action name, the resource
// it acts on, a status and a result; GET /_synapse/admin/v1/scheduled_tasks lists them
// (Synapse from 1.130, Tuwunel from 1.8.1).
//
// Measured on Synapse 1.160: {"scheduled_tasks": [{id, action, status, timestamp_ms,
// resource_id, result, error}]}, oldest first; the timestamp is that of the last change of
// status; filters action_name, resource_id, status (the last two may repeat on 1.160) and
// max_timestamp. Tuwunel (src/api/client/admin/misc/scheduled_tasks.rs) answers the same shape.

import type { AdminRegistrar } from './admin-common.ts';
import { requireAdmin } from './admin-common.ts';
import { MatrixError } from './errors.ts';
import type { Reply, RequestContext } from './http.ts';
import { intParam, json } from './http.ts';
import { TASK_STATUSES } from './task-scheduler.ts';

function listTasks(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const actions = ctx.query.getAll('action_name');
  const statuses = ctx.query.getAll('status');
  for (const status of statuses) {
    if (!(TASK_STATUSES as readonly string[]).includes(status) && status !== 'cancelled') {
      throw new MatrixError(400, 'M_INVALID_PARAM', `Query parameter 'status' must be one of ['scheduled', 'active', 'complete', 'cancelled', 'failed']`);
    }
  }
  const resourceId = ctx.query.get('resource_id');
  const maxTimestamp = ctx.query.has('max_timestamp') ? intParam(ctx.query, 'max_timestamp', 0) : null;
  const tasks = [...ctx.state.tasks.tasks.values()]
    .filter((t) => actions.length === 0 || actions.includes(t.action))
    .filter((t) => statuses.length === 0 || statuses.includes(t.status))
    .filter((t) => resourceId === null || t.resourceId === resourceId)
    .filter((t) => maxTimestamp === null || t.timestampMs <= maxTimestamp)
    .sort((a, b) => a.timestampMs - b.timestampMs);
  return json({
    scheduled_tasks: tasks.map((t) => ({
      id: t.id,
      action: t.action,
      status: t.status,
      timestamp_ms: t.timestampMs,
      resource_id: t.resourceId,
      result: t.result,
      error: t.error,
    })),
  });
}

export function registerScheduledTasks(r: AdminRegistrar): void {
  r('GET', '/v1/scheduled_tasks', listTasks, 'scheduledTasks');
}
