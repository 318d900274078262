// The same conversation on each server flavour the bot supports, and on one it does not.
import { afterEach, describe, expect, it } from 'vitest';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

const richAlice = {
  devices: [{ deviceId: 'PHONE', displayName: 'Alice phone', lastSeenIp: '203.0.113.9', lastSeenUserAgent: 'Element/1.11', lastSeenAt: Date.now() - 60_000 }],
};

/** Alice left one room and sent two messages in another. */
function seedHistory(w: World): { left: string; kept: string } {
  const m = w.hs.model;
  const left = m.createRoom(w.bob.userId, { invite: [w.alice.userId] });
  m.join(left, w.alice.userId);
  m.leave(left, w.alice.userId);
  const kept = m.createRoom(w.bob.userId, { invite: [w.alice.userId] });
  m.join(kept, w.alice.userId);
  m.sendMessage(kept, w.alice.userId, 'one');
  m.sendMessage(kept, w.alice.userId, 'two');
  return { left, kept };
}

const adminNotices = (w: World) =>
  w.hs.model
    .events(w.adminRoomId)
    .filter((ev) => ev.sender === w.privacybot.userId)
    .map((ev) => String((ev.content as Record<string, unknown>)['body']));

describe.each<[Flavour, { userAgents: boolean }]>([
  ['synapse', { userAgents: true }],
  ['synapse-1.67', { userAgents: true }],
  ['tuwunel', { userAgents: false }],
])('on %s', (flavour, expected) => {
  it('answers !whatdoyouhave with rooms joined and left, and messages sent', async () => {
    world = await startWorld({ flavour, alice: richAlice });
    const { left, kept } = seedHistory(world);
    const dm = await world.openDirectChat(world.alice.userId);
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(reply.body).toMatch(/## Messages\n.*\nWhat the server holds: being counted/);
    // The count is edited in when the walk over her events ends.
    const body = await world.waitForText(dm, reply.eventId, /message\(s\) you sent/);
    expect(body).toContain('Alice Liddell');
    expect(body).toContain(kept);
    expect(body).toMatch(new RegExp(`Left: 1 room\\(s\\): \`${left.replace(/[.*+?^${}()|[\]\\!]/g, '\\$&')}\``));
    // Two in the room she stayed in, and the command itself in the direct chat.
    expect(body).toContain('3 message(s) you sent');
    if (expected.userAgents) expect(body).toContain('Element/1.11');
    else expect(body).not.toContain('Element/1.11');
    expect(body).not.toContain('not available on this server');
  });
});

describe.each<[Flavour, RegExp]>([
  ['synapse', /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/],
  ['synapse-1.67', /\/_matrix\/client\/(v3|r0)\/rooms\/[^/]+\/messages$/],
  ['tuwunel', /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/],
])('!whatdoyouhave on %s, where counting messages is slow', (flavour, countPath) => {
  it('answers with everything but the count without waiting for it, then edits the count in', async () => {
    world = await startWorld({ flavour, alice: richAlice });
    seedHistory(world);
    const dm = await world.openDirectChat(world.alice.userId);
    // The walk over her events, as slow as a long history on a real server; only the count reads them.
    world.hs.faults.add({
      method: 'GET',
      path: countPath,
      kind: 'latency',
      latencyMs: 500,
      times: 1000,
      userId: flavour === 'synapse-1.67' ? world.alice.userId : world.privacybot.userId,
    });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    const requestsBeforeTheAnswer = world.hs.requests.length;
    expect(reply.body).toContain('Alice Liddell');
    expect(reply.body).toContain('203.0.113.9');
    expect(reply.body).toMatch(/## Messages\n.*\nWhat the server holds: being counted/);
    const edited = await world.waitForText(dm, reply.eventId, /3 message\(s\) you sent/, 30_000);
    expect(edited).toContain('Alice Liddell');
    expect(edited).not.toContain('being counted');
    // The walk went on after the answer was out: the answer did not wait for it.
    expect(world.hs.requests.slice(requestsBeforeTheAnswer).some((r) => countPath.test(r.path))).toBe(true);
    // Completed by the edit alone: no second copy of the report.
    expect(world.repliesTo(dm, reply.eventId)).toHaveLength(0);
    expect(
      world.hs.model
        .events(dm)
        .filter((ev) => ev.sender === world.privacybot.userId && String((ev.content as Record<string, unknown>)['body']).startsWith('What 644.ro stores')),
    ).toHaveLength(1);
  });
});

describe('!whatdoyouhave with a report too large to go twice into one edit', () => {
  it('still edits the count in; apps that do not show edits get a short note instead of the text', async () => {
    world = await startWorld({
      alice: {
        devices: Array.from({ length: 20 }, (_, i) => ({
          deviceId: `DEV${i}`,
          displayName: `Device ${i}`,
          lastSeenIp: `203.0.113.${i}`,
          lastSeenAt: Date.now(),
        })),
      },
      seed: (hs) => {
        for (let r = 0; r < 50; r++) {
          const room = hs.model.createRoom('@bob:example.org', { invite: ['@alice:example.org'] });
          hs.model.join(room, '@alice:example.org');
          hs.model.sendMessage(room, '@alice:example.org', `hello ${r}`);
        }
      },
    });
    const dm = await world.openDirectChat(world.alice.userId);
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(Buffer.byteLength(JSON.stringify(reply.content))).toBeGreaterThan(30_000);
    expect(await world.waitForText(dm, reply.eventId, /51 message\(s\) you sent/)).toContain('Device 19');
    const edit = world.hs.model.events(dm).find((ev) => (ev.content as Record<string, any>)['m.relates_to']?.rel_type === 'm.replace')!;
    expect((edit.content as Record<string, unknown>)['body']).toMatch(/^\* \(this message was updated/);
  });
});

describe('on a server without the admin API (Tuwunel 1.8.0)', () => {
  it('tells the admins at start-up, and the user only that the part is not available', async () => {
    world = await startWorld({ flavour: 'tuwunel', version: '1.8.0' });
    await world.bot.idle(); // the notice goes out once the bot has started
    expect(adminNotices(world).join('\n')).toMatch(/1\.8\.0/);
    const dm = await world.openDirectChat(world.alice.userId);
    const { body } = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(body).toMatch(/not available on this server/i);
    expect(body).not.toMatch(/M_UNRECOGNIZED|_synapse|404/);
    // An export cannot be made either: the person hears it in plain words, the privacy contact too.
    const id = /R-[0-9A-Z]{4}/.exec((await world.ask(world.alice.userId, dm, '!export')).body)![0];
    const told = await world.hs.model.waitForEvent(
      (ev) => ev.room_id === dm && String((ev.content as Record<string, unknown>)['body']).startsWith('I could not complete your request'),
    );
    expect(String((told.content as Record<string, unknown>)['body'])).toContain(
      `${id}\` (export (a copy of your data)): this server’s software does not offer what I need to make an export`,
    );
  });
});
