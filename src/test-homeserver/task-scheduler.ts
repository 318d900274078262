// The server's background tasks (Synapse's task scheduler, Tuwunel's tasks service): the user
// redaction task and room deletion run as tasks, each with an ID, an action name, the resource
// it acts on, a status and a result. GET /_synapse/admin/v1/scheduled_tasks lists them
// (scheduled-tasks.ts).
import { randomBytes } from 'node:crypto';
import type { JsonObject } from './events.ts';

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

export const TASK_STATUSES: readonly TaskStatus[] = ['scheduled', 'active', 'complete', 'failed'];

export class TaskScheduler {
  readonly tasks = new Map<string, ScheduledTask>();

  /** A new task, scheduled now; 16 random letters as its ID, as both servers make them. */
  schedule(action: string, resourceId: string | null): ScheduledTask {
    const id = randomBytes(12)
      .toString('base64')
      .replace(/[^A-Za-z]/g, '')
      .padEnd(16, 'x')
      .slice(0, 16);
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
