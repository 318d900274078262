// !export through the command harness: queued (the answer is the message the job will edit),
// one open export at a time, one per period (the refusal recorded), and the period ending.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];
/** What the export job does to a request when it delivers (the harness runs no jobs). */
const delivered = (h: Harness, id: string) => {
  h.desk.requests.transition(id, 'in_progress', 'bot');
  h.desk.requests.transition(id, 'completed', 'bot');
  h.services.jobStore.finish(id, 'done', h.now());
};

describe('!export', () => {
  it('queues an export: the answer names the request, its place in the queue, and becomes the progress message', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const answer = (await h.say(h.alice, dm, '!export'))!;
    const id = idIn(answer.text);
    expect(answer.text).toContain(
      `I am preparing a copy of all the data this server holds about you (request \`${id}\`). Other exports are being made right now: yours is number 1 in the queue`,
    );
    expect(answer.text).toContain(`\`!cancel ${id}\` stops it.`);
    expect(h.desk.requests.get(id)).toMatchObject({ kind: 'export', state: 'scheduled', roomId: dm });
    // The job edits its progress into this answer.
    expect(h.services.jobStore.get(id)?.progressEvent).toBe(answer.eventId);
  });

  it('one open export at a time: a second is told about the first, and opens nothing', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const id = idIn(await h.ask(h.alice, dm, '!export'));
    expect(await h.ask(h.alice, dm, '!export')).toBe(
      `You already have an export request, \`${id}\`, and it is not finished yet: its files will arrive here. \`!status\` shows where it stands.`,
    );
    expect(h.desk.requestsOf(h.alice)).toHaveLength(1);
  });

  it('one export per period: refused with the time the next is possible, and the refusal is a denied request', async () => {
    h = commandHarness({ configure: (raw) => (raw.export = { ...raw.export, perUserHours: 24 }) });
    const dm = h.directChat(h.alice);
    const first = idIn(await h.ask(h.alice, dm, '!export'));
    delivered(h, first);
    h.advance(60 * 60 * 1000);
    const text = await h.ask(h.alice, dm, '!export');
    expect(text).toMatch(
      new RegExp(
        `^You asked for an export at .* UTC \\(request \`${first}\`\\)\\. I make one export per person every 24 hours, so I cannot start another now\\. The next one is possible from .* UTC\\.`,
      ),
    );
    const refusal = /recorded as request `(R-[A-Z0-9]{4})`/.exec(text)![1]!;
    expect(h.desk.requests.get(refusal)).toMatchObject({ kind: 'export', state: 'denied' });
    // Once the period is over, the next one is queued.
    h.advance(24 * 60 * 60 * 1000);
    expect(await h.ask(h.alice, dm, '!export')).toContain('I am preparing a copy of all the data');
  });

  it('a failed or cancelled export does not count against the period', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const first = idIn(await h.ask(h.alice, dm, '!export'));
    await h.ask(h.alice, dm, `!cancel ${first}`);
    expect(h.desk.requests.get(first)?.state).toBe('cancelled');
    expect(await h.ask(h.alice, dm, '!export')).toContain('I am preparing a copy of all the data');
  });
});
