// Fact 8 of issue 15, item 5: fetch_event, the stored event. The Synapse scenario is the one the
// real tier runs against a real Synapse 1.160; Tuwunel's stored PDU is rewritten by a redaction.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { fetchEventOnSynapse } from '../support/homeserver-facts/fetch-event.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('GET /_synapse/admin/v1/fetch_event/{event_id}', () => {
  it('synapse: fact 8, the stored event whole, redacted or erased; 404 once purged (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await fetchEventOnSynapse(await factServerFor(hs));
  });

  it('synapse before 1.140 and 1.67: no such endpoint', async () => {
    for (const [flavour, version, status] of [
      ['synapse', '1.139.0', 404],
      ['synapse-1.67', undefined, 400],
    ] as const) {
      hs = await startTestHomeserver({ flavour, ...(version ? { version } : {}) });
      const admin = hs.model.addUser({ localpart: 'admin', admin: true });
      expect((await call(hs.url, 'GET', `/_synapse/admin/v1/fetch_event/${enc('$x')}`, { token: admin.accessToken })).status, flavour).toBe(status);
      await hs.close();
    }
  });

  it("tuwunel: fact 8, the stored PDU: a redacted one pruned, with the redaction in unsigned; an erased sender's whole", async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const m = hs.model;
    const admin = m.addUser({ localpart: 'admin', admin: true });
    const alice = m.addUser({ localpart: 'alice' });
    const room = m.createRoom(alice.userId);
    const kept = m.sendMessage(room, alice.userId, 'kept');
    const gone = m.sendMessage(room, alice.userId, 'gone');
    const redaction = m.redact(room, alice.userId, gone, 'erasure');
    const fetch = async (id: string) => (await call(hs.url, 'GET', `/_synapse/admin/v1/fetch_event/${enc(id)}`, { token: admin.accessToken })).body.event;
    const redacted = await fetch(gone);
    expect(redacted.content).toEqual({});
    expect(redacted.unsigned.redacted_because).toMatchObject({ event_id: redaction, type: 'm.room.redaction', redacts: gone, sender: alice.userId });
    m.markErased(alice.userId);
    expect((await fetch(kept)).content).toEqual({ msgtype: 'm.text', body: 'kept' });
  });
});
