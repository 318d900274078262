// The homeserver misbehaves: 429 with retry_after_ms, 500s, slow answers. The user
// gets a full answer when a retry helps, and a clear one when nothing does.
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

describe('a misbehaving homeserver', () => {
  it('waits out a 429 as asked and still answers fully', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ path: /\/_synapse\/admin\/v2\/users\/[^/]+\/devices$/, kind: 'rate-limit', retryAfterMs: 300, times: 1 });
    const started = Date.now();
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(reply.body).toContain('## Devices and sessions');
    const deviceCalls = world.hs.requests.filter((r) => /\/v2\/users\/[^/]+\/devices$/.test(r.path)).map((r) => r.status);
    expect(deviceCalls).toEqual([429, 200]);
  });

  it('retries 500s and still answers fully', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ path: /\/_synapse\/admin\/v1\/whois\//, kind: 'status', status: 500, times: 2 });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(reply.body).toContain('## IP addresses');
    expect(world.hs.requests.filter((r) => r.path.includes('/whois/')).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('says clearly, without a stack trace, when the homeserver keeps failing', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ path: /\/_synapse\/admin\/v1\/users\/[^/]+\/pushers$/, kind: 'status', status: 500, times: 100 });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(reply.body).toContain('I could not read your data from the homeserver just now');
    expect(reply.body).toContain(world.config.privacyContact.email);
    expect(reply.body).not.toMatch(/at .*\.ts:\d+|Error:|stack/);
  });

  it('gives up on a homeserver that does not answer in time, and says so', async () => {
    world = await startWorld({ configure: (raw) => (raw.homeserver.requestTimeoutMs = 1000) });
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ path: /\/_synapse\/admin\/v1\/users\/[^/]+\/accountdata$/, kind: 'latency', latencyMs: 1500, times: 100 });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(reply.body).toContain('I could not read your data from the homeserver just now');
    expect(reply.body).toContain('the homeserver did not answer in time');
    // The details (endpoint, server address) are for the operator's log, not the user.
    expect(reply.body).not.toContain('127.0.0.1');
    expect(reply.body).not.toContain('_synapse');
    expect(world.log.lines.some((line) => line.includes('accountdata') && line.includes('within 1 s'))).toBe(true);
  }, 30_000);

  it('survives a dropped connection', async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ path: /\/_synapse\/admin\/v2\/users\/[^/]+$/, kind: 'drop', times: 1 });
    const reply = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(reply.body).toContain('## Account');
  });

  it("waits out a 429 on the bot's own reply and sends it once", async () => {
    world = await startWorld();
    const dm = await world.openDirectChat(world.alice.userId);
    world.hs.faults.add({ method: 'PUT', path: /\/send\/m\.room\.message\//, kind: 'rate-limit', retryAfterMs: 200, times: 2 });
    const sent = world.say(world.alice.userId, dm, '!help');
    await world.replyTo(sent);
    await world.bot.idle();
    const sends = world.hs.requests.filter((r) => r.method === 'PUT' && decodeURIComponent(r.path).includes(`${dm}/send/m.room.message/`)).map((r) => r.status);
    expect(sends).toEqual([429, 429, 200]);
    const replies = world.hs.model.events(dm).filter((ev) => (ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id === sent);
    expect(replies).toHaveLength(1);
  });

  it('waits out 429s on joining a direct chat (Synapse limits every event a busy bot makes) and answers there', async () => {
    world = await startWorld();
    const join = /\/_matrix\/client\/v3\/(join|rooms\/[^/]+\/join)/;
    world.hs.faults.add({ method: 'POST', path: join, kind: 'rate-limit', retryAfterMs: 200, times: 2, userId: world.privacybot.userId });
    const dm = await world.openDirectChat(world.alice.userId);
    expect((await world.ask(world.alice.userId, dm, '!help')).body).toContain('!whatdoyouhave');
    const joins = world.hs.requests.filter((r) => r.method === 'POST' && join.test(r.path) && decodeURIComponent(r.path).includes(dm)).map((r) => r.status);
    expect(joins).toEqual([429, 429, 200]);
  });
});
