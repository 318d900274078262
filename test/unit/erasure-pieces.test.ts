// The pure parts of an erasure: which events still show what the user wrote, who may redact
// in a room, which steps run on which server, what the read-back must find, and a report
// that says "verified" only when it was.
import { describe, expect, it } from 'vitest';
import { erasurePlan, roomPlanBlocks } from '../../src/erasure/plan.ts';
import { erasureReport } from '../../src/erasure/report.ts';
import type { StepRecord } from '../../src/erasure/steps-store.ts';
import { failedChecks, onlyWhatCannotBeReached } from '../../src/erasure/verification.ts';
import { capabilitiesFor } from '../../src/homeserver/capabilities.ts';
import { stillReadable } from '../../src/homeserver/erasable-events.ts';
import type { ReadBack } from '../../src/homeserver/homeserver.ts';
import { roomAuthority } from '../../src/homeserver/room-authority.ts';
import type { Request } from '../../src/requests/request.ts';

const ALICE = '@alice:example.org';
const BOT = '@privacybot:example.org';

describe('stillReadable', () => {
  const event = (type: string, content: Record<string, unknown>, extra: { sender?: string; state_key?: string } = {}) => ({
    type,
    content,
    sender: extra.sender ?? ALICE,
    state_key: extra.state_key,
  });
  it.each([
    ['a message', event('m.room.message', { msgtype: 'm.text', body: 'hi' }), true],
    ['an encrypted message', event('m.room.encrypted', { ciphertext: 'x' }), true],
    ['a reaction', event('m.reaction', { 'm.relates_to': { key: '👍' } }), true],
    ['a sticker', event('m.sticker', { body: 'cat', url: 'mxc://x/y' }), true],
    ['a redacted message', event('m.room.message', {}), false],
    ['her joining with her name', event('m.room.member', { membership: 'join', displayname: 'Alice' }, { state_key: ALICE }), true],
    ['her joining without a profile', event('m.room.member', { membership: 'join' }, { state_key: ALICE }), false],
    ['her leaving, with a reason', event('m.room.member', { membership: 'leave', reason: 'bye all' }, { state_key: ALICE }), true],
    ['her leaving', event('m.room.member', { membership: 'leave' }, { state_key: ALICE }), false],
    [
      'her inviting someone else (their profile)',
      event('m.room.member', { membership: 'invite', displayname: 'Bob' }, { state_key: '@bob:example.org' }),
      false,
    ],
    ['a room name she set (the room’s)', event('m.room.name', { name: 'Ours' }, { state_key: '' }), false],
    ['someone else’s message', event('m.room.message', { body: 'hi' }, { sender: '@bob:example.org' }), false],
  ])('%s: %s', (_what, e, readable) => {
    expect(stillReadable(e, ALICE)).toBe(readable);
  });
});

describe('roomAuthority', () => {
  const state = (power: Record<string, unknown>, members: Record<string, string>, joinRule = 'invite') => ({
    state: [
      { type: 'm.room.power_levels', state_key: '', content: power },
      { type: 'm.room.join_rules', state_key: '', content: { join_rule: joinRule } },
      ...Object.entries(members).map(([user, membership]) => ({ type: 'm.room.member', state_key: user, content: { membership } })),
    ],
  });

  it('the bot may redact others’ events with the redact level and the level to send redactions', () => {
    const people = { userId: ALICE, botUserId: BOT };
    expect(roomAuthority(state({ users: { [BOT]: 50 } }, { [ALICE]: 'leave', [BOT]: 'join' }), people)).toEqual({
      userMembership: 'leave',
      botMembership: 'join',
      joinRule: 'invite',
      botHasRedactPower: true,
      localGranter: null,
    });
    expect(roomAuthority(state({ users: { [BOT]: 49 } }, {}), people).botHasRedactPower).toBe(false);
    expect(roomAuthority(state({ users: { [BOT]: 50 }, events: { 'm.room.redaction': 60 } }, {}), people).botHasRedactPower).toBe(false);
    expect(roomAuthority(state({ users_default: 100, redact: 100 }, {}, 'public'), people)).toMatchObject({
      botHasRedactPower: true,
      joinRule: 'public',
      botMembership: null,
    });
  });
});

describe('erasurePlan', () => {
  const steps = (flavour: 'synapse' | 'tuwunel', version: string) =>
    erasurePlan(capabilitiesFor(flavour, version), { roomsNow: 2, roomsLeft: 1 }).map((s) => s.step);
  it('runs, in order, what each server needs', () => {
    const synapse = ['memberships', 'profile', 'purge', 'redact', 'media', 'threepids', 'traces', 'announce', 'deactivate', 'sweep', 'verify', 'forget'];
    expect(steps('synapse', '1.67.0')).toEqual(synapse);
    expect(steps('synapse', '1.142.0')).toEqual(synapse);
    // Tuwunel: its admin command leaves the rooms; the erased marker comes after the read-back, which it would otherwise fool.
    expect(steps('tuwunel', '1.9.0')).toEqual([
      'memberships',
      'purge',
      'redact',
      'media',
      'threepids',
      'traces',
      'announce',
      'deactivate',
      'sweep',
      'leave-rooms',
      'verify',
      'erase-marker',
      'admin-room',
      'forget',
    ]);
  });

  it('says which rooms will be deleted, reached visibly, or not at all, and names the other servers', () => {
    const blocks = JSON.stringify(
      roomPlanBlocks([
        { roomId: '!gone:example.org', route: { kind: 'purge' }, leftovers: null, servers: ['elsewhere.example'] },
        { roomId: '!theirs:example.org', route: { kind: 'visible', how: { by: 'bot-made-admin', granter: '@bob:example.org' } }, leftovers: null, servers: [] },
        {
          roomId: '!stuck:example.org',
          route: { kind: 'quiet', by: 'server-task' },
          leftovers: { kind: 'cannot', reason: 'nobody can' },
          servers: ['elsewhere.example', 'other.example'],
        },
        { roomId: '!chat:example.org', route: { kind: 'quiet', by: 'person' }, leftovers: null, servers: null },
      ]),
    );
    expect(blocks).toContain('4 in all; 1 redacted without anyone joining');
    expect(blocks).toMatch(/!gone:example\.org.*deleted here with everything in it/);
    expect(blocks).toMatch(/!theirs:example\.org.*@bob:example\.org .*makes the bot an admin/);
    expect(blocks).toMatch(/!stuck:example\.org.*partly cannot be redacted here.*nobody can/);
    expect(blocks).toContain('elsewhere.example (2 room(s)), other.example (1 room(s))');
  });
});

describe('failedChecks', () => {
  const clean: ReadBack = {
    accountFound: true,
    deactivated: true,
    erased: true,
    roomsStillIn: 0,
    media: 0,
    devices: 0,
    threepids: 0,
    profileLeft: false,
    readableEvents: 0,
    unprovenEvents: 0,
    unreadableRooms: 0,
    roomsWithEventsLeft: [],
    roomsNotChecked: [],
    purgedRoomsLeft: 0,
    roomsFoundLate: 0,
    traces: { tags: 0, accountData: 0, pushers: 0, keyBackups: 0, profileFields: 0 },
    tracesUnchecked: null,
    crossSigning: false,
  };
  it('passes only when nothing is left; a server that does not report the erase flag is not held against it', () => {
    expect(failedChecks(clean)).toEqual([]);
    expect(failedChecks({ ...clean, erased: null })).toEqual([]);
    expect(failedChecks({ ...clean, accountFound: false })).toEqual(['the account could not be read back']);
    expect(
      failedChecks({
        ...clean,
        deactivated: false,
        erased: false,
        roomsStillIn: 1,
        media: 2,
        devices: 3,
        threepids: 1,
        profileLeft: true,
        readableEvents: 4,
        unreadableRooms: 1,
      }),
    ).toHaveLength(9);
  });

  it('fails on pruned copies without proof, rooms it could not check, deleted rooms still there, and every trace left', () => {
    const failed = failedChecks({
      ...clean,
      unprovenEvents: 2,
      roomsNotChecked: [{ roomId: '!x:example.org', reason: 'nobody here is in it' }],
      purgedRoomsLeft: 1,
      traces: { tags: 1, accountData: 2, pushers: 1, keyBackups: 1, profileFields: 1 },
    });
    expect(failed).toHaveLength(8);
    expect(failed.join('; ')).toMatch(/2 event\(s\) of the user were shown without content but not as redacted/);
    expect(failed.join('; ')).toContain('!x:example.org: nobody here is in it');
  });

  it('a failure is final only where what is left is what the redaction found it could not reach, or rooms it may not check', () => {
    const stuck = { ...clean, readableEvents: 1, roomsWithEventsLeft: ['!stuck'] };
    expect(onlyWhatCannotBeReached(stuck, new Set(['!stuck']))).toBe(true);
    // Left somewhere the redaction did reach: perhaps the server is still at it.
    expect(onlyWhatCannotBeReached({ ...stuck, roomsWithEventsLeft: ['!stuck', '!other'] }, new Set(['!stuck']))).toBe(false);
    // Something else left too (a room still joined: Synapse parts rooms in the background).
    expect(onlyWhatCannotBeReached({ ...stuck, roomsStillIn: 1 }, new Set(['!stuck']))).toBe(false);
    expect(onlyWhatCannotBeReached({ ...clean, roomsNotChecked: [{ roomId: '!x', reason: 'blind' }] }, new Set())).toBe(true);
    expect(onlyWhatCannotBeReached(clean, new Set())).toBe(false);
  });

  it('waits for the erased marker only where it is set after the read-back; kept cross-signing keys are named, not failed', () => {
    expect(failedChecks({ ...clean, erased: false })).toEqual(['the account is not marked erased']);
    expect(failedChecks({ ...clean, erased: false }, { markerLater: true })).toEqual([]);
    expect(failedChecks({ ...clean, crossSigning: true })).toEqual([]);
  });
});

describe('erasureReport', () => {
  const request = { id: 'R-7K3Q', userId: ALICE } as Request;
  const record = (step: string, result: Record<string, number | string | boolean>, state: 'done' | 'started' = 'done'): StepRecord => ({
    step,
    state,
    startedAt: 0,
    finishedAt: 60_000,
    attempts: 1,
    result,
  });
  const plan = ['memberships', 'redact', 'verify', 'forget'] as const;

  it('says "verified" only when the read-back passed; a stopped erasure never uses the word, and says what did not run', () => {
    const records = [
      record('memberships', { rooms: 3, left: 1 }),
      record('redact', { serverTask: false, oneByOne: 7, roomsNotRedacted: 0 }),
      record('verify', { verified: true }),
    ];
    const plans = [{ roomId: '!a:example.org', route: { kind: 'purge' as const }, leftovers: null, servers: ['elsewhere.example'] }];
    const verified = JSON.stringify(erasureReport(request, plan, records, { kind: 'verified', plans }, 120_000));
    expect(verified).toContain(': verified. Every read-back passed.');
    expect(verified).toContain('elsewhere.example (1 room(s))');
    expect(verified).toContain('the 1 room(s) deleted here sent them none, and they keep their copies');
    expect(verified).toContain('7 event(s) redacted one by one');
    expect(verified).toContain('Duration: 2 minute(s)');

    const stopped = JSON.stringify(
      erasureReport(
        request,
        plan,
        [...records.slice(0, 2), record('verify', {}, 'started')],
        { kind: 'incomplete', problems: ['the read-back found that 2 event(s) of the user can still be read'] },
        120_000,
      ),
    );
    expect(stopped).not.toMatch(/verified/i);
    expect(stopped).toContain('INCOMPLETE');
    expect(stopped).toContain('started, not finished');
    expect(stopped).toContain('not done');
    expect(stopped).toContain('2 event(s) of the user can still be read');
  });
});
