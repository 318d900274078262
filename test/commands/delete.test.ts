// !delete and !delete confirm <code> through the command harness: what erasure removes and
// what it cannot, the code and its tries, expiry, and the admins asked once it is confirmed.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const codeIn = (text: string): string => /!delete confirm (\d{6})/.exec(text)![1]!;
const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];
const wrong = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

function withAlice(): { dm: string } {
  h = commandHarness();
  h.homeserver.addPerson(h.alice, {
    memberships: [
      { roomId: '!r:example.org', membership: 'join' },
      { roomId: '!old:example.org', membership: 'leave' },
    ],
    messagesSent: 42,
    media: { count: 2, totalBytes: 2048 },
    account: { emails: ['alice@example.org'] },
  });
  return { dm: h.directChat(h.alice) };
}

describe('!delete', () => {
  it('explains what is erased and what cannot be, then gives a code; the request waits for it', async () => {
    const { dm } = withAlice();
    const text = await h.ask(h.alice, dm, '!delete');
    expect(text).toContain('You asked me to erase your account and its data. Please read this first: erasure cannot be undone.');
    expect(text).toContain('- Rooms you are or were in: 2 (every message and file you sent in them is redacted, and you leave them)');
    expect(text).toContain('- Messages you sent: 42');
    expect(text).toContain('- Files you uploaded: 2 (2.0 KiB)');
    expect(text).toContain('- Email addresses: 1');
    expect(text).toContain('Copies on other servers');
    expect(text).toContain('Synapse keeps them 7 days by default (redaction_retention_period)');
    expect(text).toMatch(/To confirm, send `!delete confirm \d{6}` within 10 minutes \(3 tries\)\./);
    expect(h.desk.requests.get(idIn(text))).toMatchObject({ kind: 'erasure', state: 'awaiting_confirmation' });
    expect(h.textsIn(h.adminRoom)).toEqual([]);
  });

  it('a person the server has no account for is told so; nothing is opened', async () => {
    h = commandHarness();
    expect(await h.ask(h.bob, h.directChat(h.bob), '!delete')).toBe('The homeserver has no account `@bob:example.org`.');
    expect(h.desk.requestsOf(h.bob)).toEqual([]);
  });

  it('asked again while the code waits: a fresh code for the same request, the old one no longer works', async () => {
    const { dm } = withAlice();
    const first = await h.ask(h.alice, dm, '!delete');
    const second = await h.ask(h.alice, dm, '!delete');
    expect(idIn(second)).toBe(idIn(first));
    if (codeIn(first) !== codeIn(second))
      expect(await h.ask(h.alice, dm, `!delete confirm ${codeIn(first)}`)).toBe('That code is not right. 2 tries are left.');
    expect(await h.ask(h.alice, dm, `!delete confirm ${codeIn(second)}`)).toContain('Confirmed.');
  });

  it('confirmed with the code: waits for an admin, who is asked in the admin room with the summary', async () => {
    const { dm } = withAlice();
    const begun = await h.ask(h.alice, dm, '!delete');
    const id = idIn(begun);
    const text = await h.ask(h.alice, dm, `!delete confirm ${codeIn(begun)}`);
    expect(text).toMatch(
      new RegExp(
        `^Confirmed\\. Your erasure request \`${id}\` now waits for an administrator’s approval; you will hear the outcome here, by \\d{4}-\\d{2}-\\d{2} at the latest\\.`,
      ),
    );
    expect(h.desk.requests.get(id)?.state).toBe('awaiting_approval');
    const [asked] = h.textsIn(h.adminRoom);
    expect(asked).toContain(`Erasure request ${id} for \`@alice:example.org\` (confirmed by the user).`);
    expect(asked).toContain(`Decide with \`!approve ${id}\` or \`!deny ${id} <reason>\``);
    expect(asked).toContain('react to this message with ✅ or ❌');
    // Another !delete now names the open request.
    expect(await h.ask(h.alice, dm, '!delete')).toBe(
      `You already have an erasure request, \`${id}\`, and it is waiting for an administrator’s approval. \`!status\` shows where it stands.`,
    );
  });

  it('wrong codes: the tries left, then nothing erased after the last', async () => {
    const { dm } = withAlice();
    const begun = await h.ask(h.alice, dm, '!delete');
    const bad = wrong(codeIn(begun));
    expect(await h.ask(h.alice, dm, `!delete confirm ${bad}`)).toBe('That code is not right. 2 tries are left.');
    expect(await h.ask(h.alice, dm, `!delete confirm ${bad}`)).toBe('That code is not right. 1 try is left.');
    expect(await h.ask(h.alice, dm, `!delete confirm ${bad}`)).toBe(
      'That code is not right either, and that was the last try: nothing will be erased. Send `!delete` to start again.',
    );
    expect(h.desk.requests.get(idIn(begun))?.state).toBe('cancelled');
    expect(await h.ask(h.alice, dm, `!delete confirm ${codeIn(begun)}`)).toBe('You have no erasure waiting for a code. Send `!delete` to start one.');
  });

  it('a code after 10 minutes has expired', async () => {
    const { dm } = withAlice();
    const begun = await h.ask(h.alice, dm, '!delete');
    h.advance(11 * 60 * 1000);
    expect(await h.ask(h.alice, dm, `!delete confirm ${codeIn(begun)}`)).toBe(
      'That code has expired (codes last 10 minutes): nothing will be erased. Send `!delete` for a new one.',
    );
    expect(h.desk.requests.get(idIn(begun))?.state).toBe('cancelled');
  });

  it('confirm without a code, or with nothing waiting', async () => {
    const { dm } = withAlice();
    expect(await h.ask(h.alice, dm, '!delete confirm')).toBe('Send the code with it: `!delete confirm <code>`.');
    expect(await h.ask(h.alice, dm, '!delete confirm 123456')).toBe('You have no erasure waiting for a code. Send `!delete` to start one.');
    expect(await h.ask(h.alice, dm, '!delete now')).toBe(
      'I could not read that: “now” is not a confirm (for example `confirm`). Usage: `!delete [confirm] [code]`.',
    );
  });

  it('is personal: not in a group room, not for another server’s users', async () => {
    withAlice();
    expect(await h.ask(h.alice, h.groupRoom(h.alice, h.bob), '!delete')).toContain('I only answer it in a direct chat with me');
    expect(await h.ask(h.remote, h.directChat(h.remote), '!delete')).toContain('lives on remote.example');
    expect(h.desk.requestsOf(h.alice)).toEqual([]);
  });
});
