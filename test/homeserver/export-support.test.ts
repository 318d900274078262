// What the test homeserver offers for exports, held to what the real servers do: the upload
// limit and its refusals, quarantined and generated media, the admin room state, the key backup
// version, and each flavour's largest /messages page.
import { afterEach, describe, expect, it } from 'vitest';
import { generatedBytes } from '../../src/test-homeserver/generated-media.ts';
import { type Flavour, startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

const ALICE = '@alice:test.local';

async function world(flavour: Flavour, uploadLimit?: number) {
  hs = await startTestHomeserver({ flavour, ...(uploadLimit ? { uploadLimit } : {}) });
  const admin = hs.model.addUser({ localpart: 'admin', admin: true });
  const alice = hs.model.addUser({ localpart: 'alice' });
  return { admin, alice };
}

const upload = (token: string, bytes: Buffer, headers: Record<string, string> = {}) =>
  fetch(`${hs.url}/_matrix/media/v3/upload?filename=x.bin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
    body: bytes,
  });

describe('media for exports', () => {
  it('announces its upload limit and refuses a bigger upload with 413 M_TOO_LARGE', async () => {
    const { alice } = await world('synapse', 1000);
    expect((await call(hs.url, 'GET', '/_matrix/media/v3/config', { token: alice.accessToken })).body).toEqual({ 'm.upload.size': 1000 });
    expect((await call(hs.url, 'GET', '/_matrix/client/v1/media/config', { token: alice.accessToken })).body).toEqual({ 'm.upload.size': 1000 });
    const tooBig = await upload(alice.accessToken, Buffer.alloc(1001));
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ errcode: 'M_TOO_LARGE' });
    expect((await upload(alice.accessToken, Buffer.alloc(1000))).status).toBe(200);
  });

  it('keeps Synapse’s default limit of 50 MiB (recorded) when none is configured', async () => {
    const { alice } = await world('synapse-1.67');
    expect((await call(hs.url, 'GET', '/_matrix/media/v3/config', { token: alice.accessToken })).body).toEqual({ 'm.upload.size': 52428800 });
  });

  it('refuses an upload without Content-Length, as Synapse does', async () => {
    const { alice } = await world('synapse');
    const body = new ReadableStream({
      start: (c) => {
        c.enqueue(new Uint8Array([1, 2, 3]));
        c.close();
      },
    });
    const answer = await fetch(`${hs.url}/_matrix/media/v3/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.accessToken}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ errcode: 'M_UNKNOWN', error: 'Request must specify a Content-Length' });
  });

  it.each(['synapse-1.67', 'synapse', 'tuwunel'] satisfies Flavour[])('%s: lists a quarantined file to admins but serves it to nobody', async (flavour) => {
    const { admin } = await world(flavour);
    const mxc = hs.model.uploadMedia(ALICE, { contentType: 'text/plain', bytes: Buffer.from('x'), filename: 'x.txt' });
    const id = mxc.slice(mxc.lastIndexOf('/') + 1);
    hs.model.quarantineMedia(id, '@admin:test.local');
    const listed = (await call(hs.url, 'GET', `/_synapse/admin/v1/users/${enc(ALICE)}/media`, { token: admin.accessToken })).body;
    expect(listed.media[0]).toMatchObject({ media_id: id, quarantined_by: '@admin:test.local' });
    // Where a client downloads on each flavour: authenticated media where the server has it.
    const path = flavour === 'synapse-1.67' ? '/_matrix/media/v3/download' : '/_matrix/client/v1/media/download';
    const download = await call(hs.url, 'GET', `${path}/test.local/${id}`, { token: admin.accessToken });
    expect(download.status).toBe(404);
    expect(download.body.errcode).toBe('M_NOT_FOUND');
  });

  it('serves generated media as a stream of the declared length, the same bytes every time', async () => {
    const { admin } = await world('synapse');
    const mxc = hs.model.uploadGeneratedMedia(ALICE, { contentType: 'video/mp4', length: 200_000, seed: 7 });
    const id = mxc.slice(mxc.lastIndexOf('/') + 1);
    const listed = (await call(hs.url, 'GET', `/_synapse/admin/v1/users/${enc(ALICE)}/media`, { token: admin.accessToken })).body;
    expect(listed.media[0]).toMatchObject({ media_id: id, media_length: 200_000 });
    const response = await fetch(`${hs.url}/_matrix/client/v1/media/download/test.local/${id}`, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(response.headers.get('content-length')).toBe('200000');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes).toEqual(await generatedBytes({ length: 200_000, seed: 7 }));
  });
});

describe('rooms and keys for exports', () => {
  it.each(['synapse-1.67', 'synapse', 'tuwunel'] satisfies Flavour[])(
    '%s: admin room state lists every state event whole, without membership',
    async (flavour) => {
      const { admin } = await world(flavour);
      const room = hs.model.createRoom(ALICE, { name: 'Room' });
      const answer = await call(hs.url, 'GET', `/_synapse/admin/v1/rooms/${enc(room)}/state`, { token: admin.accessToken });
      expect(answer.status).toBe(200);
      const member = answer.body.state.find((e: any) => e.type === 'm.room.member' && e.state_key === ALICE);
      expect(member).toMatchObject({ sender: ALICE, content: { membership: 'join' }, room_id: room });
      expect(typeof member.event_id).toBe('string');
      expect((await call(hs.url, 'GET', `/_synapse/admin/v1/rooms/${enc('!nowhere:test.local')}/state`, { token: admin.accessToken })).status).toBe(404);
    },
  );

  it('serves room details in each server’s shape: every field, nulls as null; current Synapse and Tuwunel add the tombstone', async () => {
    const details = async (flavour: Flavour) => {
      const { admin } = await world(flavour);
      const room = hs.model.createRoom(ALICE, { name: 'Named', topic: 'A topic' });
      const body = (await call(hs.url, 'GET', `/_synapse/admin/v1/rooms/${enc(room)}`, { token: admin.accessToken })).body;
      await hs.close();
      return body;
    };
    const old = await details('synapse-1.67');
    expect(old).toMatchObject({ name: 'Named', topic: 'A topic', canonical_alias: null, forgotten: false });
    expect('tombstoned' in old).toBe(false);
    const synapse = await details('synapse');
    expect(synapse).toMatchObject({ name: 'Named', topic: 'A topic', canonical_alias: null, forgotten: false, tombstoned: false, replacement_room: null });
    // Tuwunel 1.9.0 (src/api/client/admin/rooms/room_details.rs) fills the same fields; its forgotten
    // means "nobody local joined now, someone local once was".
    const tuwunel = await details('tuwunel');
    expect(Object.keys(tuwunel).sort()).toEqual(Object.keys(synapse).sort());
    expect(tuwunel).toMatchObject({
      name: 'Named',
      topic: 'A topic',
      avatar: null,
      canonical_alias: null,
      encryption: null,
      forgotten: false,
      tombstoned: false,
      joined_local_devices: 1,
    });
  });

  it('answers the key backup version to its owner, and 404 "No backup found" without one', async () => {
    const { alice, admin } = await world('synapse');
    const none = await call(hs.url, 'GET', '/_matrix/client/v3/room_keys/version', { token: alice.accessToken });
    expect(none).toMatchObject({ status: 404, body: { errcode: 'M_NOT_FOUND', error: 'No backup found' } });
    hs.model.setKeyBackup(ALICE, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'pk' }, count: 3, etag: '1', version: '2' });
    expect((await call(hs.url, 'GET', '/_matrix/client/v3/room_keys/version', { token: alice.accessToken })).body).toMatchObject({ version: '2', count: 3 });
    // Only the user's own backup: the admin asking with its own token sees its own (none).
    expect((await call(hs.url, 'GET', '/_matrix/client/v3/room_keys/version', { token: admin.accessToken })).status).toBe(404);
  });

  it.each([
    ['synapse', 1000],
    // src/api/client/message.rs LIMIT_MAX = 1000 (it is /context that stops at 100).
    ['tuwunel', 1000],
  ] satisfies [Flavour, number][])('%s serves at most %i events per /messages page, whatever the limit asks', async (flavour, max) => {
    const { admin } = await world(flavour);
    const room = hs.model.createRoom(ALICE, { name: 'Long' });
    hs.model.appendMessages(room, ALICE, 1500, (i) => `m${i}`);
    const filter = enc(JSON.stringify({ senders: [ALICE], types: ['m.room.message'] }));
    const page = await call(hs.url, 'GET', `/_synapse/admin/v1/rooms/${enc(room)}/messages?dir=b&limit=5000&filter=${filter}`, { token: admin.accessToken });
    expect(page.body.chunk).toHaveLength(max);
    expect(page.body.chunk[0].content.body).toBe('m1499');
  });
});
