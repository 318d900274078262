// Room details per flavour, and the refusal of a send by someone no longer joined. The Synapse
// scenario is the one the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { roomDetailsAndNotJoined } from '../support/homeserver-facts/room-details.ts';
import { roomVersionEleven } from '../support/homeserver-facts/room-version.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('room details and the not-joined refusal', () => {
  it('synapse: details with tombstoned and replacement_room; "User ... not in room ..." without a suffix (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await roomDetailsAndNotJoined(await factServerFor(hs));
  });

  it('synapse: a tombstone shows in the details', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    const room = hs.model.createRoom(admin.userId);
    hs.model.sendEvent(room, admin.userId, 'm.room.tombstone', { body: 'moved', replacement_room: '!next:test.local' }, { stateKey: '' });
    const details = (await call(hs.url, 'GET', `/_synapse/admin/v1/rooms/${enc(room)}`, { token: admin.accessToken })).body;
    expect(details).toMatchObject({ tombstoned: true, replacement_room: '!next:test.local' });
  });

  it('synapse-1.67: the recorded refusal ends in "(None)"', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const bob = hs.model.addUser({ localpart: 'bob' });
    const room = hs.model.createRoom(bob.userId);
    const answer = await call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/t1`, {
      token: alice.accessToken,
      body: { msgtype: 'm.text', body: 'x' },
    });
    expect(answer.body).toEqual({ errcode: 'M_FORBIDDEN', error: `User ${alice.userId} not in room ${room} (None)` });
  });
});

describe('room versions', () => {
  it('synapse: new rooms are version 11: no creator in the create event, redacts in the redaction content (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await roomVersionEleven(await factServerFor(hs));
  });

  it('synapse-1.67: version 9, as recorded; tuwunel: 11 (default_room_version)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const room = hs.model.createRoom(alice.userId);
    expect(hs.model.stateEvent(room, 'm.room.create', '')?.content).toEqual({ room_version: '9', creator: alice.userId });
    await hs.close();
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const bob = hs.model.addUser({ localpart: 'bob' });
    expect(hs.model.room(hs.model.createRoom(bob.userId))?.version).toBe('11');
  });
});
