// Property-based tests (fast-check, seeded) of the command layer against random and
// adversarial input: it never throws, and never turns something that is not exactly a
// command into one.

import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyIncoming } from '../../src/bot/incoming.ts';
import { parseReactionCommand, reactionDecision } from '../../src/bot/reactions.ts';
import { route } from '../../src/bot/routing.ts';
import { commandText, parseMessage } from '../../src/commands/parse.ts';
import { COMMAND_NAMES, COMMANDS } from '../../src/commands/registry.ts';
import { type BotConfig, validateConfig } from '../../src/config/load.ts';
import { render } from '../../src/render/render.ts';

const SEED = 20261128;
const RUNS = 1500;
const params = { seed: SEED, numRuns: RUNS };

const checked = validateConfig(JSON.parse(fs.readFileSync(new URL('../../bot.config.json', import.meta.url), 'utf8')));
if (!checked.ok) throw new Error('the shipped bot.config.json must be valid');
const config: BotConfig = checked.config;
const bot = { userId: '@privacybot:example.org', displayName: 'Privacy Bot' };

// The characters that make text lie about itself.
const TRICKY = [
  '\u202E',
  '\u202D',
  '\u200B',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u0000',
  '\u0007',
  '\r',
  '\t',
  '\n',
  'е',
  'о',
  'р',
  'ｈ',
  'İ',
  'ſ',
  '！',
  '<script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '> ',
  '* ',
  '`',
  '\\',
  '%00',
  '../',
];
const trickyText = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 8 }), fc.constantFrom(...[...COMMAND_NAMES].map((n) => `!${n}`))), { maxLength: 30 })
  .map((parts) => parts.join(''));
const anyBody = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), trickyText, fc.constant(`!${'a'.repeat(40_000)}`));

describe('parsing hostile text', () => {
  it('never throws, and a known command is always spelt exactly, in ASCII, at the start', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        const parsed = parseMessage(body, bot, COMMAND_NAMES);
        if (parsed.kind === 'command') {
          expect(COMMAND_NAMES.has(parsed.name)).toBe(true);
          // The command word as written is ASCII letters: no homoglyph, no zero-width character in it.
          const written = /!([^\s]+)/.exec(body)?.[1] ?? '';
          expect(written.toLowerCase().startsWith(parsed.name)).toBe(true);
          expect(/^[\x21-\x7e]+$/.test(written.slice(0, parsed.name.length))).toBe(true);
        }
        const rest = commandText(body, bot, 2);
        expect(rest.length).toBeLessThanOrEqual(body.length);
      }),
      params,
    );
  });

  it('lookalike and invisible-character command names are never the real command', () => {
    // Cyrillic and other lookalikes for the Latin letters in command names, and invisible characters.
    const LOOKALIKE: Record<string, string> = { a: 'а', c: 'с', e: 'е', h: 'һ', o: 'о', p: 'р', t: 'т', x: 'х', y: 'у', l: 'ӏ' };
    const INVISIBLE = ['\u200B', '\u200D', '\u2060', '\uFEFF', '\u202E'];
    const disguised = fc.constantFrom(...[...COMMAND_NAMES]).chain((name) =>
      fc.tuple(fc.nat({ max: name.length - 1 }), fc.boolean(), fc.constantFrom(...INVISIBLE)).map(([at, swap, invisible]) => {
        const letter = name[at]!;
        const replaced = swap && LOOKALIKE[letter] !== undefined ? LOOKALIKE[letter]! : `${invisible}${letter}`;
        return { name, body: `!${name.slice(0, at)}${replaced}${name.slice(at + 1)}` };
      }),
    );
    fc.assert(
      fc.property(disguised, ({ name, body }) => {
        const parsed = parseMessage(body, bot, COMMAND_NAMES);
        expect(parsed.kind === 'command' && parsed.name === name).toBe(false);
      }),
      params,
    );
  });

  it('a quoted reply fallback ("> <@someone> !delete") is never a command', () => {
    fc.assert(
      fc.property(fc.constantFrom(...[...COMMAND_NAMES]), fc.string({ maxLength: 50 }), (name, after) => {
        expect(parseMessage(`> <@alice:example.org> !${name}\n\n${after}`, bot, COMMAND_NAMES).kind).not.toBe('command');
      }),
      params,
    );
  });
});

describe('classifying hostile events', () => {
  const jsonish = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 10 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const eventLike = fc.record(
    {
      event_id: fc.oneof(fc.string(), jsonish),
      sender: fc.oneof(fc.constantFrom('@alice:example.org', '@privacybot:example.org', '@dave:remote.example'), jsonish),
      type: fc.oneof(fc.constantFrom('m.room.message', 'm.room.encrypted', 'm.reaction', 'm.room.member'), jsonish),
      origin_server_ts: fc.oneof(fc.integer(), jsonish),
      state_key: fc.oneof(fc.constant(''), fc.string(), jsonish),
      content: fc.oneof(
        fc.record(
          {
            msgtype: fc.oneof(fc.constantFrom('m.text', 'm.notice', 'm.emote'), jsonish),
            body: fc.oneof(anyBody, jsonish),
            formatted_body: fc.oneof(fc.string(), jsonish),
          },
          { requiredKeys: [] },
        ),
        jsonish,
      ),
      unsigned: jsonish,
    },
    { requiredKeys: [] },
  );

  it('a message-shaped state event is never read as a command', () => {
    const stateMessage = fc.record({
      event_id: fc.constant('$e:example.org'),
      sender: fc.constant('@alice:example.org'),
      type: fc.constant('m.room.message'),
      origin_server_ts: fc.nat(),
      state_key: fc.oneof(fc.constant(''), fc.string()),
      content: fc.record({ msgtype: fc.constant('m.text'), body: fc.constantFrom(...[...COMMAND_NAMES].map((n) => `!${n}`)) }),
    });
    fc.assert(
      fc.property(stateMessage, (raw) => {
        expect(classifyIncoming(raw, { botUserId: bot.userId, notBefore: 0 }).kind).toBe('ignore');
      }),
      params,
    );
  });

  it('never throws; only well-formed text messages in the timeline from others, since the start, are read', () => {
    fc.assert(
      fc.property(eventLike, (raw) => {
        const incoming = classifyIncoming(raw, { botUserId: bot.userId, notBefore: 0 });
        if (incoming.kind === 'message') {
          const event = raw as Record<string, any>;
          expect(event['type']).toBe('m.room.message');
          expect(event['content']['msgtype']).toBe('m.text');
          expect(typeof event['content']['body']).toBe('string');
          expect(event['sender']).not.toBe(bot.userId);
          expect(event['state_key']).toBeUndefined();
          // What is read is the plain body, never the HTML that may say something else.
          expect(incoming.body).toBe(event['content']['body']);
        }
        const reaction = reactionDecision(raw, { botUserId: bot.userId, notBefore: 0 });
        if (reaction !== null) expect(parseReactionCommand(`reaction ${reaction.decision} ${reaction.target}`)).not.toBeNull();
      }),
      params,
    );
  });
});

describe('routing hostile senders and places', () => {
  const senders = fc.constantFrom(
    '@alice:example.org',
    '@admin:example.org',
    '@dave:remote.example',
    '@privacybot:example.org',
    '@admin:example.org.evil',
    '@Admin:example.org',
  );
  const facts = fc.record({
    place: fc.constantFrom('direct', 'group', 'admin', 'privacy-contact' as const),
    unreadable: fc.boolean(),
    undecryptable: fc.boolean(),
    senderIsAdmin: fc.boolean(),
  });

  it('never throws, answers within the event size limit, and runs a command only where and for whom it is meant', () => {
    fc.assert(
      fc.property(anyBody, senders, facts, (body, sender, room) => {
        const parsed = parseMessage(body, bot, COMMAND_NAMES);
        const decision = route(parsed, sender, room, COMMANDS, config);
        if (decision.kind === 'reply' || decision.kind === 'refuse') {
          expect(Buffer.byteLength(JSON.stringify(render(decision.document)))).toBeLessThan(65_536 - 1024);
        }
        if (decision.kind !== 'run') return;
        expect(room.unreadable || room.undecryptable).toBe(false);
        const local = sender.endsWith(':example.org');
        if (decision.command.scope === 'personal') expect([room.place, local]).toEqual(['direct', true]);
        if (decision.command.scope === 'admin') expect([room.place, room.senderIsAdmin]).toEqual(['admin', true]);
        if (decision.command.scope === 'privacy-contact') expect([room.place, local]).toEqual(['privacy-contact', true]);
      }),
      params,
    );
  });
});
