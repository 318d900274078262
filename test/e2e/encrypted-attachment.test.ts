// Files sent into encrypted rooms (the export will arrive this way): encrypted on
// the bot's side, uploaded as ciphertext, announced in an encrypted m.file event;
// the person's client downloads, decrypts and checks the file. Never an
// unencrypted upload into an encrypted room.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MatrixClient } from 'matrix-bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { cryptoStorageProvider } from '../../src/crypto/crypto-store.ts';
import { useContentAddressedToDeviceTxnIds } from '../../src/crypto/to-device.ts';
import { CannotEncryptAttachmentError, sendAttachment } from '../../src/matrix/attachment.ts';
import { loadMatrixBotSdk } from '../../src/matrix/crypto-seam.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';
import { SqliteSdkStorage } from '../../src/store/sdk-storage.ts';
import { E2eeUser, type EncryptedFile } from '../support/e2ee-user.ts';
import { startWorld, TEST_CRYPTO_PASSPHRASE, type World } from '../support/world.ts';

let world: World;
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await world?.close();
});

/** A second device of the bot account, running the same client set-up as the bot (real engine, real store). */
async function botDevice(w: World, encrypted: boolean): Promise<MatrixClient> {
  const { sdk } = loadMatrixBotSdk();
  const { accessToken } = w.hs.model.login(w.privacybot.userId, 'export sender');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-attachment-'));
  const db: Db = openDatabase(dataDir);
  const store = encrypted ? cryptoStorageProvider(sdk, dataDir, new SqliteSdkStorage(db), { db, passphrase: TEST_CRYPTO_PASSPHRASE }) : undefined;
  const client = new sdk.MatrixClient(w.hs.url, accessToken, new SqliteSdkStorage(db), store);
  if (encrypted) useContentAddressedToDeviceTxnIds(client);
  await client.start();
  cleanups.push(() => {
    client.stop();
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return client;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('sending a file', () => {
  it('into an encrypted room: only ciphertext reaches the server, and the person decrypts the file intact', async () => {
    world = await startWorld({ configure: (raw) => (raw.bot.encryption = 'auto') });
    const alice = await E2eeUser.login(world.hs, world.alice.userId);
    const room = await world.openDirectChat(alice.userId, { encrypted: true });
    const sender = await botDevice(world, true);

    const zip = randomBytes(200_000);
    const eventId = await sendAttachment(sender, room, { bytes: zip, filename: 'export.zip', mimetype: 'application/zip' });

    const seen = await alice.waitFor((e) => e.eventId === eventId, 'the file event');
    expect(seen.encrypted).toBe(true);
    expect(seen.content).toMatchObject({ msgtype: 'm.file', body: 'export.zip', info: { mimetype: 'application/zip', size: zip.length } });
    expect(seen.content['url']).toBeUndefined();
    const file = seen.content['file'] as EncryptedFile;
    const downloaded = await alice.downloadAttachment(file);
    expect(sha256(downloaded)).toBe(sha256(zip));

    // The server holds ciphertext only, and the event that names the file is encrypted too.
    const stored = world.hs.model.media.get(file.url.split('/').pop()!)!;
    expect(stored.bytes.length).toBe(zip.length);
    expect(stored.bytes.equals(zip)).toBe(false);
    expect(stored.bytes.includes(zip.subarray(0, 64))).toBe(false);
    expect(world.hs.model.findEvent(room, eventId)?.type).toBe('m.room.encrypted');
  });

  it('into an encrypted room without an engine: refused before anything is uploaded', async () => {
    world = await startWorld();
    const room = await world.openDirectChat(world.alice.userId, { encrypted: true });
    const plain = await botDevice(world, false);
    const mediaBefore = world.hs.model.media.size;
    await expect(sendAttachment(plain, room, { bytes: Buffer.from('personal data'), filename: 'export.zip', mimetype: 'application/zip' })).rejects.toThrow(
      CannotEncryptAttachmentError,
    );
    expect(world.hs.model.media.size).toBe(mediaBefore);
  });
});
