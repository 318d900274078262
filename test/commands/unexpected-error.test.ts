// An unexpected error while a command runs (a bug): the user gets a plain answer, and the log
// gets what an operator needs for a bug report, where it was thrown (its stack frames, file:line),
// and never the error's message, which can carry what a user wrote.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

describe('an unexpected error in a command', () => {
  it('a bug: the user hears something went wrong; the log has where it was thrown (file:line), not its message', async () => {
    h = commandHarness();
    // A record the code does not expect (no email list) makes the bot's own code throw a TypeError.
    h.homeserver.addPerson(h.alice, { account: { emails: undefined as unknown as string[] } });
    const text = await h.ask(h.alice, h.directChat(h.alice), '!whatdoyouhave');
    expect(text).toContain('Something went wrong on my side and I could not answer. The administrators can see it in my log.');
    const errors = h.log.lines.filter((line) => line.startsWith('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ERROR !whatdoyouhave failed: TypeError at \S.* \(src\/[\w/-]+\.ts:\d+:\d+\)/);
    // Relative to the project, a few frames on one line, the command's run among them.
    expect(errors[0]).toMatch(/src\/commands\/whatdoyouhave\.ts:\d+:\d+/);
    expect(errors[0]).not.toContain(process.cwd());
    expect(errors[0]!.split(' < ').length).toBeLessThanOrEqual(8);
    expect(errors[0]).not.toMatch(/Cannot read|undefined/);
  });

  it('an error whose message carries what a user wrote: the message never reaches the log, its throw site does', async () => {
    h = commandHarness();
    const typed = 'words the user typed, which must never reach the log';
    h.homeserver.failNext('getAccount', new RangeError(`bad input: ${typed}\nacross lines`));
    await h.ask(h.alice, h.directChat(h.alice), '!whatdoyouhave');
    const log = h.log.lines.join('\n');
    expect(log).toMatch(/^ERROR !whatdoyouhave failed: RangeError at .*test\/commands\/unexpected-error\.test\.ts:\d+:\d+/m);
    expect(log).not.toContain('bad input');
    expect(log).not.toContain('across lines');
  });
});
