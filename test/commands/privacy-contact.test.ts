// The privacy contact's commands through the command harness: !reply relays an answer to the
// requester's direct chat (never stored), !close ends a request they handle.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const idIn = (text: string): string => /R-[A-Z0-9]{4}/.exec(text)![0];

async function contactRequest(): Promise<{ id: string; dm: string }> {
  h = commandHarness();
  const dm = h.directChat(h.alice);
  return { id: idIn(await h.ask(h.alice, dm, '!contact who can see my email address?')), dm };
}

describe('!reply', () => {
  it('relays the answer to the requester’s direct chat; the request is then in progress, the words kept nowhere', async () => {
    const { id, dm } = await contactRequest();
    expect(await h.ask(h.admin, h.contactRoom, `!reply ${id} Only the server admins\nand nobody else.`)).toBe(`Sent to the requester of \`${id}\`.`);
    expect(h.textsIn(dm).at(-1)).toBe(`The privacy contact answers your request ${id}:\n\nOnly the server admins\nand nobody else.`);
    expect(h.desk.requests.get(id)?.state).toBe('in_progress');
    expect(JSON.stringify(h.db.prepare('SELECT * FROM audit_log').all())).not.toContain('server admins');
  });

  it('needs the text, a request that exists, and a chat to answer in', async () => {
    const { id } = await contactRequest();
    expect(await h.ask(h.admin, h.contactRoom, `!reply ${id}`)).toBe('I could not read that: it needs the text after it. Usage: `!reply <request ID> <text>`.');
    expect(await h.ask(h.admin, h.contactRoom, '!reply R-ZZZZ hello')).toBe('Not sent: there is no request R-ZZZZ.');
    h.homeserver.addPerson(h.bob);
    const entered = idIn(await h.ask(h.admin, h.adminRoom, '!erase @bob:example.org'));
    expect(await h.ask(h.admin, h.contactRoom, `!reply ${entered} hello`)).toBe(
      `Not sent: request ${entered} has no direct chat to answer in (it was entered by an admin): answer by the channel it came from.`,
    );
  });
});

describe('!close', () => {
  it('closes a request the privacy contact handles; the requester gets the note', async () => {
    const { id, dm } = await contactRequest();
    expect(await h.ask(h.admin, h.contactRoom, `!close ${id} answered by phone`)).toBe(`Request \`${id}\` is closed; the requester was told.`);
    expect(h.desk.requests.get(id)?.state).toBe('completed');
    expect(h.textsIn(dm).at(-1)).toContain(
      `Your request \`${id}\` (message to the privacy contact) was closed by the privacy contact. Their note: answered by phone`,
    );
    expect(await h.ask(h.admin, h.contactRoom, `!close ${id}`)).toBe('Not closed: a request that is completed cannot become completed.');
  });

  it('refuses what the bot handles itself, and what does not exist', async () => {
    h = commandHarness();
    const exportId = idIn(await h.ask(h.alice, h.directChat(h.alice), '!export'));
    expect(await h.ask(h.admin, h.contactRoom, `!close ${exportId}`)).toBe(`Not closed: request ${exportId} is handled by the bot and closes by itself.`);
    expect(await h.ask(h.admin, h.contactRoom, '!close R-ZZZZ')).toBe('Not closed: there is no request R-ZZZZ.');
  });
});

describe('the privacy contact room', () => {
  it('is the only place for these commands, and only for this server’s users', async () => {
    const { id } = await contactRequest();
    expect(await h.ask(h.admin, h.directChat(h.admin), `!close ${id}`)).toBe('`!close` works only in the privacy contact room.');
    h.chat.joinRoom(h.contactRoom, h.remote);
    h.bot.rooms.saw(h.contactRoom, 'm.room.member');
    expect(await h.ask(h.remote, h.contactRoom, `!close ${id}`)).toBe(
      '`!close` is for the people this bot’s configuration names for it. Your attempt was logged.',
    );
    expect(h.log.lines).toEqual([
      'WARN refused !close outside the privacy contact room: @admin:example.org',
      'WARN refused !close from a user of another server: @dave:remote.example',
    ]);
    expect(h.desk.requests.get(id)?.state).toBe('received');
  });
});
