// The homeserver's answers are untrusted too: a broken or hostile one ends a request in a
// clear message within a bound, the request failed and escalated, never a hang or a crash.
import { afterEach, describe, expect, it } from 'vitest';
import { botBodies } from '../support/bot-messages.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const bodies = (w: World, roomId: string) => botBodies(w.hs.model, w.privacybot.userId, roomId);

const MESSAGES = /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/;

describe('a homeserver that misbehaves', () => {
  it.each([
    [
      'the same page token forever',
      {
        status: 200,
        json: { chunk: [{ event_id: '$x', type: 'm.room.message', sender: '@alice:example.org', origin_server_ts: 1, content: {} }], start: 'a', end: 'a' },
      },
    ],
    ['a page of the wrong shape', { status: 200, json: { chunk: 'not a list' } }],
  ])('%s: the rest is answered at once, and the message count says plainly why it is missing', async (_what, answer) => {
    world = await startWorld({ seed: (hs) => hs.model.createRoom('@alice:example.org', { name: 'Somewhere' }) });
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    w.hs.faults.add({ method: 'GET', path: MESSAGES, kind: 'answer', answer, times: 1000 });
    const started = Date.now();
    const reply = await w.ask(w.alice.userId, dm, '!whatdoyouhave');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(reply.body).toContain('## Account');
    expect(reply.body).toContain('being counted');
    // The count ends within a bound too, edited into the same answer, saying plainly why it is missing.
    const text = await w.waitForText(dm, reply.eventId, /messages you sent could not be counted/, 10_000);
    expect(text).toContain('the homeserver gave answers the bot could not use');
    expect(text).toContain('## Account');
    expect(text).not.toMatch(/\n\s+at |Error:/);
  });

  it('failing outright (a gateway error every time): the user hears it plainly, the request fails and is escalated once, and the bot goes on', async () => {
    world = await startWorld({ seed: (hs) => hs.model.createRoom('@alice:example.org', { name: 'Somewhere' }) });
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    w.hs.faults.add({ method: 'GET', path: /^\/_synapse\/admin\//, kind: 'answer', answer: { status: 502, json: 'Bad gateway' }, times: 1000 });
    const started = Date.now();
    const reply = await w.ask(w.alice.userId, dm, '!whatdoyouhave', 20_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(reply.body).toMatch(/I could not read your data from the homeserver just now/);
    expect(reply.body).not.toMatch(/\n\s+at |Error:/);
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => / failed: the homeserver could not be read/.test(b)), 'the escalation');
    await w.bot.services.maintenance.run();
    expect(bodies(w, w.contactRoomId).filter((b) => / failed: the homeserver could not be read/.test(b))).toHaveLength(1);
    w.hs.faults.clear();
    expect((await w.ask(w.alice.userId, dm, '!help')).body).toContain('!whatdoyouhave');
  });
});
