// Where the flavours differ on what test/support/synapse-facts/ measured on Synapse: the
// unauthenticated media download, and the message rate limit (on only when asked for).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type Flavour, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver | null = null;
afterEach(async () => {
  await hs?.close();
  hs = null;
});

describe('the unauthenticated media download', () => {
  it.each([
    ['synapse-1.67', 200, null],
    ['synapse', 404, { errcode: 'M_NOT_FOUND', error: 'Not found' }],
    ['tuwunel', 403, { errcode: 'M_FORBIDDEN', error: 'Unauthenticated media is disabled.' }],
  ] as Array<[Flavour, number, unknown]>)('%s answers %i for an upload made there', async (flavour, status, body) => {
    hs = await startTestHomeserver({ flavour });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const mxc = hs.model.uploadMedia(alice.userId, { contentType: 'text/plain', bytes: Buffer.from('hello'), filename: 'a.txt' });
    const answer = await call(hs.url, 'GET', `/_matrix/media/v3/download/${mxc.slice('mxc://'.length)}`);
    expect(answer.status).toBe(status);
    if (body !== null) expect(answer.body).toEqual(body);
  });
});

describe('the message rate limit', () => {
  const sendMany = async (server: TestHomeserver, n: number) => {
    const alice = server.model.addUser({ localpart: 'alice' });
    const room = server.model.createRoom(alice.userId, {});
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      statuses.push((await call(server.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/t${i}`, { token: alice.accessToken, body: { msgtype: 'm.text', body: 'hi' } })).status);
    }
    return statuses;
  };

  it('is off unless asked for, as on a server whose operator raised it', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    expect(await sendMany(hs, 15)).toEqual(Array(15).fill(200));
  });

  it('is Synapse’s 10 at once when asked for, on both Synapse flavours', async () => {
    for (const flavour of ['synapse-1.67', 'synapse'] satisfies Flavour[]) {
      const server = await startTestHomeserver({ flavour, rateLimits: true });
      try {
        expect(await sendMany(server, 11)).toEqual([...Array(10).fill(200), 429]);
      } finally {
        await server.close();
      }
    }
  });

  it('does not exist on Tuwunel, nor its override API', async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel', rateLimits: true });
    expect(await sendMany(hs, 15)).toEqual(Array(15).fill(200));
    const admin = hs.model.addUser({ localpart: 'boss', admin: true });
    expect((await call(hs.url, 'GET', `/_synapse/admin/v1/users/${enc('@alice:test.local')}/override_ratelimit`, { token: admin.accessToken })).status).toBe(404);
  });
});
