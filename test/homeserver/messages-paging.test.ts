// /messages without `from` or `dir`, per flavour: current Synapse (measured on 1.160, the same
// scenario as the real tier) and Tuwunel's admin endpoint read forward from the start; Synapse
// 1.67 (recorded) starts at the end, so a forward read without `from` finds nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { messagesWithoutFromReadForward } from '../support/homeserver-facts/messages-paging.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('/messages without from', () => {
  it('synapse: reads forward from the beginning, and dir defaults to f (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await messagesWithoutFromReadForward(await factServerFor(hs));
  });

  it('synapse-1.67: dir=f without from finds nothing', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const room = hs.model.createRoom(alice.userId);
    const answer = await call(hs.url, 'GET', `/_matrix/client/v3/rooms/${enc(room)}/messages?dir=f`, { token: alice.accessToken });
    expect(answer.body.chunk).toEqual([]);
    expect(answer.body.end).toBeUndefined();
  });

  it('tuwunel: the admin endpoint defaults to a forward read from the beginning', async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    const room = hs.model.createRoom(admin.userId);
    const answer = await call(hs.url, 'GET', `/_synapse/admin/v1/rooms/${enc(room)}/messages?limit=1`, { token: admin.accessToken });
    expect(answer.body.chunk.map((e: { type: string }) => e.type)).toEqual(['m.room.create']);
  });
});
