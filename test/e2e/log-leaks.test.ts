// With logging at its most verbose (the SDK's trace lines included), a busy session leaves
// no access token, IP address, email address, message text or confirmation code in the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
const SECRET_WORDS = 'my grandmother’s maiden name is Featherstonehaugh';
const STAFF_WORDS = 'we checked the push gateway logs carefully';

beforeAll(async () => {
  world = await startWorld({
    alice: {
      emails: ['alice.private@example.net'],
      devices: [
        {
          deviceId: 'PHONE',
          displayName: 'Alice’s phone',
          lastSeenIp: '203.0.113.77',
          lastSeenUserAgent: 'Element/1.11',
          lastSeenAt: Date.now(),
          hasKeys: true,
        },
      ],
    },
  });
  const w = world;
  const dm = await w.openDirectChat(w.alice.userId);
  await w.ask(w.alice.userId, dm, '!help');
  await w.ask(w.alice.userId, dm, '!whatdoyouhave');
  const contact = await w.ask(w.alice.userId, dm, `!contact ${SECRET_WORDS}`);
  const id = /R-[0-9A-Z]{4}/.exec(contact.body)![0];
  await w.ask(w.admin.userId, w.contactRoomId, `!reply ${id} ${STAFF_WORDS}`);
  await w.ask(w.alice.userId, dm, '!status');
  // An export reads (and zips) all of it: her IP addresses, her messages, the relayed words.
  await w.ask(w.alice.userId, dm, '!export');
  await waitUntil(() => w.hs.model.events(dm).some((ev) => String((ev.content as Record<string, unknown>)['body']).includes('is ready')), 'the export', 30_000);
  const code = /!delete confirm (\d{6})/.exec((await w.ask(w.alice.userId, dm, '!delete')).body)![1]!;
  codes.push(code);
  await w.ask(w.alice.userId, dm, `!delete confirm ${code}`);
  await w.ask(w.admin.userId, w.adminRoomId, '!requests');
  await w.bot.idle();
});
afterAll(() => world?.close());
const codes: string[] = [];

describe('the most verbose log', () => {
  it('is really verbose (the SDK’s own lines are in it)', () => {
    expect(world.log.lines.filter((l) => l.startsWith('DEBUG matrix-bot-sdk')).length).toBeGreaterThan(20);
  });

  it('holds no access token, IP address, email address, message text or confirmation code', () => {
    const log = world.log.lines.join('\n');
    for (const token of [world.privacybot.accessToken, world.alice.accessToken, world.admin.accessToken, world.bob.accessToken])
      expect(log).not.toContain(token);
    expect(log).not.toContain('203.0.113.77');
    expect(log).not.toMatch(/\b127\.0\.0\.1\b/);
    expect(log).not.toContain('alice.private@example.net');
    expect(log).not.toContain('Featherstonehaugh');
    expect(log).not.toContain('push gateway logs');
    expect(log).not.toContain('Element/1.11');
    expect(log).not.toContain(codes[0]);
  });
});
