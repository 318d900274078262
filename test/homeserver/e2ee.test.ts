// The test homeserver's end-to-end encryption endpoints and sync sections, held to
// what Synapse 1.67 does (see e2ee-keys.ts for the rules and where they come from).
import { afterEach, describe, expect, it } from 'vitest';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { call } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

const C = '/_matrix/client/v3';

async function people() {
  hs = await startTestHomeserver();
  const alice = hs.model.addUser({ localpart: 'alice' });
  const bob = hs.model.addUser({ localpart: 'bob' });
  const device = (token: string) => hs.model.tokenInfo(token)!.deviceId!;
  return { alice: { ...alice, deviceId: device(alice.accessToken) }, bob: { ...bob, deviceId: device(bob.accessToken) } };
}

const otk = (key: string, sig = 'sig') => ({ key, signatures: { '@alice:test.local': { 'ed25519:DEV': sig } } });
const upload = (token: string, body: unknown) => call(hs.url, 'POST', `${C}/keys/upload`, { token, body });
const sync = (token: string, since?: string) => call(hs.url, 'GET', `${C}/sync?timeout=0${since ? `&since=${since}` : ''}`, { token });

describe('keys/upload', () => {
  it('counts one-time keys, accepts the same key again (new signature), refuses another key under the same ID as Synapse does', async () => {
    const { alice } = await people();
    const first = await upload(alice.accessToken, { one_time_keys: { 'signed_curve25519:AAAAAQ': otk('k1'), 'signed_curve25519:AAAAAg': otk('k2') } });
    expect(first).toMatchObject({ status: 200, body: { one_time_key_counts: { signed_curve25519: 2 } } });
    const again = await upload(alice.accessToken, { one_time_keys: { 'signed_curve25519:AAAAAQ': otk('k1', 'other signature') } });
    expect(again.body).toEqual({ one_time_key_counts: { signed_curve25519: 2 } });
    const clash = await upload(alice.accessToken, { one_time_keys: { 'signed_curve25519:AAAAAg': otk('not k2'), 'signed_curve25519:AAAAAw': otk('k3') } });
    expect(clash.status).toBe(400);
    expect(clash.body).toEqual({
      errcode: 'M_UNKNOWN',
      error:
        'One time key signed_curve25519:AAAAAg already exists. Old key: {"key":"k2","signatures":{"@alice:test.local":{"ed25519:DEV":"sig"}}}; ' +
        "new key: {'key': 'not k2', 'signatures': {'@alice:test.local': {'ed25519:DEV': 'sig'}}}",
    });
    // Nothing of a refused upload is kept.
    expect(hs.model.e2ee.oneTimeKeyCounts(alice.userId, alice.deviceId)).toEqual({ signed_curve25519: 2 });
  });

  it('needs a device, and fallback keys must be an object', async () => {
    const { alice } = await people();
    const puppet = hs.model.loginAs(alice.userId);
    expect((await upload(puppet, { one_time_keys: {} })).body).toEqual({
      errcode: 'M_UNKNOWN',
      error: 'To upload keys, you must pass device_id when authenticating',
    });
    expect((await upload(alice.accessToken, { fallback_keys: ['x'] })).body).toEqual({ errcode: 'M_UNKNOWN', error: 'Parameter fallback_keys must be a dict' });
  });
});

describe('keys/query and keys/claim', () => {
  it('shows the uploaded device keys with the display name; claims one-time keys, then the fallback key, which stays', async () => {
    const { alice, bob } = await people();
    const deviceKeys = {
      user_id: alice.userId,
      device_id: alice.deviceId,
      algorithms: ['m.megolm.v1.aes-sha2'],
      keys: { [`ed25519:${alice.deviceId}`]: 'ed' },
      signatures: {},
    };
    await upload(alice.accessToken, {
      device_keys: deviceKeys,
      one_time_keys: { 'signed_curve25519:A': otk('a') },
      fallback_keys: { 'signed_curve25519:F': { ...otk('f'), fallback: true } },
    });
    const query = await call(hs.url, 'POST', `${C}/keys/query`, { token: bob.accessToken, body: { device_keys: { [alice.userId]: [] } } });
    expect(query.body.device_keys[alice.userId][alice.deviceId]).toEqual({ ...deviceKeys, unsigned: {} });

    const claim = () =>
      call(hs.url, 'POST', `${C}/keys/claim`, {
        token: bob.accessToken,
        body: { one_time_keys: { [alice.userId]: { [alice.deviceId]: 'signed_curve25519' } } },
      });
    expect((await claim()).body).toEqual({ one_time_keys: { [alice.userId]: { [alice.deviceId]: { 'signed_curve25519:A': otk('a') } } }, failures: {} });
    const { body: afterFirst } = await sync(alice.accessToken);
    expect(afterFirst.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(afterFirst.device_unused_fallback_key_types).toEqual(['signed_curve25519']);
    const fallback = { 'signed_curve25519:F': { ...otk('f'), fallback: true } };
    expect((await claim()).body.one_time_keys[alice.userId][alice.deviceId]).toEqual(fallback);
    expect((await claim()).body.one_time_keys[alice.userId][alice.deviceId]).toEqual(fallback);
    const { body: afterFallback } = await sync(alice.accessToken);
    expect(afterFallback.device_unused_fallback_key_types).toEqual([]);
    expect(afterFallback['org.matrix.msc2732.device_unused_fallback_key_types']).toEqual([]);
    // A device without any key is left out.
    const none = await call(hs.url, 'POST', `${C}/keys/claim`, {
      token: alice.accessToken,
      body: { one_time_keys: { [bob.userId]: { [bob.deviceId]: 'signed_curve25519' } } },
    });
    expect(none.body).toEqual({ one_time_keys: {}, failures: {} });
  });
});

describe('users of other servers', () => {
  it('are reported under failures, as Synapse does for a server it cannot reach', async () => {
    const { alice } = await people();
    const remote = '@dave:remote.example';
    const failures = { 'remote.example': { status: 503, message: 'Not ready for retry' } };
    const query = await call(hs.url, 'POST', `${C}/keys/query`, { token: alice.accessToken, body: { device_keys: { [remote]: [] } } });
    expect(query.body).toMatchObject({ device_keys: {}, failures });
    const claim = await call(hs.url, 'POST', `${C}/keys/claim`, {
      token: alice.accessToken,
      body: { one_time_keys: { [remote]: { DEV: 'signed_curve25519' } } },
    });
    expect(claim.body).toEqual({ one_time_keys: {}, failures });
  });
});

describe('to-device messages', () => {
  it('reach every device for "*", once per transaction, and are deleted when the device syncs past them', async () => {
    const { alice, bob } = await people();
    const initial = await sync(bob.accessToken);
    expect(initial.body.to_device).toBeUndefined();
    const send = (txn: string) =>
      call(hs.url, 'PUT', `${C}/sendToDevice/m.room_key_request/${txn}`, {
        token: alice.accessToken,
        body: { messages: { [bob.userId]: { '*': { hello: txn } } } },
      });
    expect((await send('t1')).body).toEqual({});
    expect((await send('t1')).body).toEqual({});
    await send('t2');
    const first = await sync(bob.accessToken, initial.body.next_batch);
    expect(first.body.to_device.events).toEqual([
      { sender: alice.userId, type: 'm.room_key_request', content: { hello: 't1' } },
      { sender: alice.userId, type: 'm.room_key_request', content: { hello: 't2' } },
    ]);
    // Synced again from the same token (the answer was lost): the messages come again.
    expect((await sync(bob.accessToken, initial.body.next_batch)).body.to_device.events).toHaveLength(2);
    // From the next token: gone.
    const second = await sync(bob.accessToken, first.body.next_batch);
    expect(second.body.to_device).toBeUndefined();
    expect((await call(hs.url, 'PUT', `${C}/sendToDevice/x/t3`, { token: alice.accessToken, body: {} })).body).toEqual({
      errcode: 'M_MISSING_PARAM',
      error: "Missing params: ['messages']",
    });
  });

  it('wake a waiting sync', async () => {
    const { alice, bob } = await people();
    const initial = await sync(bob.accessToken);
    const waiting = call(hs.url, 'GET', `${C}/sync?timeout=5000&since=${initial.body.next_batch}`, { token: bob.accessToken });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await call(hs.url, 'PUT', `${C}/sendToDevice/m.dummy/t1`, { token: alice.accessToken, body: { messages: { [bob.userId]: { [bob.deviceId]: {} } } } });
    expect((await waiting).body.to_device.events).toEqual([{ sender: alice.userId, type: 'm.dummy', content: {} }]);
  });
});

describe('device_lists', () => {
  it('names people sharing a room whose keys changed or who joined, and those no longer sharing one; only on incremental syncs', async () => {
    const { alice, bob } = await people();
    const room = hs.model.createRoom(alice.userId, { invite: [bob.userId] });
    hs.model.join(room, bob.userId);
    const initial = await sync(bob.accessToken);
    expect(initial.body.device_lists).toBeUndefined();
    await upload(alice.accessToken, { device_keys: { user_id: alice.userId, device_id: alice.deviceId, keys: {} } });
    const changed = await sync(bob.accessToken, initial.body.next_batch);
    expect(changed.body.device_lists).toEqual({ changed: [alice.userId] });
    // The same keys again are no change.
    await upload(alice.accessToken, { device_keys: { user_id: alice.userId, device_id: alice.deviceId, keys: {} } });
    expect((await sync(bob.accessToken, changed.body.next_batch)).body.device_lists).toBeUndefined();
    hs.model.leave(room, alice.userId);
    expect((await sync(bob.accessToken, changed.body.next_batch)).body.device_lists).toEqual({ left: [alice.userId] });
  });
});
