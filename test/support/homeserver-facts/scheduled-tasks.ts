// Fact 6 (issue 15, item 5): GET /_synapse/admin/v1/scheduled_tasks lists the user-redaction
// tasks (Synapse 1.130+), so that a task started before a crash can be found. Shape measured on
// Synapse 1.160.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';
import { runRedactionTask } from './user-redaction-task.ts';

export async function scheduledRedactionTasks(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const room = await person.createRoom({ name: 'room' });
  await person.say(room, 'to go');
  const first = await runRedactionTask(server, person.userId, { rooms: [room] });
  const second = await runRedactionTask(server, person.userId, { rooms: [room] });
  const unknown = `!unknown${Date.now()}:${server.serverName}`;
  const failed = await runRedactionTask(server, person.userId, { rooms: [unknown] });

  const list = (query: string) => server.asAdmin('GET', `/_synapse/admin/v1/scheduled_tasks?${query}`);
  const mine = await list(`action_name=redact_all_events&resource_id=${enc(person.userId)}`);
  expect(mine.status).toBe(200);
  const task = (id: string, status: string, result: unknown, error: string | null) => ({
    id,
    action: 'redact_all_events',
    status,
    timestamp_ms: expect.any(Number),
    resource_id: person.userId,
    result,
    error,
  });
  expect(mine.json).toEqual({
    scheduled_tasks: [
      task(first.id, 'complete', { failed_redactions: {} }, null),
      task(second.id, 'complete', { failed_redactions: {} }, null),
      task(failed.id, 'failed', null, `404: Could not find room_version for ${unknown}`),
    ],
  });
  const stamps = (mine.json.scheduled_tasks as Array<{ timestamp_ms: number }>).map((t) => t.timestamp_ms);
  expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  expect((await list(`action_name=redact_all_events&resource_id=${enc(person.userId)}&status=active`)).json).toEqual({ scheduled_tasks: [] });
  expect((await list(`resource_id=${enc(person.userId)}&status=failed`)).json.scheduled_tasks.map((t: { id: string }) => t.id)).toEqual([failed.id]);
  expect((await list(`action_name=redact_all_events&resource_id=${enc(`@nobody:${server.serverName}`)}`)).json).toEqual({ scheduled_tasks: [] });
}
