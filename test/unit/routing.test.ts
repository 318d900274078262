import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inviteDecision, isLeftAlone } from '../../src/bot/rooms.ts';
import { route } from '../../src/bot/routing.ts';
import type { ParsedMessage } from '../../src/commands/parse.ts';
import { COMMANDS } from '../../src/commands/registry.ts';
import { type BotConfig, validateConfig } from '../../src/config/load.ts';
import { render } from '../../src/render/render.ts';

const raw = JSON.parse(fs.readFileSync(new URL('../../bot.config.json', import.meta.url), 'utf8'));
const checked = validateConfig(raw);
if (!checked.ok) throw new Error('the shipped bot.config.json must be valid');
const config: BotConfig = checked.config;

const alice = '@alice:example.org';
const dave = '@dave:remote.example';
const whatdoyouhave: ParsedMessage = { kind: 'command', name: 'whatdoyouhave', args: [] };
const help: ParsedMessage = { kind: 'command', name: 'help', args: [] };
const text = (r: ReturnType<typeof route>) => (r.kind === 'reply' ? render(r.document).text : r.kind);

describe('route', () => {
  it('runs a personal command for a local user in a direct chat', () => {
    expect(route(whatdoyouhave, alice, { place: 'direct', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config)).toMatchObject({
      kind: 'run',
      command: { name: 'whatdoyouhave' },
    });
  });

  it('points to a direct chat from a group room', () => {
    expect(text(route(whatdoyouhave, alice, { place: 'group', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config))).toContain(
      'only answer it in a direct chat',
    );
  });

  it('tells a remote user where their data lives, even in a direct chat', () => {
    expect(text(route(whatdoyouhave, dave, { place: 'direct', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config))).toContain(
      'lives on remote.example',
    );
  });

  it('runs public commands anywhere and for anyone', () => {
    expect(route(help, dave, { place: 'group', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config)).toMatchObject({
      kind: 'run',
      command: { name: 'help' },
    });
  });

  it('answers only with the encryption notice in a room it cannot read', () => {
    expect(text(route(help, alice, { place: 'direct', unreadable: true, undecryptable: false, senderIsAdmin: false }, COMMANDS, config))).toContain(
      'I cannot read encrypted messages here',
    );
  });

  it('tells someone without encryption keys, unencrypted and without personal data, why an encrypted answer would not reach them', () => {
    const decision = route(whatdoyouhave, alice, { place: 'direct', unreadable: false, undecryptable: true, senderIsAdmin: false }, COMMANDS, config);
    expect(decision).toMatchObject({ kind: 'reply', unencrypted: true });
    expect(text(decision)).toContain('I cannot encrypt my answer for you');
    expect(text(decision)).not.toContain(alice);
  });

  it('points unknown commands to !help in a direct chat only', () => {
    expect(
      text(route({ kind: 'unknown', word: 'x' }, alice, { place: 'direct', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config)),
    ).toContain('!help');
    expect(
      route({ kind: 'unknown', word: 'x' }, alice, { place: 'group', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config),
    ).toEqual({ kind: 'silent' });
    expect(route({ kind: 'none' }, alice, { place: 'direct', unreadable: false, undecryptable: false, senderIsAdmin: false }, COMMANDS, config)).toEqual({
      kind: 'silent',
    });
  });
});

describe('rooms', () => {
  it('joins for local inviters, declines others with a reason naming their server', () => {
    expect(inviteDecision(alice, 'example.org')).toEqual({ kind: 'join' });
    const decline = inviteDecision(dave, 'example.org');
    expect(decline.kind).toBe('decline');
    expect(decline.kind === 'decline' && decline.reason).toContain('remote.example');
  });

  it('is left alone only when the bot is the last member', () => {
    expect(isLeftAlone(['@privacybot:example.org'], '@privacybot:example.org')).toBe(true);
    expect(isLeftAlone(['@privacybot:example.org', alice], '@privacybot:example.org')).toBe(false);
    expect(isLeftAlone([alice], '@privacybot:example.org')).toBe(false);
  });
});
