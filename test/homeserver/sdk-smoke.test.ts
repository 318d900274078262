// The real matrix-bot-sdk 0.8.0 client against the test homeserver: start,
// auto-join a DM, answer a command with a reply, stop.
import { afterEach, describe, expect, it } from 'vitest';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { loadMatrixBotSdk } from './sdk-for-tests.ts';

const sdk = loadMatrixBotSdk();
// The SDK logs the expected 404 for m.direct at first start as an error; keep the output clean.
sdk.LogService.setLevel(sdk.LogLevel.ERROR);
sdk.LogService.muteModule('MatrixHttpClient');

/** Waits until the client has taken in everything and waits in a long-poll (so stopping is quiet). */
async function idleInLongPoll(hs: TestHomeserver): Promise<void> {
  const current = `since=s${hs.model.pos}_`;
  for (let i = 0; i < 200; i++) {
    const syncs = hs.requests.filter((r) => r.path === '/_matrix/client/v3/sync');
    const last = syncs[syncs.length - 1];
    if (last && last.status === 0 && last.query.includes(current)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the client never went back to a long-poll');
}

describe('matrix-bot-sdk against the test homeserver', () => {
  let hs: TestHomeserver | undefined;
  afterEach(async () => {
    await hs?.close();
  });

  it('joins a DM on invite and replies pong to !ping', async () => {
    hs = await startTestHomeserver();
    const alice = hs.model.addUser({ localpart: 'alice', displayName: 'Alice' });
    const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
    const client = new sdk.MatrixClient(hs.url, bot.accessToken, new sdk.MemoryStorageProvider());
    sdk.AutojoinRoomsMixin.setupOnClient(client);
    client.on('room.message', (roomId: string, event: { sender: string; content?: { body?: string } }) => {
      if (event.sender === bot.userId || event.content?.body !== '!ping') return;
      void client.replyNotice(roomId, event, 'pong');
    });
    await client.start();

    const roomId = hs.model.createRoom(alice.userId, { invite: [bot.userId], isDirect: true });
    await hs.model.waitForEvent(
      (ev) => ev.room_id === roomId && ev.type === 'm.room.member' && ev.state_key === bot.userId && ev.content['membership'] === 'join',
      5000,
      'the bot joining the DM',
    );
    const ping = hs.model.sendMessage(roomId, alice.userId, '!ping');
    const reply = await hs.model.waitForEvent((ev) => ev.room_id === roomId && ev.sender === bot.userId && ev.type === 'm.room.message');
    await idleInLongPoll(hs);
    client.stop();

    expect(reply.content['msgtype']).toBe('m.notice');
    expect(reply.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: ping } });
    expect(String(reply.content['body'])).toMatch(/pong$/);
    // The SDK wrote m.direct as soon as the is_direct invite arrived (recorded behaviour 9).
    expect(hs.model.user(bot.userId)?.accountData.get('m.direct')?.content).toEqual({ [alice.userId]: [roomId] });
    const paths = hs.requests.map((r) => `${r.method} ${r.path}`);
    // The same start-up sequence as recorded against Synapse 1.67 (client-api 01-03).
    expect(paths.slice(0, 3)).toEqual([
      'GET /_matrix/client/v3/account/whoami',
      'GET /_matrix/client/v3/user/%40privacybot%3Atest.local/account_data/m.direct',
      'GET /_matrix/client/v3/joined_rooms',
    ]);
    expect(hs.requests[1]?.status).toBe(404);
    expect(hs.requests.filter((r) => r.path === '/_matrix/client/v3/sync').every((r) => r.query.includes('full_state=false'))).toBe(true);
  });
});
