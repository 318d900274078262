// !status and !cancel through the command harness.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];
const DAY = 24 * 60 * 60 * 1000;

describe('!status', () => {
  it('with nothing asked: says so and points to !help', async () => {
    h = commandHarness();
    expect(await h.ask(h.alice, h.directChat(h.alice), '!status')).toBe('You have no open or recent requests. Send `!help` to see what you can ask for.');
  });

  it('lists open requests with days left and their place in a queue, and closed ones for 30 days', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const exportId = idIn(await h.ask(h.alice, dm, '!export'));
    const contactId = idIn(await h.ask(h.alice, dm, '!contact please call me back'));
    await h.ask(h.alice, dm, `!cancel ${contactId}`);
    const text = await h.ask(h.alice, dm, '!status');
    expect(text).toContain('Your requests:');
    expect(text).toMatch(
      new RegExp(`- \`${exportId}\` export \\(a copy of your data\\): scheduled, due \\d{4}-\\d{2}-\\d{2} \\(30 day\\(s\\) left\\); number 1 in the queue`),
    );
    expect(text).toMatch(new RegExp(`- \`${contactId}\` message to the privacy contact: cancelled on \\d{4}-\\d{2}-\\d{2}`));
    expect(text).toContain('Cancel one with `!cancel <request ID>`.');
    h.advance(31 * DAY);
    const later = await h.ask(h.alice, dm, '!status');
    expect(later).not.toContain(contactId);
    expect(later).toContain(exportId);
  });

  it('shows only the sender’s own requests', async () => {
    h = commandHarness();
    await h.ask(h.alice, h.directChat(h.alice), '!export');
    expect(await h.ask(h.bob, h.directChat(h.bob), '!status')).toContain('You have no open or recent requests.');
  });
});

describe('!cancel', () => {
  it('with nothing to cancel: says so', async () => {
    h = commandHarness();
    expect(await h.ask(h.alice, h.directChat(h.alice), '!cancel')).toBe('You have nothing that can still be cancelled. `!status` shows your requests.');
  });

  it('without an ID and one request: cancels it, and its queued job', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const id = idIn(await h.ask(h.alice, dm, '!export'));
    expect(await h.ask(h.alice, dm, '!cancel')).toBe(`Request \`${id}\` (export (a copy of your data)) is cancelled. Nothing more will happen with it.`);
    expect(h.desk.requests.get(id)?.state).toBe('cancelled');
    expect(h.services.jobStore.get(id)?.state).toBe('cancelled');
  });

  it('without an ID and several: lists them to choose from, cancelling none', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const exportId = idIn(await h.ask(h.alice, dm, '!export'));
    const correctionId = idIn(await h.ask(h.alice, dm, '!correct my surname is misspelt'));
    const text = await h.ask(h.alice, dm, '!cancel');
    expect(text).toContain('Which one? Send `!cancel <request ID>` with one of these:');
    expect(text).toContain(`- \`${exportId}\` export (a copy of your data)`);
    expect(text).toContain(`- \`${correctionId}\` correction`);
    expect(
      h.desk
        .requestsOf(h.alice)
        .map((r) => r.state)
        .sort(),
    ).toEqual(['received', 'scheduled']);
  });

  it('someone else’s request is “not found”, never “not yours”', async () => {
    h = commandHarness();
    const id = idIn(await h.ask(h.alice, h.directChat(h.alice), '!export'));
    expect(await h.ask(h.bob, h.directChat(h.bob), `!cancel ${id}`)).toBe(`Nothing was cancelled: you have no request ${id}. \`!status\` shows your requests.`);
    expect(h.desk.requests.get(id)?.state).toBe('scheduled');
  });

  it('a request that is done cannot be cancelled, and says why', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const id = idIn(await h.ask(h.alice, dm, '!export'));
    await h.ask(h.alice, dm, `!cancel ${id}`);
    expect(await h.ask(h.alice, dm, `!cancel ${id}`)).toMatch(
      new RegExp(`^Nothing was cancelled: request ${id} cannot be cancelled: .+\\. \`!status\` shows your requests\\.$`),
    );
  });

  it('a message to the privacy contact, cancelled: the privacy contact hears of it', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const id = idIn(await h.ask(h.alice, dm, '!object to the newsletter'));
    await h.ask(h.alice, dm, `!cancel ${id}`);
    expect(h.textsIn(h.contactRoom).at(-1)).toContain(id);
    expect(h.textsIn(h.contactRoom).at(-1)).toContain('is cancelled');
  });

  it('an ID that is not one gets the usage', async () => {
    h = commandHarness();
    expect(await h.ask(h.alice, h.directChat(h.alice), '!cancel everything')).toBe(
      'I could not read that: “everything” is not a request ID (for example `R-7K3Q`). Usage: `!cancel [request ID]`.',
    );
  });
});
