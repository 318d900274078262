// The real bot process against a real Synapse: a person opens a direct chat and asks for help.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithSynapse } from './support/synapse.ts';
import { startRealWorld, type RealWorld } from './support/real-world.ts';

describeWithSynapse('a person asks the bot for help, on a real Synapse', () => {
  let world: RealWorld;
  beforeAll(async () => {
    world = await startRealWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('answers !help in a direct chat, threaded to the command, naming the commands and the privacy contact', async () => {
    const alice = await world.person('alice');
    const dm = await world.openDirectChat(alice);
    const reply = await alice.ask(dm, world.botUserId, '!help');
    expect(reply.type).toBe('m.room.message');
    expect(reply.content['msgtype']).toBe('m.notice');
    const body = String(reply.content['body']);
    for (const command of ['!whatdoyouhave', '!export', '!delete', '!status', '!cancel', '!contact']) expect(body).toContain(command);
    expect(body).toMatch(/privacy contact/i);
  });
});
