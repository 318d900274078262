// matrix-bot-sdk's crypto storage provider for the bot: the engine's store is
// registered for its folder (dataDir/crypto, owner-only) with the passphrase, and
// what the SDK itself keeps (each room's encryption settings) goes to the bot's
// SQLite file instead of the SDK's JSON file.
import fs from 'node:fs';
import path from 'node:path';
import type { ICryptoRoomInformation, RustSdkCryptoStorageProvider } from 'matrix-bot-sdk';
import { z } from 'zod';
import type { MatrixBotSdk } from '../matrix/crypto-seam.ts';
import type { SqliteSdkStorage } from '../store/sdk-storage.ts';
import { type CryptoStoreOptions, registerCryptoStore } from './store-options.ts';

const CRYPTO_FOLDER = 'crypto';

const RoomInformation = z.object({ algorithm: z.string().optional() }).loose();

const roomKey = (roomId: string) => `crypto_room:${roomId}`;

export function cryptoStorageProvider(
  sdk: MatrixBotSdk,
  dataDir: string,
  sdkStorage: SqliteSdkStorage,
  options: CryptoStoreOptions,
): RustSdkCryptoStorageProvider {
  const folder = path.join(dataDir, CRYPTO_FOLDER);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.chmodSync(folder, 0o700);
  registerCryptoStore(folder, options);

  class SqliteCryptoStorageProvider extends sdk.RustSdkCryptoStorageProvider {
    /** None stored: the SDK then asks the homeserver, so the device is always the access token's. */
    override async getDeviceId(): Promise<string> {
      return null as unknown as string;
    }

    override async setDeviceId(): Promise<void> {}

    override async getRoom(roomId: string): Promise<ICryptoRoomInformation> {
      const raw = sdkStorage.readValue(roomKey(roomId));
      return (raw === null ? undefined : RoomInformation.parse(JSON.parse(raw))) as ICryptoRoomInformation;
    }

    override async storeRoom(roomId: string, config: ICryptoRoomInformation): Promise<void> {
      sdkStorage.storeValue(roomKey(roomId), JSON.stringify(config));
    }
  }

  const provider = new SqliteCryptoStorageProvider(folder, 0 /* StoreType.Sqlite, for the native engine */);
  // The SDK's own JSON file stays empty (everything goes to SQLite), but owner-only like the rest.
  for (const file of fs.readdirSync(folder, { withFileTypes: true })) if (file.isFile()) fs.chmodSync(path.join(folder, file.name), 0o600);
  return provider;
}
