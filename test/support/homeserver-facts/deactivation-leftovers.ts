// Fact 9 (issue 15, item 5): what a Synapse deactivation with erase removes and what it leaves,
// measured on Synapse 1.160: account data (global and per room), pushers, the key backup, the
// profile with its custom fields, the devices and their keys go; room tags and cross-signing
// keys stay, readable through a login-as token, which still works.
import { generateKeyPairSync, sign } from 'node:crypto';
import { expect } from 'vitest';
import type { FactClient, FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);
const unpadded = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: unpadded(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')), privateKey };
}

/** A master key and a self-signing key signed by it, as a client makes them. */
export function crossSigningKeys(userId: string) {
  const master = ed25519();
  const selfSigning = ed25519();
  const masterKey = { user_id: userId, usage: ['master'], keys: { [`ed25519:${master.publicKey}`]: master.publicKey } };
  const bare = { user_id: userId, usage: ['self_signing'], keys: { [`ed25519:${selfSigning.publicKey}`]: selfSigning.publicKey } };
  const signature = unpadded(sign(null, Buffer.from(canonical(bare)), master.privateKey));
  return { master_key: masterKey, self_signing_key: { ...bare, signatures: { [userId]: { [`ed25519:${master.publicKey}`]: signature } } } };
}

async function seedLeftovers(person: FactClient, roomId: string) {
  const u = enc(person.userId);
  await person.ok('PUT', `/_matrix/client/v3/user/${u}/account_data/org.example.global`, { x: 1 });
  await person.ok('PUT', `/_matrix/client/v3/user/${u}/rooms/${enc(roomId)}/account_data/org.example.room`, { y: 2 });
  await person.ok('PUT', `/_matrix/client/v3/user/${u}/rooms/${enc(roomId)}/tags/m.favourite`, { order: 0.5 });
  await person.ok('PUT', `/_matrix/client/v3/user/${u}/rooms/${enc(roomId)}/tags/u.mine`, {});
  await person.ok('POST', '/_matrix/client/v3/pushers/set', {
    kind: 'http',
    app_id: 'org.example.app',
    pushkey: 'pk1',
    app_display_name: 'App',
    device_display_name: 'Phone',
    lang: 'en',
    data: { url: 'https://push.example.org/_matrix/push/v1/notify' },
  });
  await person.ok('POST', '/_matrix/client/v3/room_keys/version', {
    algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
    auth_data: { public_key: 'abcdefg' },
  });
  await person.ok('PUT', `/_matrix/client/v3/profile/${u}/m.tz`, { 'm.tz': 'Europe/Bucharest' });
  await person.ok('POST', '/_matrix/client/v3/keys/upload', {
    device_keys: {
      user_id: person.userId,
      device_id: person.deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2'],
      keys: { [`curve25519:${person.deviceId}`]: 'c'.repeat(43), [`ed25519:${person.deviceId}`]: 'e'.repeat(43) },
      signatures: {},
    },
  });
  const keys = crossSigningKeys(person.userId);
  // The first upload needs no interactive auth; the same keys again are accepted.
  await person.ok('POST', '/_matrix/client/v3/keys/device_signing/upload', keys);
  await person.ok('POST', '/_matrix/client/v3/keys/device_signing/upload', keys);
  return keys;
}

export async function synapseDeactivationLeftovers(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'), { displayName: 'Dee' });
  const friend = await server.register(uniqueName('friend'));
  const room = await friend.roomWith([person], 'leftovers');
  const keys = await seedLeftovers(person, room);
  const query = async () => friend.ok('POST', '/_matrix/client/v3/keys/query', { device_keys: { [person.userId]: [] } });
  const before = await query();
  expect(Object.keys(before.device_keys[person.userId])).toEqual([person.deviceId]);
  expect(before.master_keys[person.userId]).toEqual(keys.master_key);
  expect(await friend.ok('GET', `/_matrix/client/v3/profile/${enc(person.userId)}`)).toEqual({ displayname: 'Dee', 'm.tz': 'Europe/Bucharest' });

  expect(await server.asAdmin('POST', `/_synapse/admin/v1/deactivate/${enc(person.userId)}`, { erase: true })).toMatchObject({
    status: 200,
    json: { id_server_unbind_result: 'success' },
  });
  // Deactivating again, with erase, is answered the same.
  expect(await server.asAdmin('POST', `/_synapse/admin/v1/deactivate/${enc(person.userId)}`, { erase: true })).toMatchObject({
    status: 200,
    json: { id_server_unbind_result: 'success' },
  });

  const u = enc(person.userId);
  // Gone: account data, pushers, the key backup, the profile and its custom fields, the device keys.
  expect((await server.asAdmin('GET', `/_synapse/admin/v1/users/${u}/accountdata`)).json).toEqual({ account_data: { global: {}, rooms: {} } });
  expect((await server.asAdmin('GET', `/_synapse/admin/v1/users/${u}/pushers`)).json).toEqual({ pushers: [], total: 0 });
  const token = await person.loginAs();
  const as = (path: string) => server.call('GET', path, { token });
  expect(await as(`/_matrix/client/v3/user/${u}/account_data/org.example.global`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'Account data not found' },
  });
  expect(await as(`/_matrix/client/v3/user/${u}/rooms/${enc(room)}/account_data/org.example.room`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'Room account data not found' },
  });
  expect(await as('/_matrix/client/v3/room_keys/version')).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND', error: 'No backup found' } });
  expect(await friend.call('GET', `/_matrix/client/v3/profile/${u}`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_UNKNOWN', error: 'No row found (profiles)' },
  });
  expect(await friend.call('GET', `/_matrix/client/v3/profile/${u}/displayname`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'Profile was not found' },
  });
  expect((await friend.call('GET', `/_matrix/client/v3/profile/${u}/m.tz`)).status).toBe(500);
  expect((await server.asAdmin('GET', `/_synapse/admin/v2/users/${u}`)).json).toMatchObject({
    displayname: null,
    avatar_url: null,
    deactivated: true,
    erased: true,
  });
  // Left behind: the room tags and the cross-signing keys.
  expect((await as(`/_matrix/client/v3/user/${u}/rooms/${enc(room)}/tags`)).json).toEqual({ tags: { 'm.favourite': { order: 0.5 }, 'u.mine': {} } });
  const after = await query();
  expect(after.device_keys[person.userId]).toEqual({});
  expect(after.master_keys[person.userId]).toEqual(keys.master_key);
  expect(after.self_signing_keys[person.userId]).toEqual(keys.self_signing_key);
}
