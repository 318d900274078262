// Encrypted messages the bot cannot read: sent before its device existed, or by a client
// that never shared the key with it. The log says so once per room, at INFO, with how many
// and why (room IDs only: no content, no room names), never an ERROR line per event.
import { afterEach, describe, expect, it } from 'vitest';
import { E2eeUser } from '../support/e2ee-user.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

let world: World;
afterEach(() => world?.close());

const linesAbout = (w: World, roomId: string) => w.log.lines.filter((line) => line.includes(roomId) && line.includes('cannot read'));

describe('encrypted messages the bot cannot read', () => {
  it('are told once per room at INFO, counted with the reason, and never logged as an error per event', async () => {
    world = await startWorld({ startBot: false, configure: (raw) => (raw.bot.encryption = 'auto') });
    const { hs, privacybot } = world;
    const alice = await E2eeUser.login(hs, world.alice.userId);
    // Two encrypted rooms the bot is already in, before its device has any keys: Alice's client shares nothing with it.
    const bookClub = hs.model.createRoom(alice.userId, { name: 'Book club', encrypted: true, invite: [privacybot.userId] });
    const garden = hs.model.createRoom(alice.userId, { name: 'Garden', encrypted: true, invite: [privacybot.userId] });
    hs.model.join(bookClub, privacybot.userId);
    hs.model.join(garden, privacybot.userId);
    for (const text of ['the first chapter is slow', 'but then it picks up', 'no spoilers please']) await alice.sendText(bookClub, text);
    for (const text of ['tomatoes are ripe', 'the roses need water']) await alice.sendText(garden, text);

    await world.restart(); // the first start
    await waitUntil(() => linesAbout(world, bookClub).length > 0 && linesAbout(world, garden).length > 0, 'the lines about both rooms', 15_000);
    await world.bot.idle();
    expect(linesAbout(world, bookClub)).toEqual([
      `INFO encrypted room ${bookClub}: the bot cannot read 3 message(s): 3 sent before its first start (its device could not be given their keys)`,
    ]);
    expect(linesAbout(world, garden)).toEqual([
      `INFO encrypted room ${garden}: the bot cannot read 2 message(s): 2 sent before its first start (its device could not be given their keys)`,
    ]);

    // Later, a message whose key no client shared with the bot's device: Alice's client encrypts it
    // in a room of her own, and it arrives in the book club.
    const elsewhere = hs.model.createRoom(alice.userId, { encrypted: true });
    await alice.sendText(elsewhere, 'a message whose key the bot never gets');
    const ciphertext = hs.model.events(elsewhere).find((ev) => ev.type === 'm.room.encrypted')!;
    hs.model.sendEvent(bookClub, alice.userId, 'm.room.encrypted', ciphertext.content as Record<string, any>);
    await waitUntil(() => linesAbout(world, bookClub).length === 2, 'a second line about the book club', 15_000);
    expect(linesAbout(world, bookClub)[1]).toBe(
      `INFO encrypted room ${bookClub}: the bot cannot read 1 message(s): 1 without a key shared with its device (the sender's client did not send it one)`,
    );

    expect(world.log.lines.filter((line) => /Decryption error|^ERROR/.test(line))).toEqual([]);
    const log = world.log.lines.join('\n');
    expect(log).not.toMatch(/Book club|Garden/);
    for (const room of [bookClub, garden])
      for (const event of hs.model.events(room)) if (event.type === 'm.room.encrypted') expect(log).not.toContain(event.event_id);
  });
});
