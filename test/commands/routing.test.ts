// Where a command may run and what happens when it cannot, through the command harness: the
// room and sender checks every command shares (routing.ts, bot.ts), rate limits, and what a
// failure while running one becomes (a plain answer, and a log line for the operator).
import { afterEach, describe, expect, it } from 'vitest';
import { HomeserverError } from '../../src/homeserver/errors.ts';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

describe('routing a command', () => {
  it('an unknown command gets a pointer to !help in a direct chat, and silence in a group room (it may be meant for another bot)', async () => {
    h = commandHarness();
    expect(await h.ask(h.alice, h.directChat(h.alice), '!frobnicate now')).toBe("I don't know the command `!frobnicate`. Send `!help` to see what I can do.");
    expect(await h.say(h.alice, h.groupRoom(h.alice, h.bob), '!frobnicate')).toBeNull();
    expect(await h.say(h.alice, h.directChat(h.alice), 'just chatting, no command')).toBeNull();
    // Only the start of an unknown word is repeated back.
    expect(await h.ask(h.alice, h.directChat(h.alice), `!${'x'.repeat(60)}`)).toContain(`\`!${'x'.repeat(24)}…\``);
  });

  it('a personal command in a group room is answered with how to open a direct chat, and no personal data', async () => {
    h = commandHarness();
    const text = await h.ask(h.alice, h.groupRoom(h.alice, h.bob), '!whatdoyouhave');
    expect(text).toContain('This command concerns your own data, so I only answer it in a direct chat with me');
    expect(text).toContain('send `!whatdoyouhave` there');
    expect(h.homeserver.asked).toEqual([]);
  });

  it('a user of another server is told where their data lives, and nothing is read', async () => {
    h = commandHarness();
    const text = await h.ask(h.remote, h.directChat(h.remote), '!export');
    expect(text).toContain('Your account `@dave:remote.example` lives on remote.example, not on example.org');
    expect(h.desk.requestsOf(h.remote)).toEqual([]);
  });

  it('an admin command outside the admin room, or from someone not listed, is refused and logged', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.directChat(h.admin), '!requests')).toBe('`!requests` works only in the admin room.');
    expect(await h.ask(h.mallory, h.adminRoom, '!approve R-7K3Q')).toBe(
      '`!approve` is for the people this bot’s configuration names for it. Your attempt was logged.',
    );
    expect(h.log.lines).toEqual([
      'WARN refused !requests outside the admin room: @admin:example.org',
      'WARN refused !approve from someone who is not a listed admin: @mallory:example.org',
    ]);
  });

  it('a listed admin who has left the admin room is no longer an admin there', async () => {
    h = commandHarness({ configure: (raw) => raw.admins.push('@alice:example.org') });
    expect(await h.ask(h.alice, h.adminRoom, '!requests')).toContain('is for the people this bot’s configuration names');
    h.chat.joinRoom(h.adminRoom, h.alice);
    h.bot.rooms.saw(h.adminRoom, 'm.room.member');
    expect(await h.ask(h.alice, h.adminRoom, '!requests')).toBe('No open requests.');
  });

  it('a privacy contact command outside their room is refused', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!reply R-7K3Q thanks')).toBe('`!reply` works only in the privacy contact room.');
    expect(h.log.lines).toEqual(['WARN refused !reply outside the privacy contact room: @admin:example.org']);
  });

  it('arguments that do not parse get the usage, with an example, and only a short excerpt of what was written', async () => {
    h = commandHarness();
    expect(await h.ask(h.admin, h.adminRoom, '!request')).toBe(
      'I could not read that: it needs the request ID (for example `R-7K3Q`). Usage: `!request <request ID>`.',
    );
    expect(await h.ask(h.admin, h.adminRoom, `!request ${'y'.repeat(40)}`)).toBe(
      `I could not read that: “${'y'.repeat(24)}…” is not a request ID (for example \`R-7K3Q\`). Usage: \`!request <request ID>\`.`,
    );
  });

  it('in an encrypted room, with encryption off, answers only how to reach the bot', async () => {
    h = commandHarness();
    const text = await h.ask(h.alice, h.directChat(h.alice, { encrypted: true }), '!whatdoyouhave');
    expect(text).toContain('I cannot read encrypted messages here');
    expect(h.homeserver.asked).toEqual([]);
  });

  it('past the rate limit: told once when to try again, then silent, and nothing is carried out', async () => {
    h = commandHarness({ configure: (raw) => (raw.rateLimits = { perUserPerMinute: 2, globalPerMinute: 100 }) });
    const dm = h.directChat(h.alice);
    await h.ask(h.alice, dm, '!help');
    await h.ask(h.alice, dm, '!help');
    expect(await h.ask(h.alice, dm, '!export')).toMatch(
      /^You are sending commands faster than I answer them \(at most 2 a minute per person\)\. Please try again in \d+ seconds;/,
    );
    expect(await h.say(h.alice, dm, '!export')).toBeNull();
    expect(h.desk.requestsOf(h.alice)).toEqual([]);
    expect(h.log.lines).toEqual(['WARN rate limit (user) reached by @alice:example.org: further commands this minute are not answered']);
  });
});

describe('a command that fails', () => {
  it('the homeserver not answering: the user hears what kind of trouble, the operator the endpoint', async () => {
    h = commandHarness();
    h.homeserver.addPerson(h.alice);
    h.homeserver.failNext(
      'getAccount',
      new HomeserverError({ kind: 'timeout', endpoint: 'GET /_synapse/admin/v2/users/{userId}', userMessage: 'The homeserver did not answer in 30 s.' }),
    );
    const text = await h.ask(h.alice, h.directChat(h.alice), '!whatdoyouhave');
    expect(text).toContain(
      'I could not read your data from the homeserver just now: the homeserver did not answer in time. Nothing was lost; please try again in a few minutes.',
    );
    expect(h.log.lines).toEqual(['WARN !whatdoyouhave failed: The homeserver did not answer in 30 s.']);
  });

  it('the server lacking what the command needs: the user hears it is not available here', async () => {
    h = commandHarness();
    h.homeserver.failNext(
      'getAccount',
      new HomeserverError({ kind: 'unsupported', endpoint: 'GET /_synapse/admin/v2/users/{userId}', userMessage: 'no admin API' }),
    );
    expect(await h.ask(h.alice, h.directChat(h.alice), '!whatdoyouhave')).toContain('This part is not available on this server');
  });
});
