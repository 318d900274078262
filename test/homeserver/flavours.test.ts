import { afterEach, describe, expect, it } from 'vitest';
import type { Flavour, TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function world(flavour: Flavour, version?: string) {
  hs = await startTestHomeserver({ flavour, ...(version ? { version } : {}) });
  const admin = hs.model.addUser({ localpart: 'admin', admin: true });
  const alice = hs.model.addUser({
    localpart: 'alice',
    emails: ['alice@example.org'],
    createdAt: 1_700_000_000_000,
    devices: [{ deviceId: 'PHONE', lastSeenIp: '10.0.0.1', lastSeenUserAgent: 'Element', lastSeenAt: 1_700_000_001_000 }],
  });
  return { admin, alice };
}

const A = '/_synapse/admin';
const ALICE = enc('@alice:test.local');

describe('flavours', () => {
  it('server_version per flavour', async () => {
    await world('synapse-1.67');
    expect((await call(hs.url, 'GET', `${A}/v1/server_version`)).body).toEqual({ server_version: '1.67.0', python_version: '3.11.2' });
    await hs.close();
    await world('synapse');
    expect((await call(hs.url, 'GET', `${A}/v1/server_version`)).body).toEqual({ server_version: '1.160.0' });
    await hs.close();
    await world('tuwunel');
    expect((await call(hs.url, 'GET', `${A}/v1/server_version`)).body).toEqual({ server_version: '1.9.0' });
    expect((await call(hs.url, 'GET', '/_tuwunel/server_version')).body).toEqual({ name: 'Tuwunel', version: '1.9.0' });
    expect((await call(hs.url, 'GET', '/_matrix/federation/v1/version')).body).toEqual({ server: { name: 'Tuwunel', version: '1.9.0' } });
  });

  it('synapse-1.67: unknown admin paths 400 M_UNRECOGNIZED, other unknown paths an HTML 404, JSON chunked', async () => {
    const { admin } = await world('synapse-1.67');
    for (const path of [`${A}/v1/users/${ALICE}/memberships`, `${A}/v1/rooms/!x:test.local/messages`, `${A}/v1/nothing`]) {
      const res = await call(hs.url, 'GET', path, { token: admin.accessToken });
      expect(res.status, path).toBe(400);
      expect(res.body).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    }
    const redact = await call(hs.url, 'POST', `${A}/v1/user/${ALICE}/redact`, { token: admin.accessToken, body: { rooms: [] } });
    expect(redact.status).toBe(400);
    for (const path of ['/_tuwunel/server_version', '/_conduwuit/server_version', '/_matrix/federation/v1/version']) {
      const res = await call(hs.url, 'GET', path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-length')).toBe('167');
    }
    const json = await call(hs.url, 'GET', '/_matrix/client/v3/account/whoami', { token: admin.accessToken });
    expect(json.headers.get('transfer-encoding')).toBe('chunked');
    expect(json.headers.get('content-length')).toBeNull();
  });

  it('synapse-1.67 user object: 0/1 booleans, creation_ts in seconds, no erased; current Synapse: booleans and extra fields', async () => {
    const { admin } = await world('synapse-1.67');
    const old = (await call(hs.url, 'GET', `${A}/v2/users/${ALICE}`, { token: admin.accessToken })).body;
    expect(old).toMatchObject({ admin: 0, deactivated: 0, is_guest: 0, shadow_banned: 0, creation_ts: 1_700_000_000 });
    expect(old.threepids).toEqual([{ medium: 'email', address: 'alice@example.org', validated_at: 1_700_000_000_000, added_at: 1_700_000_000_000 }]);
    expect('erased' in old).toBe(false);
    await hs.close();
    const { admin: admin2 } = await world('synapse');
    const current = (await call(hs.url, 'GET', `${A}/v2/users/${ALICE}`, { token: admin2.accessToken })).body;
    expect(current).toMatchObject({ admin: false, deactivated: false, erased: false, locked: false, suspended: false, last_seen_ts: 1_700_000_001_000 });
    const unknown = await call(hs.url, 'GET', `${A}/v1/nothing`, { token: admin2.accessToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errcode).toBe('M_UNRECOGNIZED');
    expect((await call(hs.url, 'GET', `${A}/v1/users/${ALICE}/memberships`, { token: admin2.accessToken })).status).toBe(200);
  });

  it('tuwunel: creation_ts 0, devices without user agent, whois a device snapshot, tags in accountdata, Content-Length JSON', async () => {
    const { admin } = await world('tuwunel');
    const user = await call(hs.url, 'GET', `${A}/v2/users/${ALICE}`, { token: admin.accessToken });
    expect(user.body.creation_ts).toBe(0);
    expect(user.headers.get('transfer-encoding')).toBeNull();
    expect(user.headers.get('content-length')).not.toBeNull();
    const devices = (await call(hs.url, 'GET', `${A}/v2/users/${ALICE}/devices`, { token: admin.accessToken })).body.devices;
    const phone = devices.find((d: { device_id: string }) => d.device_id === 'PHONE');
    expect(phone).toEqual({ user_id: '@alice:test.local', device_id: 'PHONE', display_name: null, last_seen_ts: 1_700_000_001_000, last_seen_ip: '10.0.0.1' });
    const whois = (await call(hs.url, 'GET', `${A}/v1/whois/${ALICE}`, { token: admin.accessToken })).body;
    expect(whois.devices['']).toEqual({
      sessions: [{ connections: expect.arrayContaining([{ ip: '10.0.0.1', last_seen: 1_700_000_001_000, user_agent: null }]) }],
    });
    expect(whois.devices[''].sessions[0].connections).toHaveLength(devices.length);
    const room = hs.model.createRoom('@alice:test.local');
    hs.model.setRoomTag('@alice:test.local', room, 'u.work');
    const data = (await call(hs.url, 'GET', `${A}/v1/users/${ALICE}/accountdata`, { token: admin.accessToken })).body;
    expect(data.account_data.rooms[room]).toEqual({ 'm.tag': { tags: { 'u.work': {} } } });
  });

  it('synapse: whois groups all connections under the device key ""', async () => {
    const { admin } = await world('synapse-1.67');
    const whois = (await call(hs.url, 'GET', `${A}/v1/whois/${ALICE}`, { token: admin.accessToken })).body;
    expect(whois.devices).toEqual({ '': { sessions: [{ connections: [{ ip: '10.0.0.1', last_seen: 1_700_000_001_000, user_agent: 'Element' }] }] } });
    const remote = await call(hs.url, 'GET', `${A}/v2/users/${enc('@dave:remote.example')}`, { token: admin.accessToken });
    expect(remote.status).toBe(400);
    expect(remote.body.errcode).toBe('M_UNKNOWN');
  });

  it('tuwunel < 1.8.1 has no admin API at all; 1.8.1 lacks redact and login-as; 1.8.2 has them', async () => {
    const { admin } = await world('tuwunel', '1.8.0');
    for (const path of [`${A}/v1/server_version`, `${A}/v2/users/${ALICE}`]) {
      const res = await call(hs.url, 'GET', path, { token: admin.accessToken });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    }
    expect((await call(hs.url, 'GET', '/_tuwunel/server_version')).body.version).toBe('1.8.0');
    await hs.close();
    const { admin: a181 } = await world('tuwunel', '1.8.1');
    expect((await call(hs.url, 'GET', `${A}/v2/users/${ALICE}`, { token: a181.accessToken })).status).toBe(200);
    expect((await call(hs.url, 'POST', `${A}/v1/users/${ALICE}/login`, { token: a181.accessToken, body: {} })).status).toBe(404);
    expect((await call(hs.url, 'POST', `${A}/v1/user/${ALICE}/redact`, { token: a181.accessToken, body: { rooms: [] } })).status).toBe(404);
    await hs.close();
    const { admin: a182 } = await world('tuwunel', '1.8.2');
    expect((await call(hs.url, 'POST', `${A}/v1/users/${ALICE}/login`, { token: a182.accessToken, body: {} })).status).toBe(200);
  });

  it('synapse current answers the federation version with JSON', async () => {
    await world('synapse');
    expect((await call(hs.url, 'GET', '/_matrix/federation/v1/version')).body).toEqual({ server: { name: 'Synapse', version: '1.160.0' } });
  });
});
