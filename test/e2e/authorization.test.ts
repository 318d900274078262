// Who may run what, and where: every command, for every kind of sender and room, through
// the real bot. The expected table is written out here, by hand; the bot must match it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry.ts';
import { startWorld, type World } from '../support/world.ts';

/** Where a command is sent from, and by whom. */
const CONTEXTS = [
  'user in own DM', // a local user in their direct chat with the bot
  'user in group', // a local user in a room with others
  'remote user', // a user of another server, in a group room
  'admin in admin room',
  'admin in own DM', // an admin anywhere but the admin room
  'listed admin, not joined', // in admins, but not a member of the admin room (in their DM)
  'lookalike in admin room', // joined to the admin room, display name "Admin", not listed
  'member of contact room', // a local member of the privacy contact room
  'was a DM', // a direct chat that a third person joined
  'the bot itself',
] as const;
type Context = (typeof CONTEXTS)[number];

/** run: carried out; refused: refused and logged; dm: pointed to a direct chat; remote: told their data lives elsewhere; silent: no answer. */
type Outcome = 'run' | 'refused' | 'dm' | 'remote' | 'silent';

// Columns in the order of CONTEXTS.
const TABLE: Record<string, string> = {
  //             ownDM   group   remote  adminRm adminDM notJoin lookalk contact wasDM  bot
  help: 'run     run     run     run     run     run     run     run     run    silent',
  whatdoyouhave: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  export: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  delete: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  status: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  cancel: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  contact: 'run     run     run     run     run     run     run     run     run    silent',
  correct: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  object: 'run     dm      remote  dm      run     run     dm      dm      dm     silent',
  requests: 'refused refused refused run     refused refused refused refused refused silent',
  request: 'refused refused refused run     refused refused refused refused refused silent',
  extend: 'refused refused refused run     refused refused refused refused refused silent',
  report: 'refused refused refused run     refused refused refused refused refused silent',
  audit: 'refused refused refused run     refused refused refused refused refused silent',
  approve: 'refused refused refused run     refused refused refused refused refused silent',
  deny: 'refused refused refused run     refused refused refused refused refused silent',
  erase: 'refused refused refused run     refused refused refused refused refused silent',
  plan: 'refused refused refused run     refused refused refused refused refused silent',
  reply: 'refused refused refused refused refused refused refused run     refused silent',
  close: 'refused refused refused refused refused refused refused run     refused silent',
};

/** How each command is sent: with valid arguments, so that only who and where decide. */
const INVOCATION: Record<string, string> = {
  help: '!help',
  whatdoyouhave: '!whatdoyouhave',
  export: '!export',
  delete: '!delete',
  status: '!status',
  cancel: '!cancel R-0000',
  contact: '!contact',
  correct: '!correct my display name is wrong',
  object: '!object I object to push notifications',
  requests: '!requests',
  request: '!request R-0000',
  extend: '!extend R-0000 needs a review',
  report: '!report',
  audit: '!audit verify',
  approve: '!approve R-0000',
  deny: '!deny R-0000 legal hold',
  erase: '!erase @nobody:example.org',
  plan: '!plan R-0000',
  reply: '!reply R-0000 hello',
  close: '!close R-0000',
};

const expected = (command: string, context: Context): Outcome => TABLE[command]!.trim().split(/\s+/)[CONTEXTS.indexOf(context)] as Outcome;

function outcomeOf(body: string): Outcome {
  if (/works only in|Your attempt was logged/.test(body)) return 'refused';
  if (/only answer it in a direct chat|only from a direct chat/.test(body)) return 'dm';
  if (/lives on remote\.example/.test(body)) return 'remote';
  return 'run';
}

let world: World;
const rooms = {} as Record<Context, { sender: string; roomId: string }>;

beforeAll(async () => {
  world = await startWorld({
    configure: (raw) => (raw.admins = ['@admin:example.org', '@carol:example.org']),
    seed: (hs) => {
      hs.model.addUser({ localpart: 'carol' }); // listed as an admin, never joins the admin room
      hs.model.addUser({ localpart: 'mallory', displayName: 'Admin' }); // looks like one
      hs.model.addUser({ localpart: 'erin' });
      hs.model.addRemoteUser('@dave:remote.example');
    },
  });
  const w = world;
  const m = w.hs.model;
  const group = m.createRoom(w.alice.userId, { name: 'Group', invite: [w.privacybot.userId, w.bob.userId, '@dave:remote.example'] });
  m.join(group, w.bob.userId);
  m.join(group, '@dave:remote.example');
  await w.botJoined(group);
  m.invite(w.adminRoomId, w.admin.userId, '@mallory:example.org');
  m.join(w.adminRoomId, '@mallory:example.org');
  m.invite(w.contactRoomId, w.admin.userId, w.bob.userId);
  m.join(w.contactRoomId, w.bob.userId);
  const wasDm = await w.openDirectChat('@erin:example.org');
  m.invite(wasDm, '@erin:example.org', w.alice.userId);
  m.join(wasDm, w.alice.userId);
  Object.assign(rooms, {
    'user in own DM': { sender: w.alice.userId, roomId: await w.openDirectChat(w.alice.userId) },
    'user in group': { sender: w.alice.userId, roomId: group },
    'remote user': { sender: '@dave:remote.example', roomId: group },
    'admin in admin room': { sender: w.admin.userId, roomId: w.adminRoomId },
    'admin in own DM': { sender: w.admin.userId, roomId: await w.openDirectChat(w.admin.userId) },
    'listed admin, not joined': { sender: '@carol:example.org', roomId: await w.openDirectChat('@carol:example.org') },
    'lookalike in admin room': { sender: '@mallory:example.org', roomId: w.adminRoomId },
    'member of contact room': { sender: w.bob.userId, roomId: w.contactRoomId },
    'was a DM': { sender: '@erin:example.org', roomId: wasDm },
    'the bot itself': { sender: w.privacybot.userId, roomId: group },
  } satisfies Record<Context, { sender: string; roomId: string }>);
});
afterAll(() => world?.close());

describe('the authorization table', () => {
  it('covers every command the bot has', () => {
    expect(Object.keys(TABLE).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  for (const context of CONTEXTS.filter((c) => c !== 'the bot itself')) {
    it(`holds for: ${context}`, async () => {
      const { sender, roomId } = rooms[context];
      const seen: string[] = [];
      for (const command of Object.keys(TABLE)) {
        const reply = await world.ask(sender, roomId, INVOCATION[command]!);
        seen.push(`${command}: ${outcomeOf(reply.body)}`);
      }
      expect(seen).toEqual(Object.keys(TABLE).map((command) => `${command}: ${expected(command, context)}`));
    });
  }

  it('holds for: the bot itself (nothing it sends is a command)', async () => {
    const { sender, roomId } = rooms['the bot itself'];
    const sent = Object.keys(TABLE).map((command) => world.say(sender, roomId, INVOCATION[command]!));
    // A command from someone else, answered after all of the bot's own messages were seen.
    await world.ask(world.alice.userId, rooms['user in own DM'].roomId, '!help');
    await world.bot.idle();
    const answered = world.hs.model.events(roomId).filter((ev) => sent.includes((ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id));
    expect(answered).toHaveLength(0);
    expect(Object.keys(TABLE).every((command) => expected(command, 'the bot itself') === 'silent')).toBe(true);
  });

  it('logs every refusal with who tried', () => {
    const refusals = world.log.lines.filter((l) => l.startsWith('WARN refused'));
    expect(refusals.some((l) => l.includes('@mallory:example.org') && l.includes('not a listed admin'))).toBe(true);
    expect(refusals.some((l) => l.includes('@carol:example.org') && l.includes('outside the admin room'))).toBe(true);
  });
});
