// Fact 6 of issue 15, item 5: the scheduled-tasks listing finds the user-redaction tasks. The
// Synapse scenario is the one the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { scheduledRedactionTasks } from '../support/homeserver-facts/scheduled-tasks.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { runRedactionTask } from '../support/homeserver-facts/user-redaction-task.ts';
import { call } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('GET /_synapse/admin/v1/scheduled_tasks', () => {
  it('synapse: fact 6, lists the redaction tasks of a user, oldest first, with result or error (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await scheduledRedactionTasks(await factServerFor(hs));
  });

  it('synapse before 1.130 and 1.67: no such endpoint', async () => {
    for (const [flavour, version, status] of [
      ['synapse', '1.129.0', 404],
      ['synapse-1.67', undefined, 400],
    ] as const) {
      hs = await startTestHomeserver({ flavour, ...(version ? { version } : {}) });
      const admin = hs.model.addUser({ localpart: 'admin', admin: true });
      const answer = await call(hs.url, 'GET', '/_synapse/admin/v1/scheduled_tasks', { token: admin.accessToken });
      expect(answer, flavour).toMatchObject({ status, body: { errcode: 'M_UNRECOGNIZED' } });
      await hs.close();
    }
  });

  it('tuwunel: fact 6, the same listing (src/api/client/admin/misc/scheduled_tasks.rs)', async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const server = await factServerFor(hs);
    const person = await server.register('person');
    const room = await person.createRoom({ name: 'room' });
    const done = await runRedactionTask(server, person.userId, { rooms: [room] });
    const failed = await runRedactionTask(server, person.userId, { rooms: ['!unknown:test.local'] });
    const answer = await server.asAdmin(
      'GET',
      `/_synapse/admin/v1/scheduled_tasks?action_name=redact_all_events&resource_id=${encodeURIComponent(person.userId)}`,
    );
    expect(answer.json.scheduled_tasks).toEqual([
      {
        id: done.id,
        action: 'redact_all_events',
        status: 'complete',
        timestamp_ms: expect.any(Number),
        resource_id: person.userId,
        result: { failed_redactions: {} },
        error: null,
      },
      {
        id: failed.id,
        action: 'redact_all_events',
        status: 'failed',
        timestamp_ms: expect.any(Number),
        resource_id: person.userId,
        result: null,
        error: 'Room "!unknown:test.local" not found',
      },
    ]);
  });
});
