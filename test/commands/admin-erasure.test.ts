// The admins' erasure commands through the command harness: !approve (four eyes where
// configured), !deny with the reason the user is told, !erase for a request received outside
// Matrix, !plan, and the ✅ ❌ reactions on the approval message.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness, type HarnessOptions } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];
const fourEyes: HarnessOptions['configure'] = (raw) => (raw.erasure = { ...raw.erasure, fourEyes: true });

/** Alice asks for erasure and confirms: the request waits for approval. */
async function confirmedErasure(options: HarnessOptions = {}): Promise<{ id: string; dm: string; approvalEvent: string }> {
  h = commandHarness(options);
  h.homeserver.addPerson(h.alice, {
    memberships: [
      { roomId: '!r:example.org', membership: 'join' },
      { roomId: '!old:example.org', membership: 'leave' },
    ],
  });
  const dm = h.directChat(h.alice);
  const begun = await h.ask(h.alice, dm, '!delete');
  await h.ask(h.alice, dm, `!delete confirm ${/!delete confirm (\d{6})/.exec(begun)![1]}`);
  const approval = h.chat.sentTo(h.adminRoom).at(-1)!;
  return { id: idIn(begun), dm, approvalEvent: approval.eventId };
}

describe('!approve', () => {
  it('approves: the erasure is scheduled after the cooling-off period, the user is told when, the job waits for it', async () => {
    const { id, dm } = await confirmedErasure();
    const text = await h.ask(h.admin, h.adminRoom, `!approve ${id}`);
    expect(text).toMatch(new RegExp(`^Approved: erasure \`${id}\` starts at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\\.$`));
    expect(h.desk.requests.get(id)).toMatchObject({ state: 'scheduled', detail: { approvals: ['@admin:example.org'] } });
    expect(h.textsIn(dm).at(-1)).toMatch(
      new RegExp(`^Your erasure request \`${id}\` was approved\\. It starts at .* UTC; until then you can still stop it with \`!cancel ${id}\`\\.$`),
    );
    expect(h.services.jobStore.get(id)).toMatchObject({ state: 'queued' });
    // The same approval again (as when the bot answers it after a restart: it took effect, its answer did not go out) says the same.
    expect(await h.ask(h.admin, h.adminRoom, `!approve ${id}`)).toBe(text);
    expect(h.desk.requests.get(id)?.detail.approvals).toEqual(['@admin:example.org']);
    // Another admin, once it is decided: nothing to approve.
    expect(await h.ask(h.admin2, h.adminRoom, `!approve ${id}`)).toBe(`Nothing done: request ${id} is not waiting for approval (it is scheduled).`);
  });

  it('with four eyes: a second, different admin must approve', async () => {
    const { id } = await confirmedErasure({ configure: fourEyes });
    expect(await h.ask(h.admin, h.adminRoom, `!approve ${id}`)).toBe(`Your approval of \`${id}\` is recorded. A second admin must approve too.`);
    expect(await h.ask(h.admin, h.adminRoom, `!approve ${id}`)).toBe('Your approval is already counted: a second, different admin must approve.');
    expect(h.desk.requests.get(id)?.state).toBe('awaiting_approval');
    expect(await h.ask(h.admin2, h.adminRoom, `!approve ${id}`)).toMatch(/^Approved: erasure/);
  });

  it('an ID that is not an erasure request', async () => {
    h = commandHarness();
    const exportId = idIn(await h.ask(h.alice, h.directChat(h.alice), '!export'));
    expect(await h.ask(h.admin, h.adminRoom, '!approve R-ZZZZ')).toBe('Nothing done: there is no erasure request R-ZZZZ.');
    expect(await h.ask(h.admin, h.adminRoom, `!approve ${exportId}`)).toBe(`Nothing done: there is no erasure request ${exportId}.`);
  });
});

describe('!deny', () => {
  it('denies with the reason, which the user is told with how to complain', async () => {
    const { id, dm } = await confirmedErasure();
    expect(await h.ask(h.admin, h.adminRoom, `!deny ${id} there is a legal hold on this account`)).toBe(`Denied: \`${id}\`. The user was told the reason.`);
    expect(h.desk.requests.get(id)).toMatchObject({ state: 'denied', decisionReason: 'there is a legal hold on this account' });
    const told = h.textsIn(dm).at(-1)!;
    expect(told).toContain(`Your erasure request \`${id}\` was denied. The reason: there is a legal hold on this account.`);
    expect(told).toContain('If you disagree, write to the privacy contact');
  });

  it('needs a reason; refuses what cannot be denied any more', async () => {
    const { id } = await confirmedErasure();
    expect(await h.ask(h.admin, h.adminRoom, `!deny ${id}`)).toBe('I could not read that: it needs the reason after it. Usage: `!deny <request ID> <reason>`.');
    await h.ask(h.admin, h.adminRoom, `!approve ${id}`);
    expect(await h.ask(h.admin, h.adminRoom, `!deny ${id} too late`)).toBe(
      `Nothing done: request ${id} cannot be denied now: a request that is scheduled cannot become denied.`,
    );
    expect(await h.ask(h.admin, h.adminRoom, '!deny R-ZZZZ why')).toBe('Nothing done: there is no erasure request R-ZZZZ.');
  });
});

describe('✅ and ❌ on the approval message', () => {
  it('✅ from a listed admin approves, answered in a thread on that message', async () => {
    const { id, approvalEvent } = await confirmedErasure();
    const answer = await h.react(h.admin, approvalEvent, '✅\uFE0F');
    expect(answer?.text).toMatch(new RegExp(`^Approved: erasure \`${id}\``));
    expect(h.desk.requests.get(id)?.state).toBe('scheduled');
  });

  it('❌ denies without a written reason: the privacy contact is asked to send it', async () => {
    const { id, approvalEvent } = await confirmedErasure();
    expect((await h.react(h.admin, approvalEvent, '❌'))?.text).toBe(`Denied: \`${id}\`. The user was told the reason.`);
    expect(h.textsIn(h.contactRoom).at(-1)).toContain(`Erasure ${id} was denied by a reaction (by \`@admin:example.org\`), without a written reason.`);
  });

  it('from someone not listed: refused and logged; other reactions and other messages: nothing', async () => {
    const { id, approvalEvent } = await confirmedErasure();
    expect((await h.react(h.mallory, approvalEvent, '✅'))?.text).toBe(
      '`!approve` is for the people this bot’s configuration names for it. Your attempt was logged.',
    );
    expect(h.log.lines).toContain('WARN refused a decision by reaction from someone who is not a listed admin: @mallory:example.org');
    expect(await h.react(h.admin, approvalEvent, '👍')).toBeNull();
    expect(await h.react(h.admin, '$some-other-message', '✅')).toBeNull();
    expect(h.desk.requests.get(id)?.state).toBe('awaiting_approval');
  });
});

describe('!erase', () => {
  it('enters a request received outside Matrix: it waits for approval at once, and the admins are asked', async () => {
    h = commandHarness();
    h.homeserver.addPerson(h.bob);
    const text = await h.ask(h.admin, h.adminRoom, '!erase @bob:example.org');
    const id = idIn(text);
    expect(text).toBe(`Erasure request \`${id}\` for \`@bob:example.org\` is awaiting approval: see the message above to decide.`);
    expect(h.desk.requests.get(id)).toMatchObject({ kind: 'erasure', state: 'awaiting_approval', enteredBy: '@admin:example.org', roomId: null });
    expect(h.textsIn(h.adminRoom).some((t) => t.startsWith(`Erasure request ${id} for \`@bob:example.org\``))).toBe(true);
    // Entered again: the open one is named, no second request.
    expect(await h.ask(h.admin, h.adminRoom, '!erase @bob:example.org')).toContain(`Erasure request \`${id}\``);
    expect(h.desk.requestsOf(h.bob)).toHaveLength(1);
  });

  it('refuses an account of another server, and one the server does not have', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!erase @dave:remote.example')).toBe(
      '`@dave:remote.example` is not an account of example.org: its data lives on its own server.',
    );
    expect(await h.ask(h.admin, h.adminRoom, '!erase @carol:example.org')).toBe('The homeserver has no account `@carol:example.org`.');
    expect(await h.ask(h.admin, h.adminRoom, '!erase carol')).toBe(
      'I could not read that: “carol” is not a user ID (for example `@alice:example.org`). Usage: `!erase <user ID>`.',
    );
  });
});

describe('!plan', () => {
  it('lists the steps this server would run, with the rooms counted', async () => {
    const { id } = await confirmedErasure();
    const text = await h.ask(h.admin, h.adminRoom, `!plan ${id}`);
    expect(text).toMatch(new RegExp(`^Erasure ${id} of \`@alice:example\\.org\`, on this server, would run:`));
    expect(text).toContain('- 1. Record every room the user is or was in (1 room(s) the user is in and 1 they left)');
    // Twelve steps on current Synapse, the rooms nobody here is in any more deleted and the traces removed among them.
    expect(text).toMatch(/- 12\. The bot forgets the user/);
    expect(text).not.toContain('Warning');
  });

  it('warns where the rooms the user left cannot be listed', async () => {
    h = commandHarness();
    h.homeserver.addPerson(h.bob, { membershipsAvailable: false, memberships: [{ roomId: '!r:example.org', membership: 'join' }] });
    const id = idIn(await h.ask(h.admin, h.adminRoom, '!erase @bob:example.org'));
    expect(await h.ask(h.admin, h.adminRoom, `!plan ${id}`)).toContain(
      'Warning: rooms the user left cannot be listed here (this server cannot list the rooms a user left): the erasure would stop at its first step rather than run without them.',
    );
  });

  it('an ID that is not an erasure request', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!plan R-ZZZZ')).toBe('There is no erasure request R-ZZZZ.');
  });
});
