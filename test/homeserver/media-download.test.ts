// The unauthenticated media download, per flavour, and current Synapse's authenticated media
// as the real tier measured it on Synapse 1.160 (the same scenario runs there).
import { afterEach, describe, expect, it } from 'vitest';
import { type Flavour, startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { uploadsServedOnlyWithAuthentication } from '../support/homeserver-facts/media.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call } from './test-helpers.ts';

let hs: TestHomeserver | null = null;
afterEach(async () => {
  await hs?.close();
  hs = null;
});

describe('the unauthenticated media download', () => {
  it.each([
    ['synapse-1.67', 200, null],
    ['synapse', 404, { errcode: 'M_NOT_FOUND', error: 'Not found' }],
    ['tuwunel', 403, { errcode: 'M_FORBIDDEN', error: 'Unauthenticated media is disabled.' }],
  ] as Array<[Flavour, number, unknown]>)('%s answers %i for an upload made there', async (flavour, status, body) => {
    hs = await startTestHomeserver({ flavour });
    const alice = hs.model.addUser({ localpart: 'alice' });
    const mxc = hs.model.uploadMedia(alice.userId, { contentType: 'text/plain', bytes: Buffer.from('hello'), filename: 'a.txt' });
    const answer = await call(hs.url, 'GET', `/_matrix/media/v3/download/${mxc.slice('mxc://'.length)}`);
    expect(answer.status).toBe(status);
    if (body !== null) expect(answer.body).toEqual(body);
  });

  it('synapse: serves uploads only through authenticated media (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    await uploadsServedOnlyWithAuthentication(await factServerFor(hs));
  });
});
