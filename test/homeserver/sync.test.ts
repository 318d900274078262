import { afterEach, describe, expect, it } from 'vitest';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { limitedSyncLeavesAGapMessagesReads } from '../support/homeserver-facts/sync-gap.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function world() {
  hs = await startTestHomeserver();
  const alice = hs.model.addUser({ localpart: 'alice', displayName: 'Alice' });
  const bot = hs.model.addUser({ localpart: 'bot' });
  const room = hs.model.createRoom(alice.userId, { name: 'room', invite: [bot.userId] });
  hs.model.join(room, bot.userId);
  return { alice, bot, room };
}

const sync = (token: string, query = '') => call(hs.url, 'GET', `/_matrix/client/v3/sync?full_state=false${query}`, { token });

describe('sync', () => {
  it('initial sync: whole small history in the timeline, state.events empty, one-time-key fields', async () => {
    const { bot, room } = await world();
    const { body } = await sync(bot.accessToken, '&timeout=0');
    const joined = body.rooms.join[room];
    expect(joined.timeline.limited).toBe(false);
    expect(joined.timeline.events.map((e: { type: string }) => e.type)).toEqual([
      'm.room.create',
      'm.room.member',
      'm.room.power_levels',
      'm.room.join_rules',
      'm.room.history_visibility',
      'm.room.guest_access',
      'm.room.name',
      'm.room.member',
      'm.room.member',
    ]);
    expect(joined.state.events).toEqual([]);
    expect(joined.summary).toEqual({});
    expect(joined.timeline.events[0].room_id).toBeUndefined();
    expect(typeof joined.timeline.events[0].unsigned.age).toBe('number');
    expect(body.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(body.device_unused_fallback_key_types).toEqual([]);
    expect(body['org.matrix.msc2732.device_unused_fallback_key_types']).toEqual([]);
    expect(body.account_data.events.map((e: { type: string }) => e.type)).toContain('m.push_rules');
    expect(body.next_batch).toMatch(/^s\d+_/);
  });

  it('a long room arrives limited to 10 events, with the skipped state in state.events', async () => {
    const { alice, bot, room } = await world();
    for (let i = 0; i < 15; i++) hs.model.sendMessage(room, alice.userId, `m${i}`);
    const joined = (await sync(bot.accessToken, '&timeout=0')).body.rooms.join[room];
    expect(joined.timeline.limited).toBe(true);
    expect(joined.timeline.events).toHaveLength(10);
    expect(joined.state.events.map((e: { type: string }) => e.type)).toContain('m.room.create');
  });

  it('incremental sync returns only what happened after since', async () => {
    const { alice, bot, room } = await world();
    const first = (await sync(bot.accessToken, '&timeout=0')).body;
    const eventId = hs.model.sendMessage(room, alice.userId, 'new');
    const next = (await sync(bot.accessToken, `&timeout=0&since=${first.next_batch}`)).body;
    expect(next.rooms.join[room].timeline.events.map((e: { event_id: string }) => e.event_id)).toEqual([eventId]);
    expect(next.account_data).toBeUndefined();
    expect(next.presence).toBeUndefined();
    const empty = (await sync(bot.accessToken, `&timeout=0&since=${next.next_batch}`)).body;
    expect(empty.rooms).toBeUndefined();
  });

  it('long-polls until a new message arrives, then answers at once', async () => {
    const { alice, bot, room } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const started = Date.now();
    const pending = sync(bot.accessToken, `&timeout=10000&since=${since}`);
    setTimeout(() => hs.model.sendMessage(room, alice.userId, 'wake up'), 150);
    const { body } = await pending;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(2000);
    expect(body.rooms.join[room].timeline.events[0].content.body).toBe('wake up');
  });

  it('a long-poll with nothing new waits for the timeout and answers empty', async () => {
    const { bot } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const started = Date.now();
    const { body } = await sync(bot.accessToken, `&timeout=300&since=${since}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(body.rooms).toBeUndefined();
    expect(body.next_batch).toBe(since);
  });

  it('close() ends a waiting long-poll at once', async () => {
    const { bot } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const started = Date.now();
    const pending = sync(bot.accessToken, `&timeout=30000&since=${since}`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await hs.close();
    await pending;
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('invites carry stripped state; only the invitee member event has event_id and is_direct', async () => {
    hs = await startTestHomeserver();
    const alice = hs.model.addUser({ localpart: 'alice' });
    const bot = hs.model.addUser({ localpart: 'bot' });
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const room = hs.model.createRoom(alice.userId, { invite: [bot.userId], isDirect: true });
    const { body } = await sync(bot.accessToken, `&timeout=1000&since=${since}`);
    const events = body.rooms.invite[room].invite_state.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['m.room.join_rules', 'm.room.member', 'm.room.create', 'm.room.member']);
    expect(events.slice(0, 3).every((e: Record<string, unknown>) => e['event_id'] === undefined)).toBe(true);
    const own = events[3];
    expect(own.state_key).toBe(bot.userId);
    expect(own.content).toEqual({ is_direct: true, membership: 'invite', displayname: 'bot' });
    expect(own.event_id).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
    expect(typeof own.unsigned.age).toBe('number');
  });

  it('PUT send is idempotent per token and transaction ID; the sender sees transaction_id', async () => {
    const { alice, bot, room } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const path = `/_matrix/client/v3/rooms/${room}/send/m.room.message/txn1`;
    const a = await call(hs.url, 'PUT', path, { token: bot.accessToken, body: { msgtype: 'm.text', body: 'once' } });
    const b = await call(hs.url, 'PUT', path, { token: bot.accessToken, body: { msgtype: 'm.text', body: 'once' } });
    expect(a.body.event_id).toBe(b.body.event_id);
    expect(hs.model.events(room).filter((e) => e.content['body'] === 'once')).toHaveLength(1);
    const mine = (await sync(bot.accessToken, `&timeout=0&since=${since}`)).body.rooms.join[room].timeline.events[0];
    expect(mine.unsigned.transaction_id).toBe('txn1');
    const theirs = (await sync(alice.accessToken, `&timeout=0&since=${since}`)).body.rooms.join[room].timeline.events[0];
    expect(theirs.event_id).toBe(a.body.event_id);
    expect(theirs.unsigned.transaction_id).toBeUndefined();
  });

  it('repeating a transaction ID: per token on Synapse 1.67, per device on current Synapse, per device in any room on Tuwunel', async () => {
    const resend = async (flavour: 'synapse-1.67' | 'synapse' | 'tuwunel') => {
      await hs?.close();
      hs = await startTestHomeserver({ flavour });
      const bot = hs.model.addUser({ localpart: 'bot' });
      const room = hs.model.createRoom(bot.userId);
      const other = hs.model.createRoom(bot.userId);
      const deviceId = hs.model.tokenInfo(bot.accessToken)?.deviceId ?? '';
      const sameDevice = hs.model.login(bot.userId, null, deviceId).accessToken;
      const put = async (token: string, roomId: string, type = 'm.room.message') =>
        (await call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/${type}/txn1`, { token, body: { msgtype: 'm.text', body: 'once' } })).body
          .event_id;
      const first = await put(bot.accessToken, room);
      const againSameToken = (await put(bot.accessToken, room)) === first;
      const otherTokenSameDevice = (await put(sameDevice, room)) === first;
      const otherRoom = (await put(bot.accessToken, other)) === first;
      hs.model.forgetTransactions();
      const afterForgetting = (await put(bot.accessToken, room)) === first;
      return { againSameToken, otherTokenSameDevice, otherRoom, afterForgetting };
    };
    expect(await resend('synapse-1.67')).toEqual({ againSameToken: true, otherTokenSameDevice: false, otherRoom: false, afterForgetting: false });
    expect(await resend('synapse')).toEqual({ againSameToken: true, otherTokenSameDevice: true, otherRoom: false, afterForgetting: false });
    expect(await resend('tuwunel')).toEqual({ againSameToken: true, otherTokenSameDevice: true, otherRoom: true, afterForgetting: false });
  });

  it('timeline.limit from an inline JSON filter or a stored filter; what a limited timeline skipped is paged with /messages', async () => {
    const { alice, bot, room } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const sent = Array.from({ length: 30 }, (_, i) => hs.model.sendMessage(room, alice.userId, `m${i}`));
    const inline = (await sync(bot.accessToken, `&timeout=0&since=${since}&filter=${enc(JSON.stringify({ room: { timeline: { limit: 25 } } }))}`)).body;
    const timeline = inline.rooms.join[room].timeline;
    expect(timeline.limited).toBe(true);
    expect(timeline.events.map((e: { event_id: string }) => e.event_id)).toEqual(sent.slice(5));
    const stored = await call(hs.url, 'POST', `/_matrix/client/v3/user/${enc(bot.userId)}/filter`, {
      token: bot.accessToken,
      body: { room: { timeline: { limit: 40 } } },
    });
    const byId = (await sync(bot.accessToken, `&timeout=0&since=${since}&filter=${stored.body.filter_id}`)).body.rooms.join[room].timeline;
    expect(byId.limited).toBe(false);
    expect(byId.events).toHaveLength(30);
    expect((await sync(bot.accessToken, `&timeout=0&since=${since}`)).body.rooms.join[room].timeline.events).toHaveLength(10);
    // The gap: from the previous sync's next_batch up to prev_batch, forwards.
    const gap = await call(hs.url, 'GET', `/_matrix/client/v3/rooms/${enc(room)}/messages?dir=f&from=${since}&to=${timeline.prev_batch}&limit=100`, {
      token: bot.accessToken,
    });
    expect(gap.body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual(sent.slice(0, 5));
  });

  it('include_leave with timeline.limit lists rooms the user left (login-as use)', async () => {
    const { bot, room } = await world();
    const other = hs.model.createRoom(bot.userId, { name: 'still here' });
    hs.model.leave(room, bot.userId);
    const filter = enc(JSON.stringify({ room: { include_leave: true, timeline: { limit: 1 } } }));
    const { body } = await sync(bot.accessToken, `&timeout=0&filter=${filter}`);
    expect(Object.keys(body.rooms.leave)).toEqual([room]);
    expect(body.rooms.leave[room].timeline.events).toHaveLength(1);
    expect(body.rooms.leave[room].timeline.events[0].content.membership).toBe('leave');
    expect(Object.keys(body.rooms.join)).toEqual([other]);
    const plain = (await sync(bot.accessToken, '&timeout=0')).body;
    expect(plain.rooms.leave).toBeUndefined();
  });

  it('a room left since the last sync appears under rooms.leave, and the wait wakes for it', async () => {
    const { bot, room } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const pending = sync(bot.accessToken, `&timeout=5000&since=${since}`);
    setTimeout(() => hs.model.leave(room, bot.userId), 50);
    const { body } = await pending;
    expect(body.rooms.leave[room].timeline.events.at(-1).content.membership).toBe('leave');
  });

  it('account data changes wake the long-poll and arrive in account_data', async () => {
    const { bot } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const pending = sync(bot.accessToken, `&timeout=5000&since=${since}`);
    setTimeout(() => hs.model.setAccountData(bot.userId, 'm.direct', { '@x:test.local': ['!r:test.local'] }), 50);
    const { body } = await pending;
    expect(body.account_data.events).toEqual([{ type: 'm.direct', content: { '@x:test.local': ['!r:test.local'] } }]);
  });

  it('typing notifications arrive as ephemeral m.typing and wake the long-poll', async () => {
    const { alice, bot, room } = await world();
    const since = (await sync(bot.accessToken, '&timeout=0')).body.next_batch;
    const pending = sync(bot.accessToken, `&timeout=5000&since=${since}`);
    setTimeout(
      () =>
        void call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/typing/${enc(alice.userId)}`, {
          token: alice.accessToken,
          body: { typing: true, timeout: 10000 },
        }),
      50,
    );
    const { body } = await pending;
    expect(body.rooms.join[room].ephemeral.events).toEqual([{ type: 'm.typing', content: { user_ids: [alice.userId] } }]);
    expect(body.rooms.join[room].timeline.events).toEqual([]);
  });

  it('rejects a garbage since token', async () => {
    const { bot } = await world();
    const res = await sync(bot.accessToken, '&since=garbage');
    expect(res.status).toBe(400);
  });
});

describe('a limited sync', () => {
  it('synapse: leaves a gap that /messages reads exactly (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    await limitedSyncLeavesAGapMessagesReads(await factServerFor(hs));
  });
});
