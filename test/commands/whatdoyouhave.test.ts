// !whatdoyouhave through the command harness: the report at once with the count to come, the
// access request it opens, a person the server has no account for, a failure, and the admins
// told (once) where server and policy disagree.
import { afterEach, describe, expect, it } from 'vitest';
import { HomeserverError } from '../../src/homeserver/errors.ts';
import { commandHarness, type Harness } from '../support/command-harness.ts';

let h: Harness;
afterEach(() => h.close());

const phone = { deviceId: 'PHONE', displayName: 'phone', lastSeenAt: Date.UTC(2026, 0, 2), lastSeenIp: '203.0.113.5', lastSeenUserAgent: 'Element/1.11' };

describe('!whatdoyouhave', () => {
  it('answers at once with every category, the message count still to come, and queues the count as the access request’s job', async () => {
    h = commandHarness();
    h.homeserver.addPerson(h.alice, { memberships: [{ roomId: '!r:example.org', membership: 'join' }], account: { emails: ['alice@example.org'] } });
    const dm = h.directChat(h.alice);
    const answer = (await h.say(h.alice, dm, '!whatdoyouhave'))!;
    expect(answer.text).toMatch(
      /^What 644\.ro stores about `@alice:example\.org` \(read from the homeserver just now, .* UTC\)\. I send this only here, in our direct chat\./,
    );
    for (const section of ['## Account', '## Email addresses', '## Devices and sessions', '## Room memberships', '## Messages', '## Your rights'])
      expect(answer.text).toContain(section);
    expect(answer.text).toContain('- alice@example.org');
    expect(answer.text).toContain('- Joined: 1 room(s): `!r:example.org`');
    expect(answer.text).toContain('What the server holds: being counted: this message will show the number as soon as I have counted them');
    const [request] = h.desk.requestsOf(h.alice);
    expect(request).toMatchObject({ kind: 'access', state: 'received', roomId: dm });
    expect(h.services.jobStore.get(request!.id)).toMatchObject({ state: 'queued' });
    // The count is not read now: that is the job's walk.
    expect(h.homeserver.asked).not.toContain('countMessagesSent @alice:example.org');
  });

  it('a person without an account here: says so, and the access request is recorded as answered', async () => {
    h = commandHarness();
    const text = await h.ask(h.bob, h.directChat(h.bob), '!whatdoyouhave');
    expect(text).toBe('The homeserver has no account `@bob:example.org`. If you think it should, write to the privacy contact.');
    expect(h.desk.requestsOf(h.bob)).toMatchObject([{ kind: 'access', state: 'completed' }]);
  });

  it('the homeserver failing: the access request fails (and counts in the report), the user hears the kind of trouble', async () => {
    h = commandHarness();
    h.homeserver.addPerson(h.alice);
    h.homeserver.failNext(
      'getDevices',
      new HomeserverError({
        kind: 'server-error',
        status: 502,
        endpoint: 'GET /_synapse/admin/v2/users/{userId}/devices',
        userMessage: 'The homeserver reported an internal error (502).',
      }),
    );
    const text = await h.ask(h.alice, h.directChat(h.alice), '!whatdoyouhave');
    expect(text).toContain('the homeserver reported an internal error. Nothing was lost');
    expect(h.desk.requestsOf(h.alice)).toMatchObject([{ kind: 'access', state: 'failed', detail: { failure: 'the homeserver could not be read' } }]);
  });

  it('where the server holds what the policy says it does not: the user sees it, and the admin room hears once per category', async () => {
    h = commandHarness();
    h.homeserver.addPerson(h.alice, { devices: [phone] });
    h.homeserver.addPerson(h.bob, { devices: [{ ...phone, deviceId: 'LAPTOP' }] });
    const text = await h.ask(h.alice, h.directChat(h.alice), '!whatdoyouhave');
    expect(text).toContain(
      "- `203.0.113.5`\nNote: 644.ro's privacy policy says this is not kept, but the server does hold it. The administrators have been told",
    );
    await h.ask(h.bob, h.directChat(h.bob), '!whatdoyouhave');
    const alerts = h.textsIn(h.adminRoom);
    expect(alerts).toHaveLength(3);
    expect(alerts.join('\n')).toMatch(/ipAddresses|IP addresses/);
    expect(alerts.join('\n')).not.toContain('alice');
    expect(h.log.lines.filter((l) => l.startsWith('WARN server and policy disagree'))).toEqual([
      'WARN server and policy disagree on category ipAddresses',
      'WARN server and policy disagree on category userAgents',
      'WARN server and policy disagree on category connectionTimes',
    ]);
  });
});
