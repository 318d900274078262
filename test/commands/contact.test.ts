// !contact, !correct and !object through the command harness: the card, the relay to the
// privacy contact (a request, the words passed on and never kept), and where it is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];

describe('!contact', () => {
  it('alone: how to reach the privacy contact, by mail and in Matrix, and the supervisory authority; no request', async () => {
    h = commandHarness();
    const text = await h.ask(h.alice, h.groupRoom(h.alice), '!contact');
    expect(text).toContain('The privacy contact of 644.ro (644.ro privacy contact) is a person who handles what no command covers:');
    expect(text).toContain('- Email: dnsadmin@644.ro');
    expect(text).toContain('- Matrix room: `#privacy-contact:example.org`');
    expect(text).toContain('Requests are answered within 30 days. You can also complain to');
    expect(h.desk.requestsOf(h.alice)).toEqual([]);
  });

  it('with a message, in a direct chat: a request, the words relayed to the privacy contact room, and kept nowhere', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const words = 'Please tell me who sees my room list';
    const text = await h.ask(h.alice, dm, `privacybot: !contact ${words}`);
    const id = idIn(text);
    expect(text).toContain(
      `I passed your message to the privacy contact as request \`${id}\` (message to the privacy contact). I keep only the request, not your words.`,
    );
    expect(h.desk.requests.get(id)).toMatchObject({ kind: 'contact', state: 'received', roomId: dm });
    const [relayed] = h.textsIn(h.contactRoom);
    expect(relayed).toMatch(new RegExp(`^New request ${id} \\(message to the privacy contact\\) from \`@alice:example\\.org\`, due \\d{4}-\\d{2}-\\d{2}:\\n`));
    expect(relayed).toContain(`:\n\n${words}\n\nAnswer with \`!reply ${id} <text>\`; \`!close ${id} [note]\` closes it. I relay, I do not keep the text.`);
    // Nothing kept: not in the request, its audit trail, or the inbox.
    const stored = ['requests', 'audit_log', 'inbox'].map((table) => JSON.stringify(h.db.prepare(`SELECT * FROM ${table}`).all())).join();
    expect(stored).toContain(id);
    expect(stored).not.toContain('room list');
  });

  it('with a message, in a group room: asks for a direct chat, and relays nothing', async () => {
    h = commandHarness();
    expect(await h.ask(h.alice, h.groupRoom(h.alice, h.bob), '!contact my data please')).toBe(
      'Your message may concern your own data, so I pass it on only from a direct chat with me. Start a direct chat with `@privacybot:example.org` and send it there.',
    );
    expect(h.textsIn(h.contactRoom)).toEqual([]);
  });
});

describe('!correct and !object', () => {
  it('need the words: without them, the usage', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    expect(await h.ask(h.alice, dm, '!correct')).toBe('I could not read that: it needs the what is wrong after it. Usage: `!correct <what is wrong>`.');
    expect(await h.ask(h.alice, dm, '!object')).toBe('I could not read that: it needs the what you object to after it. Usage: `!object <what you object to>`.');
    expect(h.desk.requestsOf(h.alice)).toEqual([]);
  });

  it('with them: a correction or an objection relayed, over several lines', async () => {
    h = commandHarness();
    const dm = h.directChat(h.alice);
    const correction = idIn(await h.ask(h.alice, dm, '!correct my surname\nis Liddell'));
    const objection = idIn(await h.ask(h.alice, dm, '!object to the newsletter'));
    expect(h.desk.requests.get(correction)?.kind).toBe('correction');
    expect(h.desk.requests.get(objection)?.kind).toBe('objection');
    const relayed = h.textsIn(h.contactRoom);
    expect(relayed[0]).toContain(`New request ${correction} (correction)`);
    expect(relayed[0]).toContain('my surname\nis Liddell');
    expect(relayed[1]).toContain(`New request ${objection} (objection)`);
    expect(relayed[1]).toContain('to the newsletter');
  });

  it('are personal: only in a direct chat', async () => {
    h = commandHarness();
    expect(await h.ask(h.alice, h.groupRoom(h.alice, h.bob), '!correct my name')).toContain('I only answer it in a direct chat with me');
  });
});
