// Fact 7 of issue 15, item 5: Synapse's default message rate limit, as an option of the test
// homeserver (`rateLimits: 'synapse-defaults'`, off by default), and the per-user override.
// The Synapse scenario is the one the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { factServerFor, waitUntil } from '../support/homeserver-facts/server.ts';
import { messageRateLimitAndOverride } from '../support/homeserver-facts/rate-limits.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('rate limits', () => {
  it('synapse: fact 7, rc_message limits sends, redactions and room creation; the override lifts it (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    await messageRateLimitAndOverride(await factServerFor(hs));
  });

  it('are off by default: twenty sends in a row all pass', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const room = hs.model.createRoom(alice.userId);
    for (let i = 0; i < 20; i++) {
      const answer = await call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/t${i}`, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'hi' } });
      expect(answer.status).toBe(200);
    }
  });

  it('the server’s own redaction task is not limited', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const room = hs.model.createRoom(alice.userId);
    for (let i = 0; i < 30; i++) hs.model.sendMessage(room, alice.userId, `message ${i}`);
    const task = await call(hs.url, 'POST', `/_synapse/admin/v1/user/${enc(alice.userId)}/redact`, { token: admin.accessToken, body: { rooms: [room] } });
    const status = await waitUntil('the task to end', () => call(hs.url, 'GET', `/_synapse/admin/v1/user/redact_status/${task.body.redact_id}`, { token: admin.accessToken }), (a) => a.body.status !== 'active' && a.body.status !== 'scheduled');
    expect(status.body).toEqual({ status: 'complete', failed_redactions: {} });
    // Thirty messages and the join.
    expect(hs.model.events(room).filter((e) => e.type === 'm.room.redaction')).toHaveLength(31);
  });

  it('tuwunel: no per-user limiter, so no override endpoint, and the option is refused', async () => {
    await expect(startTestHomeserver({ flavour: 'tuwunel', rateLimits: 'synapse-defaults' })).rejects.toThrow(/Tuwunel/);
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    const answer = await call(hs.url, 'GET', `/_synapse/admin/v1/users/${enc(admin.userId)}/override_ratelimit`, { token: admin.accessToken });
    expect(answer).toMatchObject({ status: 404, body: { errcode: 'M_UNRECOGNIZED' } });
  });
});
