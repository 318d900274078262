// Why the bot cannot read an encrypted event, from the engine's error (the WebAssembly
// engine's code, the native engine's words) and when it was sent; and the line that says it.
import { describe, expect, it } from 'vitest';
import { undecryptableLine, undecryptableReason } from '../../src/matrix/undecryptable.ts';

const FIRST_START = 1_000_000;

describe('why an event cannot be decrypted', () => {
  it('a missing key or a later index: before the first start, or not shared with the device', () => {
    expect(undecryptableReason({ code: 0, description: 'missing' }, FIRST_START - 1, FIRST_START)).toBe('before-first-start');
    expect(undecryptableReason({ code: 1, description: 'index' }, FIRST_START - 1, FIRST_START)).toBe('before-first-start');
    expect(undecryptableReason({ code: 0, description: 'missing' }, FIRST_START, FIRST_START)).toBe('no-key');
    expect(undecryptableReason({ code: 1, description: 'index' }, FIRST_START + 5, FIRST_START)).toBe('key-shared-later');
    expect(undecryptableReason({ code: 0 }, undefined, FIRST_START)).toBe('no-key');
  });

  it("reads the native engine's words", () => {
    expect(undecryptableReason(new Error('decryption failed because the room key is missing'), FIRST_START + 1, FIRST_START)).toBe('no-key');
    expect(undecryptableReason(new Error("Can't find the room key to decrypt the event"), FIRST_START + 1, FIRST_START)).toBe('no-key');
    expect(
      undecryptableReason(
        new Error('The message was encrypted using an unknown message index, first known index 3, index of the message 1'),
        FIRST_START + 1,
        FIRST_START,
      ),
    ).toBe('key-shared-later');
  });

  it('anything else is another reason, whenever it was sent', () => {
    expect(undecryptableReason({ code: 2, description: 'mismatched identity keys' }, FIRST_START - 1, FIRST_START)).toBe('other');
    expect(undecryptableReason(new Error('unexpected'), FIRST_START + 1, FIRST_START)).toBe('other');
    expect(undecryptableReason(null, FIRST_START + 1, FIRST_START)).toBe('other');
  });
});

describe('the line about a room', () => {
  it('gives the total and each reason that occurred, in a fixed order', () => {
    const counts = new Map([
      ['no-key', 2],
      ['before-first-start', 5],
    ] as const);
    expect(undecryptableLine('!room:example.org', counts)).toBe(
      "encrypted room !room:example.org: the bot cannot read 7 message(s): 5 sent before its first start (its device could not be given their keys), 2 without a key shared with its device (the sender's client did not send it one)",
    );
  });
});
