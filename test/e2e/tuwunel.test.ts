// The bot against the tuwunel flavour, where Tuwunel differs from Synapse in what it keeps
// and how it answers (reference: "Tuwunel 1.9.0 as its source reads").
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { SqlitePuppetLedger } from '../../src/store/puppet-sessions.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

describe('!whatdoyouhave on Tuwunel', () => {
  it('tells one last address and time per device, not a log of connections', async () => {
    world = await startWorld({
      flavour: 'tuwunel',
      alice: {
        devices: [
          { deviceId: 'PHONE', lastSeenIp: '203.0.113.9', lastSeenAt: Date.UTC(2026, 10, 1, 12, 0) },
          { deviceId: 'LAPTOP', lastSeenIp: '198.51.100.7', lastSeenAt: Date.UTC(2026, 10, 2, 8, 30) },
        ],
      },
    });
    const dm = await world.openDirectChat(world.alice.userId);
    const { body } = await world.ask(world.alice.userId, dm, '!whatdoyouhave');
    expect(body).not.toMatch(/logged connection/);
    expect(body).toContain('`203.0.113.9`, the last address of device `PHONE`');
    expect(body).toContain('`198.51.100.7`, the last address of device `LAPTOP`');
    expect(body).toContain('Device `LAPTOP` last seen 2026-11-02 08:30:00 UTC');
    expect(body).toContain('Only the last time and address each device was seen are kept: no history of your connections');
  });
});

describe('a Tuwunel version with a build suffix', () => {
  it('is read as the version it starts with: everything 1.9.0 has is used', async () => {
    world = await startWorld({ flavour: 'tuwunel', version: '1.9.0 (abc1234)' });
    await world.bot.idle(); // the start-up notes go out once syncing has begun
    const notices = world.hs.model
      .events(world.adminRoomId)
      .filter((ev) => ev.sender === world.privacybot.userId)
      .map((ev) => String(ev.content['body']))
      .join('\n');
    expect(notices).toContain('Tuwunel 1.9.0 (abc1234)');
    expect(notices).not.toMatch(/no login-as|no user-redaction|no \/memberships|no admin room-messages/);
  });
});

describe('a login-as session a crash left behind', () => {
  it('is removed at the next start, and the admins are told whose account it was on', async () => {
    world = await startWorld({ flavour: 'tuwunel', startBot: false });
    const token = world.hs.model.loginAs(world.alice.userId, null, 'Admin login');
    const deviceId = world.hs.model.tokenInfo(token)?.deviceId ?? '';
    // What the bot had written before it died: the session, not its token.
    const db = openDatabase(world.config.dataDir);
    const ledger = new SqlitePuppetLedger(db);
    ledger.attachDevice(ledger.begin(world.alice.userId, Date.now()), deviceId);
    db.close();

    await world.restart();
    expect(world.hs.model.user(world.alice.userId)?.devices.has(deviceId)).toBe(false);
    const notice = await world.hs.model.waitForEvent(
      (ev) => ev.room_id === world.adminRoomId && ev.sender === world.privacybot.userId && String(ev.content['body']).includes('login-as device'),
    );
    expect(String(notice.content['body'])).toContain(`${deviceId} the bot had left on ${world.alice.userId}'s account`);
    const reopened = openDatabase(world.config.dataDir);
    expect(new SqlitePuppetLedger(reopened).unfinished()).toEqual([]);
    reopened.close();
  });
});
