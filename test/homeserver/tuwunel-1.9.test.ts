// The tuwunel flavour against Tuwunel 1.9.0 as its source reads (reference: "Tuwunel 1.9.0
// as its source reads"), one describe per difference of issue 11. Each of these failed on the
// flavour as it was before.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomEvent, TestHomeserver, TestHomeserverOptions } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

const A = '/_synapse/admin';
const ALICE = '@alice:test.local';
const CONDUIT = '@conduit:test.local';

async function world(options: TestHomeserverOptions = {}) {
  hs = await startTestHomeserver({ flavour: 'tuwunel', ...options });
  const admin = hs.model.addUser({ localpart: 'admin', admin: true });
  const alice = hs.model.addUser({
    localpart: 'alice',
    displayName: 'Alice',
    emails: ['alice@example.org'],
    devices: [{ deviceId: 'PHONE', lastSeenIp: '10.0.0.1', lastSeenAt: 1_700_000_001_000 }],
  });
  const bob = hs.model.addUser({ localpart: 'bob' });
  const adminRoom = hs.model.aliases.get('#admins:test.local') ?? '';
  const get = (path: string) => call(hs.url, 'GET', A + path, { token: admin.accessToken });
  const send = (method: string, path: string, body: unknown = {}) => call(hs.url, method, A + path, { token: admin.accessToken, body });
  return { admin, alice, bob, adminRoom, get, send };
}

const relation = (ev: RoomEvent) => ev.content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string }; rel_type?: string; event_id?: string } | undefined;

/** Sends `!admin ...` as the admin over HTTP; resolves with @conduit's answer: every event of the reply chain or thread. */
async function admin(line: string, extra: Record<string, unknown> = {}): Promise<RoomEvent[]> {
  const token = hs.model.login('@admin:test.local').accessToken;
  const room = hs.model.adminRoomId ?? '';
  const res = await call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/${Math.random()}`, {
    token,
    body: { msgtype: 'm.text', body: line, ...extra },
  });
  const commandId = res.body.event_id as string;
  const answers = (id: string) => (ev: RoomEvent) =>
    ev.sender === CONDUIT && (relation(ev)?.['m.in_reply_to']?.event_id === id || (relation(ev)?.rel_type === 'm.thread' && relation(ev)?.event_id === id));
  const first = await hs.model.waitForEvent(answers(commandId), 2000, `the answer to ${line}`);
  // The parts are appended together, so once the first is there they all are.
  const all = [first];
  const events = hs.model.events(room);
  for (let next = events.find(answers(all.at(-1)!.event_id)); next; next = events.find(answers(all.at(-1)!.event_id))) all.push(next);
  if (relation(first)?.rel_type === 'm.thread') all.push(...events.filter((ev) => ev !== first && answers(commandId)(ev) && ev.event_id !== first.event_id));
  return all;
}
const body = (events: RoomEvent[]) => String(events[0]?.content['body']);

describe('1. whois: one connection per device under "", IP and time only, devices without an IP too', () => {
  it('answers a snapshot of the devices, not a log', async () => {
    const { get } = await world();
    const whois = (await get(`/v1/whois/${enc(ALICE)}`)).body;
    const loginDevice = [...(hs.model.user(ALICE)?.devices.keys() ?? [])].find((d) => d !== 'PHONE') ?? '';
    const connections = [
      { id: 'PHONE', c: { ip: '10.0.0.1', last_seen: 1_700_000_001_000, user_agent: null } },
      { id: loginDevice, c: { ip: null, last_seen: null, user_agent: null } },
    ]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((x) => x.c);
    expect(whois).toEqual({ user_id: ALICE, devices: { '': { sessions: [{ connections }] } } });
  });

  it('a user without devices gets one empty session; a remote user 400 M_INVALID_PARAM', async () => {
    const { get } = await world();
    hs.model.removeDevicesAndTokens(ALICE);
    expect((await get(`/v1/whois/${enc(ALICE)}`)).body).toEqual({ user_id: ALICE, devices: { '': { sessions: [{}] } } });
    const remote = await get(`/v1/whois/${enc('@dave:remote.example')}`);
    expect(remote.status).toBe(400);
    expect(remote.body).toEqual({ errcode: 'M_INVALID_PARAM', error: 'Can only look up local users' });
  });
});

describe('2. identity: /_tuwunel/server_version only, its version as `git describe` gives it', () => {
  it('has no /_conduwuit/server_version', async () => {
    await world();
    const res = await call(hs.url, 'GET', '/_conduwuit/server_version');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  });

  it('reports a version with a suffix as is, on every version endpoint', async () => {
    await world({ version: '1.9.0 (abc1234)' });
    expect((await call(hs.url, 'GET', '/_tuwunel/server_version')).body).toEqual({ name: 'Tuwunel', version: '1.9.0 (abc1234)' });
    expect((await call(hs.url, 'GET', `${A}/v1/server_version`)).body).toEqual({ server_version: '1.9.0 (abc1234)' });
    expect((await call(hs.url, 'GET', '/_matrix/federation/v1/version')).body).toEqual({ server: { name: 'Tuwunel', version: '1.9.0 (abc1234)' } });
  });
});

describe('3. login-as makes a visible "Admin login" device', () => {
  it("the device shows in the user's list until the token logs out", async () => {
    const { get, send } = await world();
    const { access_token: token } = (await send('POST', `/v1/users/${enc(ALICE)}/login`, { valid_until_ms: Date.now() + 60_000 })).body;
    const devices = (await get(`/v2/users/${enc(ALICE)}/devices`)).body.devices as Array<{
      device_id: string;
      display_name: string | null;
      last_seen_ip: string | null;
    }>;
    const puppet = devices.find((d) => d.display_name === 'Admin login');
    expect(puppet).toBeDefined();
    const whoami = (await call(hs.url, 'GET', '/_matrix/client/v3/account/whoami', { token })).body;
    expect(whoami.device_id).toBe(puppet?.device_id);
    expect((await call(hs.url, 'POST', '/_matrix/client/v3/logout', { token, body: {} })).status).toBe(200);
    expect(hs.model.user(ALICE)?.devices.has(puppet?.device_id ?? '')).toBe(false);
  });

  it('an expired token is refused but its device stays, until an admin deletes it (a second delete is no error)', async () => {
    const { send } = await world();
    const { access_token: token } = (await send('POST', `/v1/users/${enc(ALICE)}/login`, { valid_until_ms: Date.now() + 50 })).body;
    const deviceId = hs.model.tokenInfo(token)?.deviceId ?? '';
    await new Promise((r) => setTimeout(r, 80));
    expect((await call(hs.url, 'POST', '/_matrix/client/v3/logout', { token, body: {} })).status).toBe(401);
    expect(hs.model.user(ALICE)?.devices.get(deviceId)?.displayName).toBe('Admin login');
    expect((await send('DELETE', `/v2/users/${enc(ALICE)}/devices/${enc(deviceId)}`)).body).toEqual({});
    expect(hs.model.user(ALICE)?.devices.has(deviceId)).toBe(false);
    expect((await send('DELETE', `/v2/users/${enc(ALICE)}/devices/${enc(deviceId)}`)).status).toBe(200);
  });

  it('oneself or a remote user: 400 M_INVALID_PARAM; an unknown user: 404', async () => {
    const { send } = await world();
    expect((await send('POST', `/v1/users/${enc('@admin:test.local')}/login`)).body).toEqual({
      errcode: 'M_INVALID_PARAM',
      error: 'Cannot use admin API to login as self',
    });
    expect((await send('POST', `/v1/users/${enc('@dave:remote.example')}/login`)).body).toEqual({
      errcode: 'M_INVALID_PARAM',
      error: 'Only local users can be logged in as',
    });
    const unknown = await send('POST', `/v1/users/${enc('@nobody:test.local')}/login`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errcode).toBe('M_NOT_FOUND');
  });
});

describe('4. user redaction', () => {
  const poll = async (get: (p: string) => Promise<{ body: any }>, id: string, until: (s: string) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const status = (await get(`/v1/user/redact_status/${id}`)).body;
      if (until(status.status)) return status;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('the redaction never got there');
  };

  it('rooms is required', async () => {
    const { send } = await world();
    const res = await send('POST', `/v1/user/${enc(ALICE)}/redact`, { reason: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_BAD_JSON');
  });

  it('redacts as the user by default, as the admin with use_admin', async () => {
    const { get, send, admin: adminUser } = await world();
    const room = hs.model.createRoom(adminUser.userId, { invite: [ALICE] });
    hs.model.join(room, ALICE);
    const mine = hs.model.sendMessage(room, ALICE, 'one');
    const { redact_id } = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms: [room] })).body;
    await poll(get, redact_id, (s) => s === 'complete');
    const redactionOf = (id: string) => hs.model.events(room).find((e) => e.type === 'm.room.redaction' && e.redacts === id);
    expect(redactionOf(mine)?.sender).toBe(ALICE);
    const second = hs.model.sendMessage(room, ALICE, 'two');
    const asAdmin = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms: [room], use_admin: true })).body;
    await poll(get, asAdmin.redact_id, (s) => s === 'complete');
    expect(redactionOf(second)?.sender).toBe(adminUser.userId);
  });

  it("in a room the user has left, redacting as the user fails under the room's rules", async () => {
    const { get, send, bob } = await world();
    const room = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(room, ALICE);
    const event = hs.model.sendMessage(room, ALICE, 'said before leaving');
    hs.model.leave(room, ALICE);
    const { redact_id } = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms: [room] })).body;
    const status = await poll(get, redact_id, (s) => s === 'complete');
    expect(Object.keys(status.failed_redactions)).toContain(event);
    expect(hs.model.findEvent(room, event)?.redactedBy).toBeUndefined();
    // The admin is not in the room either: use_admin fails there too, for want of power.
    const again = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms: [room], use_admin: true })).body;
    const adminStatus = await poll(get, again.redact_id, (s) => s === 'complete');
    expect(adminStatus.failed_redactions[event]).toMatch(/power level/);
  });

  it('no check that the user exists; 400 while one runs; scheduled/active without failures, complete with them', async () => {
    const { get, send } = await world({ redactionStepMs: 300 });
    const rooms = [hs.model.createRoom(ALICE), hs.model.createRoom(ALICE)];
    const nobody = await send('POST', `/v1/user/${enc('@nobody:test.local')}/redact`, { rooms: [] });
    expect(nobody.status).toBe(200);
    const { redact_id } = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms })).body;
    const busy = await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms });
    expect(busy.status).toBe(400);
    expect(busy.body).toEqual({ errcode: 'M_INVALID_PARAM', error: `Redact already in progress for user ${ALICE}` });
    const running = await poll(get, redact_id, (s) => s === 'active');
    expect(running).toEqual({ status: 'active' });
    expect(await poll(get, redact_id, (s) => s === 'complete')).toEqual({ status: 'complete', failed_redactions: {} });
  });

  it('fails as a whole at a room the server does not know, with an error and no failed_redactions', async () => {
    const { get, send } = await world();
    const known = hs.model.createRoom(ALICE);
    const said = hs.model.sendMessage(known, ALICE, 'gone');
    const { redact_id } = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms: [known, '!unknown:test.local'] })).body;
    const status = await poll(get, redact_id, (s) => s === 'failed');
    expect(status).toEqual({ status: 'failed', error: expect.stringContaining('!unknown:test.local') });
    // What came before the unknown room was redacted all the same.
    expect(hs.model.findEvent(known, said)?.redactedBy).toBeDefined();
  });
});

describe('5. pushers of a user the server does not know', () => {
  it('200 and an empty list', async () => {
    const { get } = await world();
    expect((await get(`/v1/users/${enc('@nobody:test.local')}/pushers`)).body).toEqual({ pushers: [], total: 0 });
  });
});

describe('6. memberships', () => {
  it('a ban comes back as "leave", a knock as "knock"; a forgotten room is gone, and back after a new membership', async () => {
    const { get, bob } = await world();
    const banned = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(banned, ALICE);
    hs.model.sendEvent(banned, bob.userId, 'm.room.member', { membership: 'ban' }, { stateKey: ALICE });
    const knocked = hs.model.createRoom(bob.userId);
    hs.model.knock(knocked, ALICE);
    const forgotten = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(forgotten, ALICE);
    const alice = hs.model.login(ALICE).accessToken;
    const forget = (room: string) => call(hs.url, 'POST', `/_matrix/client/v3/rooms/${enc(room)}/forget`, { token: alice, body: {} });
    const refused = await forget(forgotten);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ errcode: 'M_UNKNOWN', error: 'You must leave the room before forgetting it' });
    hs.model.leave(forgotten, ALICE);
    expect((await forget(forgotten)).status).toBe(200);
    expect((await get(`/v1/users/${enc(ALICE)}/memberships`)).body).toEqual({ memberships: { [banned]: 'leave', [knocked]: 'knock' } });
    const sync = await call(hs.url, 'GET', `/_matrix/client/v3/sync?filter=${enc(JSON.stringify({ room: { include_leave: true } }))}`, { token: alice });
    expect(Object.keys(sync.body.rooms.leave)).toEqual([banned]);
    hs.model.invite(forgotten, bob.userId, ALICE);
    expect((await get(`/v1/users/${enc(ALICE)}/memberships`)).body.memberships[forgotten]).toBe('invite');
  });
});

describe('7. admin-room errors', () => {
  it('"Command failed with error:" and the message in a fenced block', async () => {
    await world();
    const answer = await admin(`!admin users list-joined-rooms ${ALICE}`);
    expect(body(answer)).toBe('Command failed with error:\n```\nUser is not in any rooms.\n```');
    expect(relation(answer[0]!)).toEqual({ 'm.in_reply_to': expect.any(Object) });
  });

  it("a command line that does not parse: clap's text, plain, without the prefix", async () => {
    await world();
    const answer = await admin('!admin users frobnicate @x:test.local');
    expect(body(answer)).toMatch(/^error: unrecognized subcommand 'frobnicate'\n\nUsage: admin users <COMMAND>/);
    expect(answer[0]?.content['formatted_body']).toBeUndefined();
    expect(body(await admin('!admin users deactivate'))).toMatch(/^error: the following required arguments were not provided:\n {2}<USER_ID>/);
  });

  it('info log lines of the command come first, as a table, then the answer', async () => {
    await world();
    const room = hs.model.createRoom(ALICE, { name: 'Garden' });
    const answer = body(await admin(`!admin users deactivate ${ALICE}`));
    expect(answer).toBe(
      '| level | span | message |\n| ------: | :-----: | :------- |\n' +
        `|  INFO |    admin     | Demoted ${ALICE} in ${room} as part of account deactivation |\n\n` +
        `User ${ALICE} has been deactivated`,
    );
  });
});

describe('8. long output', () => {
  const manyRooms = () => {
    for (let i = 0; i < 12; i++) hs.model.createRoom(ALICE, { name: `Room number ${i}` });
  };

  it('splits into replies chained one to the next, with fences closed and reopened', async () => {
    await world({ adminRoom: { outputMaxEvents: 10, segmentBudget: 400 } });
    manyRooms();
    const parts = await admin(`!admin users list-joined-rooms ${ALICE}`);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((part, i) => {
      if (i > 0) expect(relation(part)?.['m.in_reply_to']?.event_id).toBe(parts[i - 1]?.event_id);
      expect((String(part.content['body']).match(/```/g) ?? []).length % 2).toBe(0);
    });
    const rooms = parts
      .map((p) => String(p.content['body']))
      .join('')
      .match(/Room number \d+/g);
    expect(rooms).toHaveLength(12);
  });

  it('too many parts: one admin-output-<secs>.md file replying to the command', async () => {
    const { admin: adminUser } = await world({ adminRoom: { segmentBudget: 400 } });
    manyRooms();
    const [file] = await admin(`!admin users list-joined-rooms ${ALICE}`);
    expect(file?.content).toMatchObject({ msgtype: 'm.file', body: expect.stringMatching(/^admin-output-\d+\.md$/), info: { mimetype: 'text/markdown' } });
    const [, server, mediaId] = /^mxc:\/\/([^/]+)\/(.+)$/.exec(String(file?.content['url'])) ?? [];
    const download = await call(hs.url, 'GET', `/_matrix/client/v1/media/download/${server}/${mediaId}`, { token: adminUser.accessToken });
    expect(String(download.body)).toMatch(/^Rooms @alice:test\.local Joined \(12\):\n```\n/);
  });

  it("with admin_output_threads every part goes into the command's thread", async () => {
    await world({ adminRoom: { outputMaxEvents: 10, outputThreads: true, segmentBudget: 400 } });
    manyRooms();
    const parts = await admin(`!admin users list-joined-rooms ${ALICE}`);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(relation(part)).toEqual({ rel_type: 'm.thread', event_id: expect.stringMatching(/^\$/) });
  });

  it('formatted_body only where the markdown shows: a one-line confirmation has none', async () => {
    await world();
    const answer = await admin(`!admin users erasure ${ALICE}`);
    expect(answer[0]?.content).toEqual({ msgtype: 'm.notice', body: `${ALICE} is not erased`, 'm.relates_to': expect.any(Object) });
  });
});

describe('9. users del-email', () => {
  it('always "Removed email <lower-cased address> from user ...", bound or not', async () => {
    await world();
    expect(body(await admin(`!admin users del-email ${ALICE} Alice@Example.ORG`))).toBe(`Removed email alice@example.org from user ${ALICE}.`);
    expect(hs.model.user(ALICE)?.emails).toEqual([]);
    expect(body(await admin(`!admin users del-email ${ALICE} never@bound.example`))).toBe(`Removed email never@bound.example from user ${ALICE}.`);
    expect(body(await admin(`!admin users del-email ${ALICE} no-domain`))).toBe('Command failed with error:\n```\nEmail address must contain a domain\n```');
  });
});

describe('10. users deactivate of a user that does not exist', () => {
  it('reports success, and leaves a deactivated account behind', async () => {
    const { get } = await world();
    expect(body(await admin('!admin users deactivate @nobody:test.local'))).toBe('User @nobody:test.local has been deactivated');
    const after = await get(`/v2/users/${enc('@nobody:test.local')}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ deactivated: true });
  });
});

describe('11. users deactivate, in full', () => {
  it('clears every profile key, demotes where it can, leaves joined, invited and knocked rooms and forgets them', async () => {
    const { get, bob } = await world();
    hs.model.setProfile(ALICE, { avatarUrl: 'mxc://test.local/face' });
    hs.model.user(ALICE)?.profileFields.set('m.tz', 'Europe/Bucharest');
    const own = hs.model.createRoom(ALICE, { name: 'Hers' });
    const joined = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(joined, ALICE);
    const invited = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    const knocked = hs.model.createRoom(bob.userId);
    hs.model.knock(knocked, ALICE);
    const leftBefore = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(leftBefore, ALICE);
    hs.model.leave(leftBefore, ALICE);
    const before = (await get(`/v1/users/${enc(ALICE)}/memberships`)).body.memberships;
    expect(Object.keys(before)).toHaveLength(5);

    await admin(`!admin users deactivate ${ALICE}`);
    const user = hs.model.user(ALICE);
    expect([user?.displayName, user?.avatarUrl, user?.profileFields.size]).toEqual([null, null, 0]);
    expect((hs.model.stateEvent(own, 'm.room.power_levels', '')!.content['users'] as Record<string, number>)[ALICE]).toBeUndefined();
    for (const room of [own, joined, invited, knocked]) expect(hs.model.membership(room, ALICE)).toBe('leave');
    // Forgotten: only the room she had left before is still listed.
    expect((await get(`/v1/users/${enc(ALICE)}/memberships`)).body).toEqual({ memberships: { [leftBefore]: 'leave' } });
    expect(user?.deactivated).toBe(true);
    expect(user?.erasedAt).toBeNull();
  });

  it('--no-leave-rooms only takes the access away', async () => {
    await world();
    const room = hs.model.createRoom(ALICE);
    expect(body(await admin(`!admin users deactivate --no-leave-rooms ${ALICE}`))).toBe(`User ${ALICE} has been deactivated`);
    expect(hs.model.membership(room, ALICE)).toBe('join');
    expect(hs.model.user(ALICE)).toMatchObject({ displayName: 'Alice', deactivated: true });
    expect(hs.model.user(ALICE)?.devices.size).toBe(0);
  });
});

describe('12. shared-secret registration from Tuwunel 1.7.0', () => {
  it('1.7.0 registers (and has no other admin endpoint); 1.6.0 has none', async () => {
    await world({ version: '1.7.0' });
    const nonce = (await call(hs.url, 'GET', `${A}/v1/register`)).body.nonce as string;
    const mac = createHmac('sha1', hs.registrationSecret).update(`${nonce}\0dave\0pw\0notadmin`).digest('hex');
    const registered = await call(hs.url, 'POST', `${A}/v1/register`, { body: { nonce, username: 'dave', password: 'pw', admin: false, mac } });
    expect(registered.body).toMatchObject({ user_id: '@dave:test.local' });
    expect((await call(hs.url, 'GET', `${A}/v1/server_version`)).status).toBe(404);
    await hs.close();
    await world({ version: '1.6.0' });
    expect((await call(hs.url, 'GET', `${A}/v1/register`)).body).toEqual({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  });
});

describe('13. the admin user object', () => {
  it('leaves out empty lists and missing values, sends consent_ts null; emails when there are some', async () => {
    const { get, bob } = await world();
    expect((await get(`/v2/users/${enc(bob.userId)}`)).body).toEqual({
      name: bob.userId,
      is_guest: false,
      admin: false,
      deactivated: false,
      locked: false,
      shadow_banned: false,
      suspended: false,
      erased: false,
      consent_ts: null,
      creation_ts: 0,
      last_seen_ts: null,
      displayname: 'bob',
    });
    expect((await get(`/v2/users/${enc(ALICE)}`)).body.threepids).toEqual([
      { address: 'alice@example.org', medium: 'email', validated_at: expect.any(Number), added_at: expect.any(Number) },
    ]);
  });

  it('a remote user: 400 M_INVALID_PARAM', async () => {
    const { get } = await world();
    expect((await get(`/v2/users/${enc('@dave:remote.example')}`)).body).toEqual({ errcode: 'M_INVALID_PARAM', error: 'Can only look up local users' });
  });
});

describe('admin-room commands an erasure needs', () => {
  it('users force-leave-room and reject-invites', async () => {
    const { bob } = await world();
    const room = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(room, ALICE);
    expect(body(await admin(`!admin users force-leave-room ${ALICE} ${room}`))).toBe(`${ALICE} has left ${room}.`);
    expect(body(await admin(`!admin users force-leave-room ${ALICE} ${room}`))).toBe(
      `Command failed with error:\n\`\`\`\n${ALICE} is not joined in the room\n\`\`\``,
    );
    expect(body(await admin(`!admin users reject-invites ${ALICE}`))).toBe(`Command failed with error:\n\`\`\`\n${ALICE} has no pending invites.\n\`\`\``);
    const inviting = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    expect(body(await admin(`!admin users reject-invites ${ALICE}`))).toBe(`Rejected 1 invite(s) for ${ALICE}. 0 failed.`);
    expect(hs.model.membership(inviting, ALICE)).toBe('leave');
  });

  it('users redact-event redacts as the sender, who must still be in the room', async () => {
    const { bob } = await world();
    const room = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(room, ALICE);
    const said = hs.model.sendMessage(room, ALICE, 'hello');
    expect(body(await admin(`!admin users redact-event ${said}`))).toMatch(/^Successfully redacted event\. Redaction event ID: \$/);
    expect(hs.model.findEvent(room, said)?.redactedBy?.sender).toBe(ALICE);
    expect(body(await admin(`!admin users redact-event ${said}`))).toBe('Command failed with error:\n```\nEvent is already redacted.\n```');
    const later = hs.model.sendMessage(room, ALICE, 'then left');
    hs.model.leave(room, ALICE);
    expect(body(await admin(`!admin users redact-event ${later}`))).toMatch(/^Command failed with error:\n```\nAuth check failed/);
  });

  it('media delete --mxc, delete-list, delete-by-event --event-id, delete-all-from-user', async () => {
    const { bob } = await world();
    const upload = () => hs.model.uploadMedia(ALICE, { contentType: 'image/png', bytes: Buffer.from([1]) });
    const one = upload();
    expect(body(await admin(`!admin media delete --mxc ${one}`))).toBe('Deleted the MXC from our database and on our filesystem.');
    expect(body(await admin(`!admin media delete --mxc ${one}`))).toBe(
      `Command failed with error:\n\`\`\`\nFailed to find any media keys for MXC ${one} in our database.\n\`\`\``,
    );
    const [two, three] = [upload(), upload()];
    const listed = body(await admin(`!admin media delete-list\n\`\`\`\n${two}\n${three}\nnot-an-mxc\n\`\`\``));
    expect(listed).toContain(`| Successfully deleted ${two} from filesystem and database |`);
    expect(
      listed.endsWith('Finished bulk MXC deletion, deleted 2 total MXCs from our database and the filesystem. 1 MXCs failed to be parsed from the database.'),
    ).toBe(true);
    const room = hs.model.createRoom(bob.userId, { invite: [ALICE] });
    hs.model.join(room, ALICE);
    const image = upload();
    const event = hs.model.sendMessage(room, ALICE, 'a picture', { msgtype: 'm.image', extraContent: { url: image } });
    expect(body(await admin(`!admin media delete-by-event --event-id ${event}`))).toMatch(
      new RegExp(`Deleted 1 total MXCs from our database and the filesystem from event ID \\${event}\\.$`),
    );
    upload();
    upload();
    expect(body(await admin('!admin media delete-all-from-user alice'))).toBe('Deleted 2 total files.');
    expect(hs.model.mediaOf(ALICE)).toEqual([]);
  });
});
