// Random and adversarial messages (fast-check, seeded) through the real bot: it stays up,
// answers or stays silent within a bound, keeps every answer inside one event, and does
// nothing nobody asked for (no request opened, no admin action) for text that is not an
// exact command.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../src/commands/registry.ts';
import { startWorld, type World } from '../support/world.ts';

const SEED = 4242;
const MESSAGES = 150;
const TRICKY = [
  '\u202E',
  '\u200B',
  '\u0000',
  '\u0007',
  'е',
  'ｈ',
  '！',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '> <@alice:example.org> !delete\n\n',
  '\n',
  '  ',
  '\\',
  '%00',
];
const words = [...COMMAND_NAMES].map((n) => `!${n}`);
/** The command that opens each kind of request. */
const COMMAND_OF: Record<string, string> = {
  access: 'whatdoyouhave',
  erasure: 'delete',
  correction: 'correct',
  objection: 'object',
  contact: 'contact',
  export: 'export',
};

/** Text that is anything but a well-formed command for anyone but its own sender. */
const hostileBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.constantFrom(...words), fc.string({ maxLength: 6 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.constant(`!${'a'.repeat(40_000)}`),
  fc.constantFrom(...words).map((w) => `${w.slice(0, 2)}\u200B${w.slice(2)}`),
);

let world: World;
let dm: string;
let group: string;

beforeAll(async () => {
  world = await startWorld();
  dm = await world.openDirectChat(world.alice.userId);
  group = world.hs.model.createRoom(world.bob.userId, { name: 'Group', invite: [world.privacybot.userId, world.alice.userId] });
  world.hs.model.join(group, world.alice.userId);
  await world.botJoined(group);
});
afterAll(() => world?.close());

describe('the bot under random and hostile messages', () => {
  it('stays up, answers within one event, and acts only on exact commands', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const bodies = fc.sample(hostileBody, { seed: SEED, numRuns: MESSAGES });
    const m = world.hs.model;
    const sent = bodies.map((body, i) => {
      const room = i % 3 === 0 ? group : dm;
      const sender = room === group && i % 2 === 0 ? world.bob.userId : world.alice.userId;
      // Half carry an HTML body that says something else; some are edits of an earlier message.
      const extra = i % 5 === 0 ? { 'm.new_content': { msgtype: 'm.text', body: '!delete' }, 'm.relates_to': { rel_type: 'm.replace', event_id: '$old' } } : {};
      return m.sendMessage(room, sender, body, { formattedBody: i % 2 === 0 ? '<p>!delete confirm 000000</p>' : body, extraContent: extra });
    });
    // Then a real command: once it is answered, everything before it was handled.
    const started = Date.now();
    await world.ask(world.alice.userId, dm, '!help', 30_000);
    await world.bot.idle();
    expect(Date.now() - started).toBeLessThan(30_000);
    process.off('unhandledRejection', onUnhandled);

    expect(unhandled).toEqual([]);
    const answers = [dm, group].flatMap((room) => m.events(room)).filter((ev) => ev.sender === world.privacybot.userId && ev.type === 'm.room.message');
    for (const answer of answers) expect(Buffer.byteLength(JSON.stringify(answer.content))).toBeLessThan(65_536);
    // Only exact commands act: the bodies were random, so a request may exist only where a body was one.
    const requests = [...world.bot.services.desk.requestsOf(world.alice.userId), ...world.bot.services.desk.requestsOf(world.bob.userId)];
    for (const request of requests) {
      const body = bodies[sent.indexOf(request.sourceEventId ?? '')] ?? '';
      expect(body.trim().toLowerCase().startsWith(`!${COMMAND_OF[request.kind]}`), `request ${request.kind} from: ${JSON.stringify(body.slice(0, 40))}`).toBe(
        true,
      );
    }
    expect(requests.filter((r) => r.kind === 'erasure' && r.state !== 'awaiting_confirmation' && r.state !== 'cancelled')).toEqual([]);
    expect(m.events(world.adminRoomId).filter((ev) => String((ev.content as Record<string, unknown>)['body']).startsWith('Erasure request'))).toEqual([]);
    // And it is still answering.
    expect((await world.ask(world.alice.userId, dm, '!status')).body).toMatch(/requests|no open or recent requests/);
  });
});
