// The request lifecycle through the real bot: relaying to the privacy contact and back,
// !status and !cancel, the admin room's commands, the transparency report (chat and
// command line agree) and the audit trail catching tampering.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/store/database.ts';
import { startWorld, type World } from '../support/world.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

let world: World;
let dm: string;
let bobDm: string;

beforeAll(async () => {
  world = await startWorld();
  dm = await world.openDirectChat(world.alice.userId);
  bobDm = await world.openDirectChat(world.bob.userId);
});
afterAll(() => world?.close());

const idIn = (text: string): string => /R-[0-9A-Z]{4}/.exec(text)?.[0] ?? '';

/** The next message the bot posts in a room (not a threaded reply), containing `text`. */
const botPosts = (roomId: string, text: string) =>
  world.hs.model.waitForEvent(
    (ev) => ev.room_id === roomId && ev.sender === world.privacybot.userId && String((ev.content as Record<string, unknown>)['body']).includes(text),
  );

const databaseBytes = (): string =>
  ['', '-wal']
    .map((suffix) => path.join(world.config.dataDir, DATABASE_FILE + suffix))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');

async function cli(script: string, ...args: string[]) {
  const configFile = path.join(world.config.dataDir, 'cli-config.json');
  fs.writeFileSync(configFile, JSON.stringify(world.config));
  try {
    const { stdout } = await run(process.execPath, ['--disable-warning=DEP0060', `src/cli/${script}.ts`, ...args, '--config', configFile], { cwd: ROOT });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('relaying to the privacy contact and back', () => {
  it('opens a request, passes the message on (not by mail, not into the database), and relays the answer and the closing', async () => {
    const words = 'Please correct my display name, it still shows my maiden name Liddell-Hart';
    const reply = await world.ask(world.alice.userId, dm, `!correct ${words}`);
    const id = idIn(reply.body);
    expect(id).not.toBe('');
    expect(reply.body).toContain('correction');
    expect(reply.body).toContain('I keep only the request, not your words');

    const forwarded = await botPosts(world.contactRoomId, id);
    const forwardedBody = String((forwarded.content as Record<string, unknown>)['body']);
    expect(forwardedBody).toContain(words);
    expect(forwardedBody).toContain(world.alice.userId);

    await world.bot.idle();
    expect(databaseBytes()).not.toContain('maiden name');

    const answer = 'Done: your display name now reads Alice Liddell.';
    expect((await world.ask(world.admin.userId, world.contactRoomId, `!reply ${id} ${answer}`)).body).toContain(`Sent to the requester of \`${id}\``);
    const relayed = await botPosts(dm, answer);
    expect(String((relayed.content as Record<string, unknown>)['body'])).toContain(`The privacy contact answers your request ${id}`);

    expect((await world.ask(world.admin.userId, world.contactRoomId, `!close ${id} Thanks for telling us.`)).body).toContain('is closed');
    await botPosts(dm, 'Thanks for telling us.');
    const status = await world.ask(world.alice.userId, dm, '!status');
    expect(status.body).toMatch(new RegExp(`${id}\` correction: completed on \\d{4}-\\d{2}-\\d{2}`));
    await world.bot.idle();
    expect(databaseBytes()).not.toContain('Alice Liddell.');
  });

  it('without a message, !contact shows how to reach the privacy contact, and opens nothing', async () => {
    const reply = await world.ask(world.alice.userId, dm, '!contact');
    expect(reply.body).toContain(world.config.privacyContact.email);
    expect(idIn(reply.body)).toBe('');
  });

  it('relays nothing from a group room', async () => {
    const group = world.hs.model.createRoom(world.alice.userId, { invite: [world.privacybot.userId, world.bob.userId] });
    world.hs.model.join(group, world.bob.userId);
    await world.botJoined(group);
    const reply = await world.ask(world.alice.userId, group, '!contact my phone number is 555-0100');
    expect(reply.body).toContain('only from a direct chat');
    expect(idIn(reply.body)).toBe('');
  });

  it('keeps the privacy contact’s commands in their room', async () => {
    const reply = await world.ask(world.alice.userId, dm, '!reply R-0000 hello');
    expect(reply.body).toContain('works only in the privacy contact room');
  });
});

describe('!status and !cancel', () => {
  it('counts !whatdoyouhave as an access request, lists requests with days left, and cancels only the sender’s own', async () => {
    await world.ask(world.bob.userId, bobDm, '!whatdoyouhave');
    await world.bot.services.jobs.idle(); // its message count, edited in
    const bobObjects = idIn((await world.ask(world.bob.userId, bobDm, '!object I object to my data being used for anything but delivery')).body);
    const bobStatus = (await world.ask(world.bob.userId, bobDm, '!status')).body;
    expect(bobStatus).toMatch(/access \(what we store\): completed on/);
    expect(bobStatus).toContain(`${bobObjects}\` objection: received, due`);
    expect(bobStatus).toContain('(30 day(s) left)');

    // Alice cannot cancel, or learn anything about, Bob's request.
    const theirs = await world.ask(world.alice.userId, dm, `!cancel ${bobObjects}`);
    expect(theirs.body).toContain(`you have no request ${bobObjects}`);
    expect(theirs.body).not.toContain('objection');

    const a = idIn((await world.ask(world.alice.userId, dm, '!contact question one')).body);
    const b = idIn((await world.ask(world.alice.userId, dm, '!contact question two')).body);
    const which = await world.ask(world.alice.userId, dm, '!cancel');
    expect(which.body).toContain('Which one?');
    expect(which.body).toContain(a);
    expect(which.body).toContain(b);
    expect((await world.ask(world.alice.userId, dm, `!cancel ${a.toLowerCase()}`)).body).toContain(
      `Request \`${a}\` (message to the privacy contact) is cancelled`,
    );
    expect((await world.ask(world.alice.userId, dm, `!cancel ${a}`)).body).toContain('it is already cancelled');
    expect((await world.ask(world.alice.userId, dm, '!cancel')).body).toContain(`Request \`${b}\``);
    expect((await world.ask(world.alice.userId, dm, '!cancel')).body).toContain('nothing that can still be cancelled');
    expect((await world.ask(world.alice.userId, dm, '!cancel R-12')).body).toContain('is not a request ID');
  });
});

describe('the admin room', () => {
  it('lists open requests, shows one’s timeline, and extends a deadline once with the reason told to the requester', async () => {
    const id = idIn((await world.ask(world.alice.userId, dm, '!object I object to push notifications')).body);
    const list = (await world.ask(world.admin.userId, world.adminRoomId, '!requests')).body;
    expect(list).toContain(id);
    expect(list).toContain(world.alice.userId);

    const extended = await world.ask(world.admin.userId, world.adminRoomId, `!extend ${id} The objection needs a review by our lawyer`);
    expect(extended.body).toMatch(/is now due \d{4}-\d{2}-\d{2}/);
    const told = await botPosts(dm, 'was extended to');
    expect(String((told.content as Record<string, unknown>)['body'])).toContain('The objection needs a review by our lawyer');
    expect((await world.ask(world.admin.userId, world.adminRoomId, `!extend ${id} again`)).body).toContain('already extended once');
    expect((await world.ask(world.admin.userId, world.adminRoomId, '!extend R-0000')).body).toContain('it needs the reason');

    const timeline = (await world.ask(world.admin.userId, world.adminRoomId, `!request ${id}`)).body;
    expect(timeline).toContain('`requester` opened it');
    expect(timeline).toContain(`\`${world.admin.userId}\` extended the deadline`);
  });

  it('refuses admin commands from someone who is not a listed admin, and outside the admin room, and logs it', async () => {
    world.hs.model.invite(world.adminRoomId, world.admin.userId, world.bob.userId);
    world.hs.model.join(world.adminRoomId, world.bob.userId);
    const refused = await world.ask(world.bob.userId, world.adminRoomId, '!requests');
    expect(refused.body).toContain('Your attempt was logged');
    expect(refused.body).not.toContain('R-');
    const adminDm = await world.openDirectChat(world.admin.userId);
    expect((await world.ask(world.admin.userId, adminDm, '!requests')).body).toContain('works only in the admin room');
    expect(world.log.lines.some((l) => l.startsWith('WARN refused !requests from someone who is not a listed admin') && l.includes(world.bob.userId))).toBe(
      true,
    );
    world.hs.model.leave(world.adminRoomId, world.bob.userId);
  });

  it('prints the same transparency report in chat and on the command line, with no identities', async () => {
    const year = new Date().getUTCFullYear();
    await world.bot.idle();
    const chat = (await world.ask(world.admin.userId, world.adminRoomId, `!report ${year}-01-01 ${year}-12-31`)).body;
    expect(chat).toMatch(/Access: 1 \(1 completed/);
    expect(chat).toMatch(/Correction: 1 \(1 completed/);
    expect(chat).not.toContain('@');
    const { code, stdout } = await cli('report', '--from', `${year}-01-01`, '--to', `${year}-12-31`);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(chat.trim());
    const json = JSON.parse((await cli('report', '--from', `${year}-01-01`, '--to', `${year}-12-31`, '--json')).stdout);
    expect(json.byKind.objection.open).toBe(2);
    expect(json.extended).toBe(1);
  });

  it('verifies the audit trail, and names the first broken entry after tampering, in chat and on the command line', async () => {
    expect((await world.ask(world.admin.userId, world.adminRoomId, '!audit verify')).body).toContain('The audit trail is intact');
    expect((await cli('audit', 'verify')).code).toBe(0);
    expect((await world.ask(world.admin.userId, world.adminRoomId, '!audit')).body).toContain('Usage: `!audit <verify>`');

    await world.bot.idle();
    const db = new Database(path.join(world.config.dataDir, DATABASE_FILE));
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET actor = '@mallory:example.org' WHERE seq = 3`).run();
    db.close();
    expect((await world.ask(world.admin.userId, world.adminRoomId, '!audit verify')).body).toContain('The audit trail is broken at entry 3');
    const { code, stdout } = await cli('audit', 'verify');
    expect(code).toBe(1);
    expect(stdout).toContain('broken at entry 3');
  });
});
