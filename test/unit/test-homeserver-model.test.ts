import { describe, expect, it } from 'vitest';
import { HomeserverModel } from '../../src/test-homeserver/index.ts';

function seeded() {
  const model = new HomeserverModel('test.local');
  const alice = model.addUser({ localpart: 'alice', displayName: 'Alice', avatarUrl: 'mxc://test.local/a' });
  const bob = model.addUser({ localpart: 'bob' });
  return { model, alice, bob };
}

describe('HomeserverModel', () => {
  it('addUser registers a user with one device for its token, named after the localpart by default', () => {
    const { model, bob } = seeded();
    expect(bob.userId).toBe('@bob:test.local');
    const user = model.user(bob.userId);
    expect(user?.displayName).toBe('bob');
    expect(user?.devices.size).toBe(1);
    expect(model.tokenInfo(bob.accessToken)?.deviceId).toBe([...(user?.devices.keys() ?? [])][0]);
    expect(() => model.addUser({ localpart: 'bob' })).toThrow(/already exists/);
  });

  it('a deactivated seed has no valid token', () => {
    const { model } = seeded();
    const gone = model.addUser({ localpart: 'gone', deactivated: true });
    expect(model.tokenInfo(gone.accessToken)).toBeUndefined();
    expect(model.user(gone.userId)?.deactivated).toBe(true);
  });

  it('createRoom sends Synapse 1.67 events in its order, with profile data in member events', () => {
    const { model, alice, bob } = seeded();
    const room = model.createRoom(alice.userId, { name: 'n', topic: 't', invite: [bob.userId], isDirect: true });
    const events = model.events(room);
    expect(events.map((e) => `${e.type}${e.state_key ? ` ${e.state_key}` : ''}`)).toEqual([
      'm.room.create',
      'm.room.member @alice:test.local',
      'm.room.power_levels',
      'm.room.join_rules',
      'm.room.history_visibility',
      'm.room.guest_access',
      'm.room.name',
      'm.room.topic',
      'm.room.member @bob:test.local',
    ]);
    expect(events[1]?.content).toEqual({ membership: 'join', displayname: 'Alice', avatar_url: 'mxc://test.local/a' });
    expect(events.at(-1)?.content).toEqual({ is_direct: true, membership: 'invite', displayname: 'bob' });
    // trusted_private_chat (the default for DMs) makes invitees room admins.
    expect(events[2]?.content['users']).toEqual({ [alice.userId]: 100, [bob.userId]: 100 });
    expect(events.every((e) => e.room_id === room)).toBe(true);
  });

  it('memberships follow invites, joins and leaves; remote users take part too', () => {
    const { model, alice, bob } = seeded();
    model.addRemoteUser('@dave:remote.example');
    const room = model.createRoom(alice.userId, { invite: [bob.userId, '@dave:remote.example'] });
    expect(model.memberships(bob.userId)).toEqual([{ roomId: room, membership: 'invite' }]);
    model.join(room, bob.userId);
    model.join(room, '@dave:remote.example');
    model.sendMessage(room, '@dave:remote.example', 'hi from afar');
    expect(model.joinedMembers(room).sort()).toEqual(['@alice:test.local', '@bob:test.local', '@dave:remote.example']);
    model.leave(room, bob.userId);
    expect(model.memberships(bob.userId)).toEqual([{ roomId: room, membership: 'leave' }]);
    expect(model.events(room).at(-2)?.content['body']).toBe('hi from afar');
  });

  it('a join after an invite carries replaces_state and prev_content', () => {
    const { model, alice, bob } = seeded();
    const room = model.createRoom(alice.userId, { invite: [bob.userId] });
    const invite = model.events(room).at(-1);
    model.join(room, bob.userId);
    const join = model.events(room).at(-1);
    expect(join?.unsigned['replaces_state']).toBe(invite?.event_id);
    expect(join?.unsigned['prev_content']).toEqual({ membership: 'invite', displayname: 'bob' });
  });

  it('waitForEvent resolves with an event already sent, or one sent later', async () => {
    const { model, alice } = seeded();
    const room = model.createRoom(alice.userId);
    const early = model.sendMessage(room, alice.userId, 'early');
    expect((await model.waitForEvent((e) => e.content['body'] === 'early')).event_id).toBe(early);
    const pending = model.waitForEvent((e) => e.content['body'] === 'late');
    const late = model.sendMessage(room, alice.userId, 'late');
    const got = await pending;
    expect(got.event_id).toBe(late);
    expect(got.room_id).toBe(room);
  });

  it('waitForEvent rejects after the timeout, naming what was awaited', async () => {
    const { model } = seeded();
    await expect(model.waitForEvent((e) => e.type === 'never.sent', 50)).rejects.toThrow(/never\.sent.*within 50 ms/);
    await expect(model.waitForEvent(() => false, 20, 'the pong')).rejects.toThrow(/the pong/);
  });

  it('changing the profile sends a member event in every joined room', () => {
    const { model, alice } = seeded();
    const r1 = model.createRoom(alice.userId);
    const r2 = model.createRoom(alice.userId);
    model.setProfile(alice.userId, { displayName: null });
    for (const r of [r1, r2]) expect(model.events(r).at(-1)?.content).toEqual({ membership: 'join', avatar_url: 'mxc://test.local/a' });
  });
});
