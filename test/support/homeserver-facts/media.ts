// Authenticated media: Synapse from 1.120 (enable_authenticated_media, on by default) marks
// every new upload as authenticated and serves it only under /_matrix/client/v1/media, to a
// request with an access token. The old unauthenticated download answers 404 as if the file
// did not exist. Measured on Synapse 1.160.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { uniqueName } from './server.ts';

export async function uploadsServedOnlyWithAuthentication(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('uploader'), { defaultRateLimits: true });
  const bytes = Buffer.from('notes: buy tea, return the library books\n');
  const upload = await fetch(`${server.url}/_matrix/media/v3/upload?filename=notes.txt`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${person.accessToken}`, 'Content-Type': 'text/plain' },
    body: bytes,
  });
  expect(upload.status).toBe(200);
  const { content_uri: uri } = (await upload.json()) as { content_uri: string };
  expect(uri).toMatch(new RegExp(`^mxc://${server.serverName}/[A-Za-z0-9]+$`));
  const serverAndId = uri.slice('mxc://'.length);

  // With a token, under /_matrix/client/v1/media: the bytes, a charset added to text, the name inline.
  const download = await fetch(`${server.url}/_matrix/client/v1/media/download/${serverAndId}`, { headers: { Authorization: `Bearer ${person.accessToken}` } });
  expect(download.status).toBe(200);
  expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  expect(download.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
  expect(download.headers.get('content-disposition')).toBe('inline; filename=notes.txt');
  expect(download.headers.get('content-length')).toBe(String(bytes.length));

  // Without a token there, and anyhow on the old path: refused.
  expect(await server.call('GET', `/_matrix/client/v1/media/download/${serverAndId}`)).toMatchObject({ status: 401, json: { errcode: 'M_MISSING_TOKEN' } });
  expect(await server.call('GET', `/_matrix/media/v3/download/${serverAndId}`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'Not found' },
  });
  expect(await person.call('GET', `/_matrix/media/v3/download/${serverAndId}`)).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND' } });

  // The upload limit, where clients ask for it now: Synapse's default 50 MiB.
  expect(await person.ok('GET', '/_matrix/client/v1/media/config')).toEqual({ 'm.upload.size': 52428800 });
}
