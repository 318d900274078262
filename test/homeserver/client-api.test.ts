import { afterEach, describe, expect, it } from 'vitest';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function world(flavour: 'synapse-1.67' | 'synapse' | 'tuwunel' = 'synapse-1.67') {
  hs = await startTestHomeserver({ flavour });
  const alice = hs.model.addUser({ localpart: 'alice', displayName: 'Alice' });
  const bob = hs.model.addUser({ localpart: 'bob' });
  const room = hs.model.createRoom(alice.userId, { name: 'room', invite: [bob.userId] });
  hs.model.join(room, bob.userId);
  return { alice, bob, room };
}

const C = '/_matrix/client/v3';

describe('client API', () => {
  it('IDs look like Synapse ones', async () => {
    const { alice, room } = await world();
    expect(room).toMatch(/^![A-Za-z]{18}:test\.local$/);
    expect(hs.model.sendMessage(room, alice.userId, 'x')).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
  });

  it('room IDs work raw and fully encoded; an empty state key arrives as a trailing slash', async () => {
    const { alice, room } = await world();
    const raw = room.replace(':', '%3A');
    const create = await call(hs.url, 'GET', `${C}/rooms/${raw}/state/m.room.create/`, { token: alice.accessToken });
    expect(create.body).toEqual({ room_version: '9', creator: alice.userId });
    const encoded = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/state/m.room.name/`, { token: alice.accessToken });
    expect(encoded.body).toEqual({ name: 'room' });
    const missing = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/state/m.room.encryption/`, { token: alice.accessToken });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errcode: 'M_NOT_FOUND', error: 'Event not found.' });
  });

  it('/messages dir=f without from returns nothing and no end (Synapse quirk); dir=b pages to the start', async () => {
    const { alice, room } = await world();
    for (let i = 1; i <= 5; i++) hs.model.sendMessage(room, alice.userId, `m${i}`);
    const f = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=f&limit=10`, { token: alice.accessToken });
    expect(f.body.chunk).toEqual([]);
    expect(f.body.end).toBeUndefined();
    expect(typeof f.body.start).toBe('string');

    const filter = enc(JSON.stringify({ senders: [alice.userId], types: ['m.room.message'] }));
    const page1 = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=b&limit=3&filter=${filter}`, { token: alice.accessToken });
    expect(page1.body.chunk.map((e: { content: { body: string } }) => e.content.body)).toEqual(['m5', 'm4', 'm3']);
    expect(page1.body.chunk[0]).toMatchObject({ room_id: room, user_id: alice.userId });
    expect(typeof page1.body.chunk[0].age).toBe('number');
    const page2 = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=b&limit=3&filter=${filter}&from=${page1.body.end}`, {
      token: alice.accessToken,
    });
    expect(page2.body.chunk.map((e: { content: { body: string } }) => e.content.body)).toEqual(['m2', 'm1']);
    const page3 = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=b&limit=3&filter=${filter}&from=${page2.body.end}`, {
      token: alice.accessToken,
    });
    expect(page3.body.chunk).toEqual([]);
    expect(page3.body.end).toBeUndefined();
    // Forward from a start token works.
    const fwd = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=f&limit=2&filter=${filter}&from=${page2.body.end}`, {
      token: alice.accessToken,
    });
    expect(fwd.body.chunk.map((e: { content: { body: string } }) => e.content.body)).toEqual(['m1', 'm2']);
  });

  it('/messages stops at `to` in either direction; sync tokens serve as from and to', async () => {
    const { alice, room } = await world();
    const before = hs.model.pos;
    const bodies = Array.from({ length: 6 }, (_, i) => `m${i + 1}`);
    for (const body of bodies) hs.model.sendMessage(room, alice.userId, body);
    const since = `s${before}_0_0_0_0_0_0_0_0`;
    const upTo = `s${hs.model.pos - 2}_0_0_0_0_0_0_0_0`; // just before m5
    const read = async (query: string) => (await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?${query}`, { token: alice.accessToken })).body;
    const texts = (body: { chunk: Array<{ content: { body: string } }> }) => body.chunk.map((e) => e.content.body);

    const forward = await read(`dir=f&from=${since}&to=${upTo}&limit=3`);
    expect(texts(forward)).toEqual(['m1', 'm2', 'm3']);
    const forward2 = await read(`dir=f&from=${forward.end}&to=${upTo}&limit=3`);
    expect(texts(forward2)).toEqual(['m4']);
    // Synapse still gives `end` when events came back; the next page is empty, without one.
    const forward3 = await read(`dir=f&from=${forward2.end}&to=${upTo}&limit=3`);
    expect(forward3.chunk).toEqual([]);
    expect(forward3.end).toBeUndefined();

    const backward = await read(`dir=b&from=${upTo}&to=${since}&limit=10`);
    expect(texts(backward)).toEqual(['m4', 'm3', 'm2', 'm1']);
    // A `to` behind `from` gives nothing.
    expect((await read(`dir=f&from=${upTo}&to=${since}`)).chunk).toEqual([]);
  });

  it('an event over 65,536 bytes as a PDU is refused with 413 M_TOO_LARGE, in send and in state', async () => {
    const { alice, room } = await world();
    const send = (body: string, txn: string) =>
      call(hs.url, 'PUT', `${C}/rooms/${enc(room)}/send/m.room.message/${txn}`, { token: alice.accessToken, body: { msgtype: 'm.text', body } });
    const tooBig = await send('x'.repeat(65_000), 't1');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toEqual({ errcode: 'M_TOO_LARGE', error: 'event too large' });
    // The envelope (hashes, signatures, DAG references) counts too: content alone under the limit is not enough.
    expect((await send('x'.repeat(65_400), 't2')).status).toBe(413);
    expect((await send('x'.repeat(64_000), 't3')).status).toBe(200);
    const state = await call(hs.url, 'PUT', `${C}/rooms/${enc(room)}/state/m.room.topic/`, { token: alice.accessToken, body: { topic: 'x'.repeat(66_000) } });
    expect(state.status).toBe(413);
    expect(hs.model.events(room).filter((e) => String(e.content['body'] ?? e.content['topic'] ?? '').length >= 65_000)).toHaveLength(0);
  });

  it('a user who left reads history only up to the leave; a stranger gets 403', async () => {
    const { alice, bob, room } = await world();
    hs.model.sendMessage(room, alice.userId, 'before');
    hs.model.leave(room, bob.userId);
    hs.model.sendMessage(room, alice.userId, 'after');
    const res = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=b&limit=50`, { token: bob.accessToken });
    const bodies = res.body.chunk.map((e: { content: { body?: string } }) => e.content.body);
    expect(bodies).toContain('before');
    expect(bodies).not.toContain('after');
    const carol = hs.model.addUser({ localpart: 'carol' });
    expect((await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/messages?dir=b`, { token: carol.accessToken })).status).toBe(403);
  });

  it('redaction prunes the content everywhere and keeps redacted_because', async () => {
    const { alice, room } = await world();
    const id = hs.model.sendMessage(room, alice.userId, 'secret');
    const res = await call(hs.url, 'PUT', `${C}/rooms/${enc(room)}/redact/${enc(id)}/t1`, { token: alice.accessToken, body: { reason: 'oops' } });
    expect(res.body.event_id).toMatch(/^\$/);
    const ev = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/event/${enc(id)}`, { token: alice.accessToken });
    expect(ev.body.content).toEqual({});
    expect(ev.body.unsigned.redacted_because.content).toEqual({ reason: 'oops' });
    const redaction = hs.model.events(room).at(-1);
    expect(redaction).toMatchObject({ type: 'm.room.redaction', redacts: id, content: { reason: 'oops' } });
  });

  it('context: limit/2 before, the rest after, state filtered by senders', async () => {
    const { alice, bob, room } = await world();
    const ids = [1, 2, 3, 4, 5].map((i) => hs.model.sendMessage(room, i % 2 ? alice.userId : bob.userId, `m${i}`));
    const filter = enc(JSON.stringify({ senders: [alice.userId] }));
    const res = await call(hs.url, 'GET', `${C}/rooms/${enc(room)}/context/${enc(ids[2] ?? '')}?limit=4&filter=${filter}`, { token: bob.accessToken });
    expect(res.body.event.content.body).toBe('m3');
    expect(res.body.events_before.map((e: { content: { body?: string } }) => e.content.body ?? e.content)[0]).toBe('m1');
    expect(res.body.events_before).toHaveLength(2);
    expect(res.body.events_after.map((e: { content: { body: string } }) => e.content.body)).toEqual(['m5']);
    expect(res.body.state.every((e: { sender: string }) => e.sender === alice.userId)).toBe(true);
  });

  it('joined_members and profile: unset keys are null in members, absent in profiles', async () => {
    const { alice, bob, room } = await world();
    const members = await call(hs.url, 'GET', `${C}/rooms/${room}/joined_members`, { token: bob.accessToken });
    expect(members.body.joined[bob.userId]).toEqual({ avatar_url: null, display_name: 'bob' });
    const profile = await call(hs.url, 'GET', `${C}/profile/${enc(alice.userId)}`, { token: bob.accessToken });
    expect(profile.body).toEqual({ displayname: 'Alice' });
  });

  it('createRoom with an alias, encryption and is_direct; directory lookup; join by alias', async () => {
    hs = await startTestHomeserver();
    const alice = hs.model.addUser({ localpart: 'alice' });
    const bob = hs.model.addUser({ localpart: 'bob' });
    const res = await call(hs.url, 'POST', `${C}/createRoom`, {
      token: alice.accessToken,
      body: {
        preset: 'public_chat',
        room_alias_name: 'lobby',
        name: 'Lobby',
        initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
      },
    });
    const roomId = res.body.room_id as string;
    const dir = await call(hs.url, 'GET', `${C}/directory/room/${enc('#lobby:test.local')}`, { token: bob.accessToken });
    expect(dir.body).toEqual({ room_id: roomId, servers: ['test.local'] });
    expect((await call(hs.url, 'POST', `${C}/join/${enc('#lobby:test.local')}`, { token: bob.accessToken, body: {} })).body).toEqual({ room_id: roomId });
    expect(hs.model.membership(roomId, bob.userId)).toBe('join');
    expect(hs.model.stateEvent(roomId, 'm.room.encryption', '')?.content).toEqual({ algorithm: 'm.megolm.v1.aes-sha2' });
    const again = await call(hs.url, 'POST', `${C}/createRoom`, { token: alice.accessToken, body: { room_alias_name: 'lobby' } });
    expect(again.body.errcode).toBe('M_ROOM_IN_USE');
    const priv = hs.model.createRoom(alice.userId);
    expect((await call(hs.url, 'POST', `${C}/rooms/${enc(priv)}/join`, { token: bob.accessToken, body: {} })).status).toBe(403);
  });

  it('account data: 404 when absent, then stored; room account data and tags', async () => {
    const { alice, room } = await world();
    const path = `${C}/user/${enc(alice.userId)}/account_data/m.direct`;
    const absent = await call(hs.url, 'GET', path, { token: alice.accessToken });
    expect(absent.status).toBe(404);
    expect(absent.body).toEqual({ errcode: 'M_NOT_FOUND', error: 'Account data not found' });
    await call(hs.url, 'PUT', path, { token: alice.accessToken, body: { '@bob:test.local': [room] } });
    expect((await call(hs.url, 'GET', path, { token: alice.accessToken })).body).toEqual({ '@bob:test.local': [room] });
    await call(hs.url, 'PUT', `${C}/user/${enc(alice.userId)}/rooms/${enc(room)}/tags/u.work`, { token: alice.accessToken, body: { order: 0.5 } });
    expect(hs.model.user(alice.userId)?.tags.get(room)?.content).toEqual({ 'u.work': { order: 0.5 } });
    await call(hs.url, 'DELETE', `${C}/user/${enc(alice.userId)}/rooms/${enc(room)}/tags/u.work`, { token: alice.accessToken });
    expect(hs.model.user(alice.userId)?.tags.get(room)?.content).toEqual({});
    const other = await call(hs.url, 'GET', `${C}/user/${enc('@bob:test.local')}/account_data/m.direct`, { token: alice.accessToken });
    expect(other.status).toBe(403);
  });

  it('media: upload, download with Content-Length and Content-Disposition, 404 after deletion', async () => {
    const { alice } = await world();
    const up = await fetch(`${hs.url}/_matrix/media/v3/upload?filename=hello.txt`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'text/plain' },
      body: 'hello world',
    });
    const uri = ((await up.json()) as { content_uri: string }).content_uri;
    const mediaId = uri.split('/').at(-1) ?? '';
    const dl = await fetch(`${hs.url}/_matrix/media/v3/download/test.local/${mediaId}`);
    expect(dl.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(dl.headers.get('content-length')).toBe('11');
    expect(dl.headers.get('transfer-encoding')).toBeNull();
    expect(dl.headers.get('content-disposition')).toBe('inline; filename=hello.txt');
    expect(await dl.text()).toBe('hello world');
    hs.model.deleteMedia(mediaId);
    const gone = await call(hs.url, 'GET', `/_matrix/media/v3/download/test.local/${mediaId}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ errcode: 'M_NOT_FOUND', error: `Not found [b'test.local', b'${mediaId}']` });
    expect((await call(hs.url, 'GET', '/_matrix/media/v3/config', { token: alice.accessToken })).body).toEqual({ 'm.upload.size': 52428800 });
  });

  it('keys/query shows devices with keys and cross-signing keys, for any local user', async () => {
    hs = await startTestHomeserver();
    const alice = hs.model.addUser({ localpart: 'alice', crossSigning: true, devices: [{ deviceId: 'PHONE', hasKeys: true }, { deviceId: 'OLD' }] });
    const bot = hs.model.addUser({ localpart: 'bot' });
    const res = await call(hs.url, 'POST', `${C}/keys/query`, { token: bot.accessToken, body: { device_keys: { [alice.userId]: [] } } });
    expect(Object.keys(res.body.device_keys[alice.userId])).toEqual(['PHONE']);
    expect(res.body.master_keys[alice.userId].usage).toEqual(['master']);
    expect(res.body.self_signing_keys[alice.userId].usage).toEqual(['self_signing']);
    expect(res.body.user_signing_keys[alice.userId]).toBeUndefined();
  });

  it('key backup: made, read by version, deleted by version; an unknown version is 404', async () => {
    const { alice } = await world('synapse');
    const made = await call(hs.url, 'POST', `${C}/room_keys/version`, {
      token: alice.accessToken,
      body: { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'a2V5' } },
    });
    expect(made.body).toEqual({ version: '1' });
    expect((await call(hs.url, 'GET', `${C}/room_keys/version/1`, { token: alice.accessToken })).body).toMatchObject({ version: '1' });
    expect((await call(hs.url, 'DELETE', `${C}/room_keys/version/2`, { token: alice.accessToken })).status).toBe(404);
    expect((await call(hs.url, 'DELETE', `${C}/room_keys/version/1`, { token: alice.accessToken })).body).toEqual({});
    const after = await call(hs.url, 'GET', `${C}/room_keys/version`, { token: alice.accessToken });
    expect([after.status, after.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
  });

  it('pushers: set, list, remove with kind null', async () => {
    const { alice } = await world();
    const pusher = {
      kind: 'http',
      app_id: 'a',
      pushkey: 'k',
      app_display_name: 'A',
      device_display_name: 'D',
      lang: 'en',
      data: { url: 'http://127.0.0.1:9/' },
    };
    await call(hs.url, 'POST', `${C}/pushers/set`, { token: alice.accessToken, body: pusher });
    expect((await call(hs.url, 'GET', `${C}/pushers`, { token: alice.accessToken })).body.pushers).toEqual([{ ...pusher, profile_tag: '' }]);
    await call(hs.url, 'POST', `${C}/pushers/set`, { token: alice.accessToken, body: { ...pusher, kind: null } });
    expect((await call(hs.url, 'GET', `${C}/pushers`, { token: alice.accessToken })).body.pushers).toEqual([]);
  });

  it('authenticated media exists on current Synapse and Tuwunel, not on 1.67', async () => {
    const { alice } = await world('synapse');
    const uri = hs.model.uploadMedia(alice.userId, { contentType: 'image/png', bytes: Buffer.from([1, 2, 3]) });
    const path = `/_matrix/client/v1/media/download/test.local/${uri.split('/').at(-1)}`;
    expect((await call(hs.url, 'GET', path)).status).toBe(401);
    expect((await call(hs.url, 'GET', path, { token: alice.accessToken })).status).toBe(200);
    await hs.close();
    const old = await world('synapse-1.67');
    const res = await call(hs.url, 'GET', '/_matrix/client/v1/media/config', { token: old.alice.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
  });
});
