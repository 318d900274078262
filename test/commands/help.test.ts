// !help through the command harness: what it lists depends on the room it is asked in.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

describe('!help', () => {
  it('in a direct chat: the personal and public commands, and how to reach the privacy contact', async () => {
    h = commandHarness();
    const text = await h.ask(h.alice, h.directChat(h.alice), '!help');
    expect(text).toContain('I help you exercise your data rights on example.org. Send a command in a direct chat with me:');
    for (const usage of [
      '!whatdoyouhave',
      '!export',
      '!delete [confirm] [code]',
      '!status',
      '!cancel [request ID]',
      '!contact [message]',
      '!correct <what is wrong>',
      '!object <what you object to>',
    ]) {
      expect(text).toContain(usage);
    }
    expect(text).not.toContain('!approve');
    expect(text).not.toContain('!reply');
    expect(text).toContain(`write to the privacy contact: ${h.config.privacyContact.email} or the room \`${h.config.privacyContact.room}\`.`);
  });

  it('in a group room: the same list, for anyone, case-insensitive and after the bot’s name', async () => {
    h = commandHarness();
    const group = h.groupRoom(h.alice, h.bob);
    expect(await h.ask(h.bob, group, 'Privacy Bot: !HELP')).toContain('Send a command in a direct chat with me:');
    expect(await h.ask(h.remote, group, '!help')).toContain('!whatdoyouhave');
  });

  it('in the admin room: the admins’ commands; in the privacy contact room: the privacy contact’s', async () => {
    h = commandHarness();
    const admins = await h.ask(h.admin, h.adminRoom, '!help');
    expect(admins).toContain('Commands for the admins, in this room:');
    for (const usage of [
      '!requests',
      '!request <request ID>',
      '!extend <request ID> <reason>',
      '!report [from (YYYY-MM-DD)] [to (YYYY-MM-DD)]',
      '!audit <verify>',
      '!approve <request ID>',
      '!deny <request ID> <reason>',
      '!erase <user ID>',
      '!plan <request ID>',
    ]) {
      expect(admins).toContain(usage);
    }
    expect(admins).not.toContain('!export');
    const contact = await h.ask(h.admin, h.contactRoom, '!help');
    expect(contact).toContain('Commands for the privacy contact, in this room:');
    expect(contact).toContain('!reply <request ID> <text>');
    expect(contact).toContain('!close <request ID> [note]');
    expect(contact).not.toContain('!approve');
  });
});
