// Fact 7 of issue 15, item 5: Synapse's default message rate limit, as an option of the test
// homeserver (`rateLimits: 'synapse-defaults'`, off by default), and the per-user override.
// The Synapse scenarios are the ones the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { type Flavour, startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { messageRateLimitAndOverride, messagesLimitedPerUser } from '../support/homeserver-facts/rate-limits.ts';
import { factServerFor, waitUntil } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver | null = null;
afterEach(async () => {
  await hs?.close();
  hs = null;
});

/** The statuses of `n` sends in a row by a new person in a new room. */
async function sendMany(server: TestHomeserver, n: number): Promise<number[]> {
  const alice = server.model.addUser({ localpart: 'alice' });
  const room = server.model.createRoom(alice.userId);
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    statuses.push(
      (
        await call(server.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/t${i}`, {
          token: alice.accessToken,
          body: { msgtype: 'm.text', body: 'hi' },
        })
      ).status,
    );
  }
  return statuses;
}

describe('rate limits', () => {
  it('synapse: fact 7, rc_message limits sends, redactions and room creation; the override lifts it (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    await messageRateLimitAndOverride(await factServerFor(hs));
  });

  it('synapse: limits the events each person makes (rc_message), joins included, until an admin lifts it (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    await messagesLimitedPerUser(await factServerFor(hs));
  });

  it('are off by default, as on a server whose operator raised them: twenty sends in a row all pass', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    expect(await sendMany(hs, 20)).toEqual(Array(20).fill(200));
  });

  it('are Synapse’s 10 at once when asked for, on both Synapse flavours', async () => {
    for (const flavour of ['synapse-1.67', 'synapse'] satisfies Flavour[]) {
      const server = await startTestHomeserver({ flavour, rateLimits: 'synapse-defaults' });
      try {
        expect(await sendMany(server, 11)).toEqual([...Array(10).fill(200), 429]);
      } finally {
        await server.close();
      }
    }
  });

  it('the server’s own redaction task is not limited', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    const server = hs;
    const admin = server.model.addUser({ localpart: 'admin', admin: true });
    const alice = server.model.addUser({ localpart: 'alice' });
    const room = server.model.createRoom(alice.userId);
    for (let i = 0; i < 30; i++) server.model.sendMessage(room, alice.userId, `message ${i}`);
    const task = await call(server.url, 'POST', `/_synapse/admin/v1/user/${enc(alice.userId)}/redact`, { token: admin.accessToken, body: { rooms: [room] } });
    const status = await waitUntil(
      'the task to end',
      () => call(server.url, 'GET', `/_synapse/admin/v1/user/redact_status/${task.body.redact_id}`, { token: admin.accessToken }),
      (a) => a.body.status !== 'active' && a.body.status !== 'scheduled',
    );
    expect(status.body).toEqual({ status: 'complete', failed_redactions: {} });
    // Thirty messages and the join.
    expect(server.model.events(room).filter((e) => e.type === 'm.room.redaction')).toHaveLength(31);
  });

  it('tuwunel: no per-user limiter, so no override endpoint, and the option is refused', async () => {
    await expect(startTestHomeserver({ flavour: 'tuwunel', rateLimits: 'synapse-defaults' })).rejects.toThrow(/Tuwunel/);
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    expect(await sendMany(hs, 15)).toEqual(Array(15).fill(200));
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    for (const userId of [admin.userId, '@alice:test.local']) {
      const answer = await call(hs.url, 'GET', `/_synapse/admin/v1/users/${enc(userId)}/override_ratelimit`, { token: admin.accessToken });
      expect(answer).toMatchObject({ status: 404, body: { errcode: 'M_UNRECOGNIZED' } });
    }
  });
});
