import { describe, expect, it } from 'vitest';
import { serverNotesToPost } from '../../src/bot/admin-notices.ts';
import { afterFailedAttempt, MAX_ANSWER_ATTEMPTS, replyKey } from '../../src/bot/delivery.ts';
import { inboxCommand, MAX_KEPT_ARG_CHARS, MAX_KEPT_WORD_CHARS } from '../../src/bot/inbox-command.ts';
import { MAX_ECHOED_WORD_CHARS, unknownCommand } from '../../src/bot/replies.ts';
import { COMMANDS } from '../../src/commands/registry.ts';
import { describeFailure, requestFailure } from '../../src/matrix/request-failure.ts';
import { retryDelay, transactionIdFor, UNAVAILABLE_RETRY_DELAYS_MS } from '../../src/matrix/send-once.ts';
import { render } from '../../src/render/render.ts';

describe('what a failed request means', () => {
  it.each([
    ['no answer at all', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { kind: 'unavailable' }],
    ['a 502 without a Matrix body', { statusCode: 502 }, { kind: 'unavailable' }],
    ['a 429, waited as asked', { statusCode: 429, errcode: 'M_LIMIT_EXCEEDED', retryAfterMs: 1500 }, { kind: 'rate-limited', waitMs: 1500 }],
    ['a 429 asking too much', { statusCode: 429, retryAfterMs: 3_600_000 }, { kind: 'rate-limited', waitMs: 60_000 }],
    ['a 413', { statusCode: 413, errcode: 'M_TOO_LARGE' }, { kind: 'too-large' }],
    ['a 403', { statusCode: 403, errcode: 'M_FORBIDDEN' }, { kind: 'refused', status: 403, errcode: 'M_FORBIDDEN' }],
  ])('%s', (_what, error, expected) => {
    expect(requestFailure(error)).toEqual(expected);
    expect(describeFailure(requestFailure(error))).toMatch(/^the homeserver /);
  });
});

describe('retrying a send under the same transaction ID', () => {
  it('retries a server failure or a lost answer twice, a 429 five times, and nothing else', () => {
    const unavailable = { statusCode: 500 };
    expect([0, 1, 2].map((n) => retryDelay(unavailable, { rateLimited: 0, unavailable: n }))).toEqual([...UNAVAILABLE_RETRY_DELAYS_MS, null]);
    expect(retryDelay({ statusCode: 429, retryAfterMs: 200 }, { rateLimited: 4, unavailable: 0 })).toBe(200);
    expect(retryDelay({ statusCode: 429, retryAfterMs: 200 }, { rateLimited: 5, unavailable: 0 })).toBeNull();
    expect(retryDelay({ statusCode: 403 }, { rateLimited: 0, unavailable: 0 })).toBeNull();
    expect(retryDelay({ statusCode: 413 }, { rateLimited: 0, unavailable: 0 })).toBeNull();
  });

  it('derives the transaction ID from the room and what the message is for, nothing else', () => {
    const id = transactionIdFor('!dm:example.org', replyKey('$command'));
    expect(id).toBe(transactionIdFor('!dm:example.org', replyKey('$command')));
    expect(id).toMatch(/^dsar\.[A-Za-z0-9_-]{32}$/);
    expect(transactionIdFor('!other:example.org', replyKey('$command'))).not.toBe(id);
    expect(transactionIdFor('!dm:example.org', replyKey('$another'))).not.toBe(id);
  });
});

describe('after a failed attempt to answer', () => {
  const unavailable = { kind: 'unavailable' } as const;
  it('tries again later, then gives up at the last attempt', () => {
    expect(afterFailedAttempt(1, unavailable)).toEqual({ kind: 'retry', afterMs: 60_000 });
    expect(afterFailedAttempt(2, { kind: 'rate-limited', waitMs: 1 })).toEqual({ kind: 'retry', afterMs: 15 * 60_000 });
    expect(afterFailedAttempt(MAX_ANSWER_ATTEMPTS, unavailable)).toEqual({ kind: 'give-up' });
    expect(afterFailedAttempt(MAX_ANSWER_ATTEMPTS + 4, unavailable)).toEqual({ kind: 'give-up' });
  });

  it('gives up at once when the server refuses: asking again would change nothing', () => {
    expect(afterFailedAttempt(1, { kind: 'refused', status: 403, errcode: 'M_FORBIDDEN' })).toEqual({ kind: 'give-up' });
    expect(afterFailedAttempt(1, { kind: 'too-large' })).toEqual({ kind: 'give-up' });
  });
});

describe('what the inbox keeps of a command', () => {
  const commands = COMMANDS; // !cancel keeps one word (a request ID), !help none
  it('the word and the arguments it takes, each capped', () => {
    expect(inboxCommand({ kind: 'command', name: 'help', args: ['please', 'now'] }, commands)).toBe('!help');
    expect(inboxCommand({ kind: 'command', name: 'cancel', args: ['r'.repeat(5000), 'more'] }, commands)).toBe(`!cancel ${'r'.repeat(MAX_KEPT_ARG_CHARS)}`);
    expect(inboxCommand({ kind: 'unknown', word: 'a'.repeat(40_000) }, commands)).toBe(`!${'a'.repeat(MAX_KEPT_WORD_CHARS)}`);
  });

  it('an unknown word is echoed short', () => {
    expect(render(unknownCommand('exprot')).text).toContain('`!exprot`');
    const long = render(unknownCommand('a'.repeat(MAX_KEPT_WORD_CHARS))).text;
    expect(long).toContain(`\`!${'a'.repeat(MAX_ECHOED_WORD_CHARS)}…\``);
    expect(long).not.toContain('a'.repeat(MAX_ECHOED_WORD_CHARS + 1));
  });
});

describe('the start-up notes about the server', () => {
  it('are posted when they differ from the last ones posted, and never when there are none', () => {
    const first = serverNotesToPost(['no /memberships'], null);
    expect(first.post).toBe(true);
    expect(serverNotesToPost(['no /memberships'], first.digest)).toEqual({ digest: first.digest, post: false });
    expect(serverNotesToPost(['no /memberships', 'no login-as'], first.digest).post).toBe(true);
    // No notes: nothing to post, and the next notes, even the same as before, are news again.
    expect(serverNotesToPost([], first.digest)).toEqual({ digest: '', post: false });
    expect(serverNotesToPost(['no /memberships'], '').post).toBe(true);
  });
});
