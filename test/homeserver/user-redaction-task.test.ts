// Fact 5 of issue 15, item 5: the server's user-redaction task. Synapse redacts every event again
// on a second task and succeeds in rooms the person left, even where nobody local is left;
// Tuwunel skips what is already redacted and redacts under the room's current rules. The
// Synapse scenario is the one the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { redactionCounts, runRedactionTask, userRedactionTaskOnSynapse } from '../support/homeserver-facts/user-redaction-task.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('the user-redaction task', () => {
  it('synapse: fact 5, messages, encrypted events and joins only, in rooms left and rooms nobody local is in; a second task redacts every event again (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await userRedactionTaskOnSynapse(await factServerFor(hs));
  });

  it('synapse: two tasks make two redaction events per message', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    const server = await factServerFor(hs);
    const person = await server.register('person');
    const room = await person.createRoom({ name: 'room' });
    const messages = [await person.say(room, 'one'), await person.say(room, 'two')];
    await runRedactionTask(server, person.userId, { rooms: [room] });
    await runRedactionTask(server, person.userId, { rooms: [room] });
    const counts = await redactionCounts(server, room);
    for (const message of messages) expect(counts.get(message)).toBe(2);
  });

  it('tuwunel: fact 5, a second task skips what is already redacted; a room the person left refuses them', async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const server = await factServerFor(hs);
    const person = await server.register('person');
    const friend = await server.register('friend');
    const room = await person.roomWith([friend], 'room');
    const message = await person.say(room, 'one');
    const left = await friend.roomWith([person], 'left');
    const leftMessage = await person.say(left, 'left');
    await person.leave(left);
    expect((await runRedactionTask(server, person.userId, { rooms: [room] })).status).toEqual({ status: 'complete', failed_redactions: {} });
    expect((await runRedactionTask(server, person.userId, { rooms: [room] })).status).toEqual({ status: 'complete', failed_redactions: {} });
    expect((await redactionCounts(server, room)).get(message)).toBe(1);
    const inLeft = await runRedactionTask(server, person.userId, { rooms: [left] });
    expect(inLeft.status.failed_redactions[leftMessage]).toMatch(/not joined/);
    expect((await redactionCounts(server, left)).size).toBe(0);
  });
});
