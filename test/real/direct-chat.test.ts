// The real bot process against a real Synapse: a person opens a direct chat, plain or end-to-end
// encrypted, and asks what the bot does and what the server holds about them. Each answer is
// checked against the server's own state, read through the admin API.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { E2eeUser } from '../support/e2ee-user.ts';
import type { RealClient, RoomEvent } from './support/client.ts';
import { type RealWorld, startRealWorld } from './support/real-world.ts';
import { adminAccountData, adminDevices, adminMedia, adminUser, roomEvents } from './support/server-state.ts';
import { describeWithSynapse } from './support/synapse.ts';

const enc = encodeURIComponent;
const COMMANDS = ['!help', '!whatdoyouhave', '!export', '!delete', '!status', '!cancel', '!contact'];

describeWithSynapse('a person in a direct chat with the bot, on a real Synapse', () => {
  let world: RealWorld;
  beforeAll(async () => {
    world = await startRealWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** A person with data of every kind the server keeps, set as a person's client (and the admin, for the email) would. */
  async function personWithData(localpart: string) {
    const person = await world.person(localpart);
    const me = enc(person.userId);
    await person.ok('PUT', `/_matrix/client/v3/profile/${me}/displayname`, { displayname: `${localpart} Pleasance Liddell` });
    await world.synapse.ok('PUT', `/_synapse/admin/v2/users/${me}`, {
      token: world.synapse.admin.accessToken,
      body: { threepids: [{ medium: 'email', address: `${localpart}.private@example.net` }] },
    });
    const upload = Buffer.from(`${localpart}'s shopping list: tea, milk, bread\n`);
    await person.upload(upload, 'text/plain', 'list.txt');
    await person.ok('PUT', `/_matrix/client/v3/user/${me}/account_data/im.example.settings`, { theme: 'dark' });
    const club = await world.admin.createRoom({ name: 'Book club', invite: [person.userId] });
    await person.join(club);
    await person.say(club, `${localpart}: chapter three was the best one`);
    await person.ok('PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(club)}/account_data/im.example.room-settings`, { muted: true });
    const old = await world.admin.createRoom({ name: 'Old project', invite: [person.userId] });
    await person.join(old);
    await person.say(old, `${localpart}: goodbye, I am leaving this project`);
    await person.leave(old);
    // From now on a person the bot serves: Synapse's default rate limits, as operators run them.
    await world.synapse.restoreRateLimits(person.userId);
    return { person, rooms: [club, old], upload };
  }

  /** What the inventory must say about the person, read from the server itself. */
  async function expectTheServersData(body: string, person: RealClient) {
    const account = await adminUser(world.synapse, person.userId);
    expect(body).toContain(`\`${person.userId}\``);
    expect(body).toContain(`Display name: ${account.displayname}`);
    for (const threepid of account.threepids) expect(body).toContain(threepid.address);
    const devices = await adminDevices(world.synapse, person.userId);
    expect(devices.length).toBeGreaterThan(0);
    for (const device of devices) expect(body).toContain(`\`${device.device_id}\``);
    const media = await adminMedia(world.synapse, person.userId);
    const bytes = media.reduce((sum, m) => sum + m.media_length, 0);
    expect(body).toContain(`${media.length} file(s) you uploaded, ${bytes} bytes in all`);
    const accountData = await adminAccountData(world.synapse, person.userId);
    for (const type of Object.keys(accountData.global)) expect(body).toContain(`\`${type}\``);
    expect(body).toContain('`im.example.settings`');
    const joined = (await world.synapse.ok('GET', `/_synapse/admin/v1/users/${enc(person.userId)}/joined_rooms`, { token: world.synapse.admin.accessToken }))
      .joined_rooms as string[];
    expect(body).toContain(`Joined: ${joined.length} room(s)`);
    for (const roomId of joined) expect(body).toContain(roomId);
    for (const heading of [
      '## Account',
      '## Profile',
      '## Email addresses',
      '## Devices and sessions',
      '## IP addresses',
      '## Room memberships',
      '## Messages',
      '## Uploaded files and media',
      '## App settings (account data)',
      '## Encryption keys',
      '## Your rights',
    ]) {
      expect(body).toContain(heading);
    }
    // Nobody else's data.
    expect(body).not.toContain(world.admin.userId);
  }

  /** The person's messages in the rooms they are or were in, counted on the server. */
  async function messagesOnServer(person: RealClient, rooms: readonly string[]): Promise<number> {
    let count = 0;
    for (const roomId of rooms) {
      count += (await roomEvents(world.synapse, roomId)).filter(
        (e) => e.sender === person.userId && (e.type === 'm.room.message' || e.type === 'm.room.encrypted'),
      ).length;
    }
    return count;
  }

  it('answers !help in a direct chat, threaded to the command, naming the commands and the privacy contact', async () => {
    const alice = await world.person('alice');
    const dm = await world.openDirectChat(alice);
    const reply = await alice.ask(dm, world.botUserId, '!help');
    expect(reply.type).toBe('m.room.message');
    expect(reply.content['msgtype']).toBe('m.notice');
    const body = String(reply.content['body']);
    for (const command of COMMANDS) expect(body).toContain(command);
    expect(body).toMatch(/privacy contact/i);
  });

  it('answers !whatdoyouhave with what the server really holds, then edits in the count of messages the server has', async () => {
    const { person: bea, rooms } = await personWithData('bea');
    const dm = await world.openDirectChat(bea);
    const reply = await bea.ask(dm, world.botUserId, '!whatdoyouhave');
    expect(reply.content['msgtype']).toBe('m.notice');
    await expectTheServersData(String(reply.content['body']), bea);
    expect(String(reply.content['formatted_body'])).toContain('<h4>Account</h4>');

    const edit = await bea.waitFor(
      dm,
      (e) => e.sender === world.botUserId && e.content['m.relates_to']?.rel_type === 'm.replace' && e.content['m.relates_to'].event_id === reply.event_id,
      'the count edited in',
    );
    const count = await messagesOnServer(bea, [...rooms, dm]);
    expect(String(edit.content['m.new_content']['body'])).toContain(`${count} message(s) you sent, in the 3 room(s) you are or were in`);
  });

  it('answers !help and !whatdoyouhave in an end-to-end encrypted direct chat: encrypted for the person, who decrypts both', async () => {
    const { person: cleo, rooms } = await personWithData('cleo');
    const element = await E2eeUser.logIn(world.synapse.url, { user: cleo.userId, password: cleo.password }, 'Element (real tier)');
    const dm = await world.openDirectChat(cleo, { encrypted: true });
    // Words only the bot can decrypt on the server's side: they must not reach its log (checked at close).
    const secret = 'the spare key is under the blue flowerpot by the door';
    world.mustNotLog(secret);
    await element.sendText(dm, secret);

    const help = await element.replyTo(await element.sendText(dm, '!help'), 60_000);
    expect(help).toMatchObject({ encrypted: true, sender: world.botUserId, type: 'm.room.message' });
    expect(help.content['msgtype']).toBe('m.notice');
    for (const command of COMMANDS) expect(help.content['body']).toContain(command);

    const inventory = await element.replyTo(await element.sendText(dm, '!whatdoyouhave'), 60_000);
    expect(inventory.encrypted).toBe(true);
    const body = String(inventory.content['body']);
    await expectTheServersData(body, cleo);
    // Both of her devices, and the public keys of the one that encrypts, as the server lists them to anyone.
    expect(body).toContain(`\`${element.deviceId}\``);
    const keys = await world.synapse.ok('POST', '/_matrix/client/v3/keys/query', {
      token: world.synapse.admin.accessToken,
      body: { device_keys: { [cleo.userId]: [] } },
    });
    expect(body).toContain(`Public identity keys for ${Object.keys(keys.device_keys[cleo.userId]).length} device(s)`);

    const edit = await element.waitFor(
      (e) => e.roomId === dm && e.content['m.relates_to']?.rel_type === 'm.replace' && e.content['m.relates_to'].event_id === inventory.eventId,
      'the count edited in',
      60_000,
    );
    expect(edit.encrypted).toBe(true);
    const count = await messagesOnServer(cleo, [...rooms, dm]);
    expect(String(edit.content['m.new_content']['body'])).toContain(`${count} message(s) you sent, in the 3 room(s) you are or were in`);

    // The server only ever held ciphertext from the bot in this room.
    const fromBot = (await roomEvents(world.synapse, dm)).filter((e: RoomEvent) => e.sender === world.botUserId && e.state_key === undefined);
    expect(fromBot.length).toBeGreaterThanOrEqual(3);
    expect(fromBot.every((e) => e.type === 'm.room.encrypted' || e.type === 'm.reaction' || e.type.startsWith('m.receipt'))).toBe(true);
    expect(JSON.stringify(fromBot)).not.toContain('cleo.private@example.net');
  });
});
