// Delivery primitives over real HTTP against the test homeserver: each part uploaded (streamed,
// with its Content-Length) and sent as an m.file into the direct chat; at expiry every upload
// deleted through the admin API and the local package removed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverPart, expireExport, type MessageSender, packageParts, plainUploader } from '../../src/export/lifecycle/delivery.ts';
import { exportUserData } from '../../src/export/package/export.ts';
import { packageDir } from '../../src/export/package/package.ts';
import type { Flavour } from '../../src/test-homeserver/index.ts';
import { call, enc } from '../homeserver/test-helpers.ts';
import { download as downloadAs } from './delivered.ts';
import { ALICE, BOT, type ExportWorld, seedAlice, startExportWorld } from './seed.ts';

let world: ExportWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const botToken = (w: ExportWorld) => [...w.hs.model.tokens.values()].find((t) => t.userId === BOT)!.token;

/** The bot's chat client, as far as delivery needs it: PUT /send over HTTP. */
function sender(w: ExportWorld): MessageSender {
  let txn = 0;
  return async (roomId, content) => {
    const answer = await call(w.hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/export-${++txn}`, {
      token: botToken(w),
      body: content,
    });
    if (answer.status !== 200) throw new Error(`send failed: ${answer.status}`);
    return answer.body.event_id as string;
  };
}

/** As a client downloads it (authenticated media where the flavour has it), with the bot's token. */
const download = (w: ExportWorld, mxc: string) => downloadAs(w.hs, mxc, botToken(w));

describe.each(['synapse-1.67', 'synapse', 'tuwunel'] satisfies Flavour[])('delivering an export on %s', (flavour) => {
  it('uploads each part, sends it as an m.file in the direct chat, and deletes it all at expiry', async () => {
    let dm = '';
    world = await startExportWorld(
      flavour,
      (hs) => {
        seedAlice(hs);
        for (let i = 0; i < 3; i++) hs.model.uploadGeneratedMedia(ALICE, { contentType: 'image/webp', length: 30 * 1024, filename: `photo${i}.webp` });
        dm = hs.model.createRoom(ALICE, { isDirect: true, invite: [BOT], preset: 'trusted_private_chat' });
        hs.model.join(dm, BOT);
      },
      { uploadLimit: 48 * 1024 },
    );
    const w = world;
    const outputDir = path.join(w.dir, 'exports');
    // The part size comes from the server's own upload limit.
    expect(await w.homeserver.getUploadLimit()).toBe(48 * 1024);
    const pkg = await exportUserData({ homeserver: w.homeserver, userId: ALICE, config: w.config, outputDir, name: 'R-DELIVER' });
    expect(pkg.parts.length).toBeGreaterThan(1);

    const expiresAt = Date.UTC(2030, 0, 8);
    const delivered = [];
    const send = sender(w);
    for (const part of packageParts(outputDir, pkg)) {
      delivered.push(await deliverPart(part, { roomId: dm, upload: plainUploader(w.homeserver), send, expiresAt }));
    }
    const uploads = w.hs.requests.filter((r) => r.method === 'POST' && r.path === '/_matrix/media/v3/upload');
    expect(uploads.map((r) => r.status)).toEqual(pkg.parts.map(() => 200));

    for (const [i, part] of pkg.parts.entries()) {
      const event = w.hs.model.findEvent(dm, delivered[i]!.eventId)!;
      expect(event.sender).toBe(BOT);
      expect(event.content).toMatchObject({
        msgtype: 'm.file',
        filename: part.fileName,
        url: delivered[i]!.uri,
        info: { mimetype: 'application/zip', size: part.size },
      });
      expect(event.content['body']).toContain(part.sha256);
      expect(event.content['body']).toContain('2030-01-08');
      const got = await download(w, delivered[i]!.uri);
      expect(got.status).toBe(200);
      expect(createHash('sha256').update(got.bytes).digest('hex')).toBe(part.sha256);
      expect(got.bytes).toEqual(readFileSync(path.join(packageDir(outputDir, pkg.name), part.fileName)));
    }

    const results = await expireExport(
      w.homeserver,
      delivered.map((d) => d.uri),
      outputDir,
      pkg.name,
    );
    expect(results.map((r) => r.result)).toEqual(delivered.map(() => 'deleted'));
    for (const d of delivered) expect((await download(w, d.uri)).status).toBe(404);
    expect(existsSync(packageDir(outputDir, pkg.name))).toBe(false);
    // A second expiry (a restart in the middle of the first) finds them gone, and says so.
    expect(
      (
        await expireExport(
          w.homeserver,
          delivered.map((d) => d.uri),
          outputDir,
          pkg.name,
        )
      ).map((r) => r.result),
    ).toEqual(delivered.map(() => 'gone'));
  });
});
