// The bot's client for Tuwunel's admin room, end to end over real HTTP against the tuwunel
// flavour: commands go in as plain text, @conduit's answers (single, chained, threaded, or an
// uploaded file) come back parsed, and what the server may claim falsely is read back.
import { afterEach, describe, expect, it } from 'vitest';
import { createHomeserverHttp } from '../../src/homeserver/http.ts';
import { connectHomeserver } from '../../src/homeserver/synapse-admin.ts';
import { type AdminRoomError, TuwunelAdminRoom } from '../../src/homeserver/tuwunel-admin-room.ts';
import { startTestHomeserver, type TestHomeserver, type TestHomeserverOptions } from '../../src/test-homeserver/index.ts';
import { memoryLedger } from '../support/ledger.ts';
import { type FakeServer, type Handler, startFakeServer } from './fake-server.ts';

let hs: TestHomeserver | null = null;
let fake: FakeServer | null = null;
afterEach(async () => {
  await hs?.close();
  await fake?.close();
  hs = fake = null;
});

const ALICE = '@alice:test.local';

async function world(options: TestHomeserverOptions = {}) {
  hs = await startTestHomeserver({ flavour: 'tuwunel', ...options });
  const admin = hs.model.addUser({ localpart: 'privacybot', admin: true });
  hs.model.addUser({ localpart: 'alice', displayName: 'Alice', emails: ['alice@example.org'] });
  const http = createHomeserverHttp({ baseUrl: hs.url, accessToken: admin.accessToken });
  return { room: new TuwunelAdminRoom({ admin: http, serverName: 'test.local', pollMs: 20, timeoutMs: 3000 }), model: hs.model };
}

const failure = (kind: AdminRoomError['kind']) => expect.objectContaining({ name: 'AdminRoomError', kind });

describe('TuwunelAdminRoom against the tuwunel flavour', () => {
  it('sends the command as a plain text message in #admins, with the admin token', async () => {
    const { room, model } = await world();
    expect(await room.erasureStatus(ALICE)).toEqual({ erased: false });
    const sent = model.events(model.adminRoomId ?? '').find((ev) => ev.sender === '@privacybot:test.local' && ev.type === 'm.room.message');
    expect(sent?.content).toEqual({ msgtype: 'm.text', body: `!admin users erasure ${ALICE}` });
  });

  it('deactivates, after checking the user exists, and reads back that it happened', async () => {
    const { room, model } = await world();
    const joined = model.createRoom(ALICE);
    expect(await room.deactivate(ALICE)).toEqual({ stillJoined: [] });
    expect(model.user(ALICE)?.deactivated).toBe(true);
    // Alice made the room, so a log line about her demotion came before the confirmation.
    expect(model.membership(joined, ALICE)).toBe('leave');
  });

  it('refuses to deactivate a user the server does not have, where the command would report success', async () => {
    const { room, model } = await world();
    await expect(room.deactivate('@nobody:test.local')).rejects.toEqual(failure('no-such-user'));
    expect(model.user('@nobody:test.local')).toBeUndefined();
  });

  it('with leaveRooms false the user stays in the rooms, and says which', async () => {
    const { room, model } = await world();
    const joined = model.createRoom(ALICE);
    expect(await room.deactivate(ALICE, { leaveRooms: false })).toEqual({ stillJoined: [joined] });
  });

  it('deletes an email and reads back that it is gone', async () => {
    const { room, model } = await world();
    await room.deleteEmail(ALICE, 'Alice@Example.org');
    expect(model.user(ALICE)?.emails).toEqual([]);
  });

  it("deletes all of a user's media, counting them; leaves a room for the user", async () => {
    const { room, model } = await world();
    model.uploadMedia(ALICE, { contentType: 'image/png', bytes: Buffer.from([1]) });
    model.uploadMedia(ALICE, { contentType: 'image/png', bytes: Buffer.from([2]) });
    expect(await room.deleteAllMediaFromUser(ALICE)).toBe(2);
    const joined = model.createRoom('@privacybot:test.local', { invite: [ALICE] });
    model.join(joined, ALICE);
    await room.forceLeaveRoom(ALICE, joined);
    expect(model.membership(joined, ALICE)).toBe('leave');
    await expect(room.forceLeaveRoom(ALICE, joined)).rejects.toEqual(
      expect.objectContaining({ kind: 'failed', detail: `failed: ${ALICE} is not joined in the room` }),
    );
  });

  it('reads the erasure marker', async () => {
    const { room, model } = await world();
    model.markErased(ALICE);
    expect(await room.erasureStatus(ALICE)).toEqual({ erased: true, sinceCount: expect.any(Number) });
  });

  it('lists joined rooms, and no rooms as an empty list rather than the error Tuwunel sends', async () => {
    const { room, model } = await world();
    expect(await room.listJoinedRooms(ALICE)).toEqual([]);
    const small = model.createRoom(ALICE);
    const big = model.createRoom('@privacybot:test.local', { invite: [ALICE] });
    model.join(big, ALICE);
    expect(await room.listJoinedRooms(ALICE)).toEqual([big, small]);
  });

  it('reads a long answer in chained replies, in a thread, or from the uploaded file alike', async () => {
    const rooms = async (options: TestHomeserverOptions) => {
      const { room, model } = await world(options);
      const ids = Array.from({ length: 12 }, (_, i) => model.createRoom(ALICE, { name: `Room number ${i}` }));
      const listed = await room.listJoinedRooms(ALICE);
      await hs?.close();
      hs = null;
      return { ids, listed };
    };
    for (const settings of [
      { outputMaxEvents: 10, segmentBudget: 400 },
      { outputMaxEvents: 10, outputThreads: true, segmentBudget: 400 },
      { segmentBudget: 400 },
    ]) {
      const { ids, listed } = await rooms({ adminRoom: settings });
      expect([...listed].sort(), JSON.stringify(settings)).toEqual([...ids].sort());
    }
  });

  it("ignores other notices and other commands' answers in the room", async () => {
    const { room, model } = await world();
    model.postServerNotice('New user @carol:test.local registered');
    model.sendMessage(model.adminRoomId ?? '', '@privacybot:test.local', '!admin users erasure @carol:test.local');
    expect(await room.erasureStatus(ALICE)).toEqual({ erased: false });
  });

  it('a command line the server cannot parse fails as a usage error', async () => {
    const { room } = await world();
    expect(await room.run('users frobnicate', [ALICE])).toEqual({ ok: false, kind: 'usage', message: "unrecognized subcommand 'frobnicate'" });
  });

  it('refuses arguments the command line cannot carry', async () => {
    const { room } = await world();
    await expect(room.deleteEmail(ALICE, 'two words@example.org')).rejects.toThrow(/white space/);
  });
});

describe('the Homeserver offers the admin room', () => {
  const connect = async (flavour: 'tuwunel' | 'synapse') => {
    hs = await startTestHomeserver({ flavour });
    const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
    hs.model.addUser({ localpart: 'alice' });
    const options = { url: hs.url, serverName: 'test.local', adminToken: bot.accessToken, botToken: bot.accessToken, botUserId: bot.userId };
    return (await connectHomeserver({ ...options, puppetLedger: memoryLedger() })).homeserver;
  };

  it('on Tuwunel, where the capabilities say so', async () => {
    const homeserver = await connect('tuwunel');
    expect(homeserver.capabilities.features.adminRoomCommands).toBe(true);
    expect(await homeserver.adminRoom?.listJoinedRooms(ALICE)).toEqual([]);
  });

  it('not on Synapse', async () => {
    const homeserver = await connect('synapse');
    expect(homeserver.capabilities.features.adminRoomCommands).toBe(false);
    expect(homeserver.adminRoom).toBeNull();
  });
});

describe('TuwunelAdminRoom against a server that misbehaves', () => {
  /** A room with a command at $cmd and, from `answer`, what @conduit says to it. */
  const scripted =
    (answer: Record<string, unknown> | null, user: Record<string, unknown>): Handler =>
    (r) => {
      if (r.path.startsWith('/_matrix/client/v3/directory/room/')) return { status: 200, json: { room_id: '!admins:test.local' } };
      if (r.method === 'PUT' && r.path.includes('/send/')) return { status: 200, json: { event_id: '$cmd' } };
      if (r.path.includes('/context/')) return { status: 200, json: { end: 't1' } };
      if (r.path.endsWith('/messages')) {
        const chunk =
          answer && r.query.get('from') === 't1'
            ? [
                {
                  event_id: '$a',
                  sender: '@conduit:test.local',
                  type: 'm.room.message',
                  content: { ...answer, 'm.relates_to': { 'm.in_reply_to': { event_id: '$cmd' } } },
                },
              ]
            : [];
        return { status: 200, json: { chunk, ...(chunk.length > 0 ? { end: 't2' } : {}) } };
      }
      if (r.path.startsWith('/_synapse/admin/v2/users/')) return { status: 200, json: user };
      return { status: 404, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
    };

  async function roomOn(handler: Handler) {
    fake = await startFakeServer(handler);
    const http = createHomeserverHttp({ baseUrl: fake.url, accessToken: 'admin-token' });
    return new TuwunelAdminRoom({ admin: http, serverName: 'test.local', pollMs: 10, timeoutMs: 200 });
  }

  it('does not believe "Removed email" while the address is still bound', async () => {
    const room = await roomOn(
      scripted(
        { msgtype: 'm.notice', body: `Removed email alice@example.org from user ${ALICE}.` },
        { name: ALICE, threepids: [{ medium: 'email', address: 'Alice@example.org' }] },
      ),
    );
    await expect(room.deleteEmail(ALICE, 'alice@example.org')).rejects.toEqual(failure('not-verified'));
  });

  it('does not believe "has been deactivated" while the account is active', async () => {
    const room = await roomOn(scripted({ msgtype: 'm.notice', body: `User ${ALICE} has been deactivated` }, { name: ALICE, deactivated: false }));
    await expect(room.deactivate(ALICE)).rejects.toEqual(failure('not-verified'));
  });

  it('gives up when no answer comes in time', async () => {
    const room = await roomOn(scripted(null, { name: ALICE }));
    await expect(room.erasureStatus(ALICE)).rejects.toEqual(failure('no-answer'));
  });
});
