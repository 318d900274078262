import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/commands/parse.ts';

const known = new Set(['help', 'whatdoyouhave']);
const bot = { userId: '@privacybot:example.org', displayName: 'Privacy Bot' };

describe('parseMessage', () => {
  it.each([
    ['!help', 'help'],
    ['!HELP', 'help'],
    ['  !WhatDoYouHave  ', 'whatdoyouhave'],
    ['privacybot: !help', 'help'],
    ['@privacybot:example.org !help', 'help'],
    ['@privacybot:example.org: !help', 'help'],
    ['Privacy Bot: !help', 'help'],
    ['privacy bot, !help', 'help'],
  ])('recognises %j as !%s', (body, name) => {
    expect(parseMessage(body, bot, known)).toEqual({ kind: 'command', name, args: [] });
  });

  it('keeps arguments, split on white space', () => {
    expect(parseMessage('!help  me  please', bot, known)).toEqual({ kind: 'command', name: 'help', args: ['me', 'please'] });
  });

  it('reports an unknown !word', () => {
    expect(parseMessage('!exportt', bot, known)).toEqual({ kind: 'unknown', word: 'exportt' });
  });

  it.each(['hello', 'say !help', '!!', '! help', '', 'someoneelse: !help', '!123'])('is not a command: %j', (body) => {
    expect(parseMessage(body, bot, known)).toEqual({ kind: 'none' });
  });

  it('reads only the first line', () => {
    expect(parseMessage('!help\nand some more text', bot, known)).toEqual({ kind: 'command', name: 'help', args: [] });
  });
});
