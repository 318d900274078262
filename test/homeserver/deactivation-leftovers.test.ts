// Fact 9 of issue 15, item 5: what deactivation removes and what it leaves, per flavour. The
// Synapse scenario is the one the real tier runs against a real Synapse 1.160; Tuwunel's comes
// from its 1.9.0 source (src/api/client/admin/users/deactivate_account.rs: devices and their
// pushers, the password, the erased marker; nothing else).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { crossSigningKeys, synapseDeactivationLeftovers } from '../support/homeserver-facts/deactivation-leftovers.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function seeded(flavour: 'synapse-1.67' | 'tuwunel') {
  hs = await startTestHomeserver({ flavour });
  const m = hs.model;
  const admin = m.addUser({ localpart: 'admin', admin: true });
  const dee = m.addUser({ localpart: 'dee', displayName: 'Dee', password: 'secret', profile: { 'm.tz': 'Europe/Bucharest' } });
  const room = m.createRoom(dee.userId, { name: 'room' });
  m.setAccountData(dee.userId, 'org.example.global', { x: 1 });
  m.setAccountData(dee.userId, 'org.example.room', { y: 2 }, room);
  m.setRoomTag(dee.userId, room, 'u.mine');
  const pusher = {
    kind: 'http',
    app_id: 'org.example.app',
    app_display_name: 'App',
    device_display_name: 'Phone',
    lang: 'en',
    data: { url: 'https://push.example.org/notify' },
  };
  m.addPusher(dee.userId, { ...pusher, pushkey: 'seeded, tied to no device' });
  expect(
    (await call(hs.url, 'POST', '/_matrix/client/v3/pushers/set', { token: dee.accessToken, body: { ...pusher, pushkey: 'set from a device' } })).status,
  ).toBe(200);
  m.setKeyBackup(dee.userId, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'abc' }, count: 0, etag: '0', version: '1' });
  const deactivate = (body: unknown) => call(hs.url, 'POST', `/_synapse/admin/v1/deactivate/${enc(dee.userId)}`, { token: admin.accessToken, body });
  return { m, admin, dee, room, deactivate };
}

describe('what deactivation leaves behind', () => {
  it('synapse: fact 9, with erase: account data, pushers, backup, profile and device keys go; room tags and cross-signing keys stay (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await synapseDeactivationLeftovers(await factServerFor(hs));
  });

  it('synapse-1.67: the key backup and the room tags stay; the profile is emptied through member events', async () => {
    const { m, dee, room, deactivate } = await seeded('synapse-1.67');
    const before = m.events(room).length;
    expect((await deactivate({ erase: true })).status).toBe(200);
    const user = m.user(dee.userId)!;
    expect([user.accountData.size, user.roomAccountData.size, user.pushers.length]).toEqual([0, 0, 0]);
    expect(user.keyBackup?.version).toBe('1');
    expect(user.tags.get(room)?.content).toEqual({ 'u.mine': {} });
    expect(
      m
        .events(room)
        .slice(before)
        .map((e) => e.content),
    ).toEqual([{ membership: 'join', displayname: 'Dee' }, { membership: 'join' }]);
  });

  it('tuwunel: fact 9 and 10, account data, tags, pushers tied to no device, the backup, cross-signing keys and custom profile fields survive; deactivating again with erase sets the marker', async () => {
    const { m, admin, dee, room, deactivate } = await seeded('tuwunel');
    const keys = crossSigningKeys(dee.userId);
    expect((await call(hs.url, 'POST', '/_matrix/client/v3/keys/device_signing/upload', { token: dee.accessToken, body: keys })).status).toBe(200);
    expect((await deactivate({ erase: false })).status).toBe(200);
    expect(m.user(dee.userId)!.erasedAt).toBeNull();
    expect((await deactivate({ erase: true })).status).toBe(200);
    const user = m.user(dee.userId)!;
    expect(user.erasedAt).not.toBeNull();
    expect([...user.accountData.keys()]).toEqual(['org.example.global']);
    expect(user.roomAccountData.get(room)?.has('org.example.room')).toBe(true);
    expect(user.tags.get(room)?.content).toEqual({ 'u.mine': {} });
    expect(user.pushers.map((p) => p.pushkey)).toEqual(['seeded, tied to no device']);
    expect(user.keyBackup?.version).toBe('1');
    const query = await call(hs.url, 'POST', '/_matrix/client/v3/keys/query', { token: admin.accessToken, body: { device_keys: { [dee.userId]: [] } } });
    expect(query.body.master_keys[dee.userId]).toEqual(keys.master_key);
    const profile = await call(hs.url, 'GET', `/_matrix/client/v3/profile/${enc(dee.userId)}`, { token: admin.accessToken });
    expect(profile.body).toEqual({ displayname: 'Dee', 'm.tz': 'Europe/Bucharest' });
    // Not in the admin user details.
    expect((await call(hs.url, 'GET', `/_synapse/admin/v2/users/${enc(dee.userId)}`, { token: admin.accessToken })).body['m.tz']).toBeUndefined();
  });

  it('cross-signing keys: a self-signing key must be signed by the master key; changing keys already set up needs the password', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    const dee = hs.model.addUser({ localpart: 'dee', password: 'secret' });
    const upload = (body: unknown) => call(hs.url, 'POST', '/_matrix/client/v3/keys/device_signing/upload', { token: dee.accessToken, body });
    const keys = crossSigningKeys(dee.userId);
    const forged = { ...keys, self_signing_key: { ...keys.self_signing_key, keys: crossSigningKeys(dee.userId).self_signing_key.keys } };
    expect(await upload(forged)).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_SIGNATURE', error: 'Invalid signature on self_signing key' } });
    expect((await upload(keys)).status).toBe(200);
    const other = crossSigningKeys(dee.userId);
    const challenge = await upload(other);
    expect(challenge).toMatchObject({ status: 401, body: { flows: [{ stages: ['m.login.password'] }], params: {} } });
    expect(
      (
        await upload({
          ...other,
          auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'dee' }, password: 'secret', session: challenge.body.session },
        })
      ).status,
    ).toBe(200);
  });
});
