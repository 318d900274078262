import { describe, expect, it } from 'vitest';
import { classifyIncoming } from '../../src/bot/incoming.ts';

const rules = { botUserId: '@privacybot:example.org', notBefore: 1_000 };
const message = (overrides: Record<string, unknown> = {}, content: Record<string, unknown> = {}) => ({
  event_id: '$e',
  sender: '@alice:example.org',
  type: 'm.room.message',
  origin_server_ts: 2_000,
  content: { msgtype: 'm.text', body: '!help', ...content },
  ...overrides,
});

describe('classifyIncoming', () => {
  it('takes a plain text message', () => {
    expect(classifyIncoming(message(), rules)).toMatchObject({ kind: 'message', body: '!help' });
  });

  it.each([
    ['its own messages', message({ sender: '@privacybot:example.org' }), 'own event'],
    ['anything sent before it started', message({ origin_server_ts: 999 }), 'sent before the bot started'],
    ['notices', message({}, { msgtype: 'm.notice' }), 'notice'],
    ['edits (m.replace)', message({}, { 'm.relates_to': { rel_type: 'm.replace', event_id: '$x' }, 'm.new_content': { body: '!help' } }), 'edit'],
    ['redactions', message({ type: 'm.room.redaction', content: {} }), 'not a message'],
    ['redacted messages', message({ content: {}, unsigned: { redacted_because: {} } }), 'redacted'],
    ['reactions', message({ type: 'm.reaction', content: { 'm.relates_to': { rel_type: 'm.annotation' } } }), 'not a message'],
    ['images', message({}, { msgtype: 'm.image' }), 'not text'],
    ['malformed events', { event_id: 1 }, 'not a well-formed room event'],
    ['state events, even of type m.room.message', message({ state_key: '' }), 'state event'],
  ])('ignores %s', (_what, event, why) => {
    expect(classifyIncoming(event, rules)).toEqual({ kind: 'ignore', why });
  });

  it('flags encrypted events, which it cannot read without the native library', () => {
    expect(classifyIncoming(message({ type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' } }), rules)).toMatchObject({
      kind: 'encrypted',
    });
  });
});
