// The server's background tasks (Synapse's task scheduler, Tuwunel's tasks service): the user
// redaction task and room deletion run as tasks, each with an ID, an action name, the resource
// it acts on, a status and a result; GET /_synapse/admin/v1/scheduled_tasks lists them
// (Synapse from 1.130, Tuwunel from 1.8.1).
//
// Measured on Synapse 1.160: {"scheduled_tasks": [{id, action, status, timestamp_ms,
// resource_id, result, error}]}, oldest first; the timestamp is that of the last change of
// status; filters action_name, resource_id, status (the last two may repeat on 1.160) and
// max_timestamp. Tuwunel (src/api/client/admin/misc/scheduled_tasks.rs) answers the same shape.
import { randomBytes } from 'node:crypto';
import { MatrixError, intParam, json } from './http.ts';
import type { RequestContext, Reply } from './http.ts';
import type { JsonObject } from './model.ts';
import { requireAdmin } from './admin-common.ts';
import type { AdminRegistrar } from './admin-common.ts';

export type TaskStatus = 'scheduled' | 'active' | 'complete' | 'failed';

export interface ScheduledTask {
  id: string;
  action: string;
  resourceId: string | null;
  status: TaskStatus;
  /** Milliseconds: when the status last changed. */
  timestampMs: number;
  result: JsonObject | null;
  error: string | null;
}

const STATUSES: readonly TaskStatus[] = ['scheduled', 'active', 'complete', 'failed'];

export class TaskScheduler {
  readonly tasks = new Map<string, ScheduledTask>();

  /** A new task, scheduled now; 16 random letters as its ID, as both servers make them. */
  schedule(action: string, resourceId: string | null): ScheduledTask {
    const id = randomBytes(12).toString('base64').replace(/[^A-Za-z]/g, '').padEnd(16, 'x').slice(0, 16);
    const task: ScheduledTask = { id, action, resourceId, status: 'scheduled', timestampMs: Date.now(), result: null, error: null };
    this.tasks.set(id, task);
    return task;
  }

  setStatus(task: ScheduledTask, status: TaskStatus, outcome: { result?: JsonObject; error?: string } = {}): void {
    task.status = status;
    task.timestampMs = Date.now();
    if (outcome.result !== undefined) task.result = outcome.result;
    if (outcome.error !== undefined) task.error = outcome.error;
  }

  find(action: string | readonly string[], filter: { resourceId?: string; statuses?: readonly TaskStatus[] } = {}): ScheduledTask[] {
    const actions = typeof action === 'string' ? [action] : action;
    return [...this.tasks.values()]
      .filter((t) => actions.includes(t.action))
      .filter((t) => filter.resourceId === undefined || t.resourceId === filter.resourceId)
      .filter((t) => filter.statuses === undefined || filter.statuses.includes(t.status))
      .sort((a, b) => a.timestampMs - b.timestampMs);
  }
}

function listTasks(ctx: RequestContext): Reply {
  requireAdmin(ctx);
  const actions = ctx.query.getAll('action_name');
  const statuses = ctx.query.getAll('status');
  for (const status of statuses) {
    if (!(STATUSES as readonly string[]).includes(status) && status !== 'cancelled') {
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
      id: t.id, action: t.action, status: t.status, timestamp_ms: t.timestampMs, resource_id: t.resourceId, result: t.result, error: t.error,
    })),
  });
}

export function registerScheduledTasks(r: AdminRegistrar): void {
  r('GET', '/v1/scheduled_tasks', listTasks, 'scheduledTasks');
}
