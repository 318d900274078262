// The pure parts of finding every room of a person and deciding how an erasure reaches each:
// how the lists merge, which rooms the probe asks about, how a room is reached, who could grant
// the bot power there, which servers were in it, and what a read-back may count as erased.
import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import { readBackState, taskRedacts } from '../../src/homeserver/erasable-events.ts';
import { memberIdsOf, otherServers } from '../../src/homeserver/normalise.ts';
import { roomAuthority } from '../../src/homeserver/room-authority.ts';
import { type ListedRoom, probeRooms, roomsToProbe, unionOfMemberships } from '../../src/homeserver/room-discovery.ts';
import { NO_LOCAL_GRANTER, NO_LOCAL_MEMBERS_NO_PURGE, NO_WAY_HERE, planRoom, type RoomFacts } from '../../src/homeserver/room-routes.ts';

const PAT = '@pat:example.org';
const BOT = '@privacybot:example.org';

describe('unionOfMemberships', () => {
  it('keeps each room once, the most telling membership winning, joined rooms first', () => {
    const merged = unionOfMemberships(
      [{ roomId: '!a', membership: 'join' }],
      [
        { roomId: '!b', membership: 'leave' },
        { roomId: '!a', membership: 'leave' },
      ],
      [
        { roomId: '!c', membership: 'leave' },
        { roomId: '!b', membership: 'invite' },
      ],
    );
    expect(merged).toEqual([
      { roomId: '!a', membership: 'join' },
      { roomId: '!b', membership: 'invite' },
      { roomId: '!c', membership: 'leave' },
    ]);
  });
});

describe('the probe', () => {
  const listed: ListedRoom[] = [
    { roomId: '!known', joinedLocalMembers: 3, creator: null },
    { roomId: '!busy', joinedLocalMembers: 2, creator: null },
    { roomId: '!empty', joinedLocalMembers: 0, creator: null },
    { roomId: '!unknownCount', joinedLocalMembers: null, creator: null },
  ];

  it('asks only about rooms no list named; where /memberships keeps forgotten rooms, only those nobody here is in', () => {
    const known = new Set(['!known']);
    expect(roomsToProbe(listed, known, { membershipsCoverRoomsWithLocalMembers: false }).map((r) => r.roomId)).toEqual(['!busy', '!empty', '!unknownCount']);
    expect(roomsToProbe(listed, known, { membershipsCoverRoomsWithLocalMembers: true }).map((r) => r.roomId)).toEqual(['!empty', '!unknownCount']);
  });

  it('pages the room list, reports rooms found and rooms it could not tell about, and stops at its limit', async () => {
    const pages = [listed.slice(0, 2), listed.slice(2)];
    const asked: string[] = [];
    const reads = {
      listRooms: async (from: number) => ({ rooms: pages[from / 2] ?? [], next: from === 0 ? 2 : null, total: 4 }),
      wroteThere: async (room: ListedRoom) => {
        asked.push(room.roomId);
        return room.roomId === '!empty' ? true : room.roomId === '!unknownCount' ? { unknown: 'cannot read it' } : false;
      },
    };
    const progress: number[] = [];
    const probe = await probeRooms(
      reads,
      new Set(['!known']),
      { membershipsCoverRoomsWithLocalMembers: false },
      { onProgress: (checked) => progress.push(checked) },
    );
    expect(probe).toEqual({
      found: [{ roomId: '!empty', membership: 'leave' }],
      unchecked: [{ roomId: '!unknownCount', reason: 'cannot read it' }],
      listed: 4,
      checked: 3,
      truncated: false,
    });
    expect(asked.sort()).toEqual(['!busy', '!empty', '!unknownCount']);
    expect(progress.at(-1)).toBe(3);
    const bounded = await probeRooms(reads, new Set(), { membershipsCoverRoomsWithLocalMembers: false }, { limit: 1 });
    expect(bounded).toMatchObject({ checked: 1, truncated: true });
  });

  it('does not page forever on a server that hands back the same offset', async () => {
    const reads = { listRooms: async () => ({ rooms: listed, next: 0, total: 4 }), wroteThere: async () => false };
    expect((await probeRooms(reads, new Set(), { membershipsCoverRoomsWithLocalMembers: false })).listed).toBe(4);
  });
});

describe('how a room is reached', () => {
  const synapse = capabilitiesFor('synapse', '1.160.0').features;
  const synapse167 = capabilitiesFor('synapse', '1.67.0').features;
  const tuwunel = capabilitiesFor('tuwunel', '1.9.0').features;
  const state = (members: Record<string, string>, power: Record<string, unknown> = {}, joinRule = 'invite') => ({
    state: [
      { type: 'm.room.power_levels', state_key: '', content: power },
      { type: 'm.room.join_rules', state_key: '', content: { join_rule: joinRule } },
      ...Object.entries(members).map(([user, membership]) => ({ type: 'm.room.member', state_key: user, content: { membership } })),
    ],
  });
  const facts = (members: Record<string, string>, power: Record<string, unknown> = {}, joinRule = 'invite', joinedLocalMembers = 1): RoomFacts => ({
    roomId: '!r:example.org',
    known: true,
    joinedLocalMembers,
    authority: roomAuthority(state(members, power, joinRule), { userId: PAT, botUserId: BOT, serverName: 'example.org' }),
  });

  it('a room nobody here is in any more is deleted where the server can, and named where it cannot', () => {
    const abandoned: RoomFacts = { roomId: '!r:example.org', known: true, joinedLocalMembers: 0, authority: null };
    expect(planRoom(abandoned, synapse).route).toEqual({ kind: 'purge' });
    expect(planRoom(abandoned, { ...synapse, roomPurge: false }).route).toEqual({ kind: 'cannot', reason: NO_LOCAL_MEMBERS_NO_PURGE });
    expect(planRoom({ ...abandoned, known: false }, synapse).route).toEqual({ kind: 'gone' });
  });

  it('a room the person is still in: quietly, as them', () => {
    expect(planRoom(facts({ [PAT]: 'join' }), synapse167).route).toEqual({ kind: 'quiet', by: 'person' });
  });

  it('a room they left, on Synapse with its task: the task takes the messages; the rest needs a way in, said before', () => {
    const left = facts({ [PAT]: 'leave', '@fran:example.org': 'join' }, { users: { [PAT]: 100 } });
    expect(planRoom(left, synapse)).toMatchObject({ route: { kind: 'quiet', by: 'server-task' }, leftovers: { kind: 'cannot', reason: NO_LOCAL_GRANTER } });
    // On 1.67 (no task), the same room cannot be reached at all.
    expect(planRoom(left, synapse167).route).toEqual({ kind: 'cannot', reason: NO_LOCAL_GRANTER });
  });

  it('a joined local member with the power makes the bot an admin (named); a public room is rejoined; elsewhere nothing', () => {
    const granted = facts({ [PAT]: 'leave', '@fran:example.org': 'join' }, { users: { '@fran:example.org': 100 } });
    expect(planRoom(granted, synapse167).route).toEqual({ kind: 'visible', how: { by: 'bot-made-admin', granter: '@fran:example.org' } });
    expect(planRoom(granted, tuwunel).route).toEqual({ kind: 'visible', how: { by: 'bot-made-admin', granter: '@fran:example.org' } });
    const publicRoom = facts({ [PAT]: 'leave' }, {}, 'public');
    expect(planRoom(publicRoom, synapse167).route).toEqual({ kind: 'visible', how: { by: 'person-rejoins' } });
    expect(planRoom(facts({ [PAT]: 'leave' }), { ...synapse167, makeRoomAdmin: false }).route).toEqual({ kind: 'cannot', reason: NO_WAY_HERE });
    expect(planRoom(facts({ [PAT]: 'leave', [BOT]: 'join' }, { users: { [BOT]: 50 } }), synapse167).route).toEqual({ kind: 'quiet', by: 'bot' });
  });

  it('the granter is the most powerful joined member of this server who may change the power levels; creators of v12 rooms count', () => {
    const people = { userId: PAT, botUserId: BOT, serverName: 'example.org' };
    const s = (members: Record<string, string>, power: Record<string, unknown>, extra: object[] = []) => ({
      state: [...state(members, power).state, ...extra] as never[],
    });
    // The most powerful is from elsewhere; the most powerful here has left; then Bob, joined, 100.
    expect(
      roomAuthority(
        s(
          { '@bob:example.org': 'join', '@carol:example.org': 'leave' },
          { users: { '@zed:remote.example': 100, '@carol:example.org': 100, '@bob:example.org': 100 } },
        ),
        people,
      ).localGranter,
    ).toBe('@bob:example.org');
    // Joined, but too weak to change the power levels.
    expect(roomAuthority(s({ '@bob:example.org': 'join' }, { users: { '@bob:example.org': 10 } }), people).localGranter).toBeNull();
    const create = { type: 'm.room.create', state_key: '', sender: '@dora:example.org', content: { room_version: '12' } };
    expect(roomAuthority(s({ '@dora:example.org': 'join' }, {}, [create]), people).localGranter).toBe('@dora:example.org');
  });
});

describe('the other servers of a room (Art. 19)', () => {
  it('everyone who was a member, invitees alone aside; our own server left out', () => {
    const events = [
      { type: 'm.room.member', state_key: '@a:one.example', content: { membership: 'join' } },
      { type: 'm.room.member', state_key: '@b:two.example', content: { membership: 'leave' } },
      { type: 'm.room.member', state_key: '@c:three.example', content: { membership: 'invite' } },
      { type: 'm.room.member', state_key: '@pat:example.org', content: { membership: 'join' } },
      { type: 'm.room.message', content: { body: 'hi' } },
    ];
    expect(otherServers(memberIdsOf(events), 'example.org')).toEqual(['one.example', 'two.example']);
  });
});

describe('what a read-back may count as erased', () => {
  const message = (content: Record<string, unknown>, unsigned?: Record<string, unknown>) => ({
    type: 'm.room.message',
    sender: PAT,
    content,
    ...(unsigned ? { unsigned } : {}),
  });
  it('an event without content counts as erased only with the proof of a redaction; a pruned copy is unproven', () => {
    expect(readBackState(message({ body: 'hi' }), PAT)).toBe('readable');
    expect(readBackState(message({}, { redacted_because: { type: 'm.room.redaction' } }), PAT)).toBe('erased');
    expect(readBackState(message({}), PAT)).toBe('unproven');
    // Synapse 1.67 also copies it to the top level.
    expect(readBackState({ ...message({}), redacted_because: {} }, PAT)).toBe('erased');
    expect(readBackState({ type: 'm.room.member', sender: PAT, state_key: PAT, content: { membership: 'leave' } }, PAT)).toBe('erased');
    expect(readBackState({ ...message({ body: 'hi' }), sender: '@fran:example.org' }, PAT)).toBeNull();
  });

  it('the servers’ tasks take messages and joins, not reactions or a leave with a reason', () => {
    expect(taskRedacts({ type: 'm.room.message', content: { body: 'x' } })).toBe(true);
    expect(taskRedacts({ type: 'm.room.member', content: { membership: 'join', displayname: 'Pat' } })).toBe(true);
    expect(taskRedacts({ type: 'm.room.member', content: { membership: 'leave', reason: 'bye' } })).toBe(false);
    expect(taskRedacts({ type: 'm.reaction', content: {} })).toBe(false);
  });
});
