// The native engine (@matrix-org/matrix-sdk-crypto-nodejs, as in the Docker image)
// as matrix-bot-sdk loads it, with one change: the SDK opens the store without a
// passphrase (unencrypted) and in one folder for every device; here it is opened
// with DSAR_BOT_CRYPTO_PASSPHRASE, in a folder per device, files owner-only, and
// checked against the server's keys for the device before the SDK uses it.
import fs from 'node:fs';
import path from 'node:path';
import { checkBeforeUse, cryptoStoreOptions } from './store-options.ts';

type NativeOlmMachine = { initialize(...args: unknown[]): Promise<Parameters<typeof checkBeforeUse>[0]> };
type NativeUserId = { toString(): string };

export function nativeBindings(native: Record<string, unknown>): Record<string, unknown> {
  const machine = native['OlmMachine'] as NativeOlmMachine;
  const OlmMachine = {
    async initialize(userId: NativeUserId, deviceId: NativeUserId, storePath: string, _passphrase: string, storeType: number): Promise<unknown> {
      const options = cryptoStoreOptions(storePath);
      const folder = path.join(storePath, encodeURIComponent(deviceId.toString()));
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      const opened = await machine.initialize(userId, deviceId, folder, options.passphrase, storeType);
      for (const file of fs.readdirSync(folder)) fs.chmodSync(path.join(folder, file), 0o600);
      options.onOpen?.({ engine: 'native' });
      await checkBeforeUse(opened, userId.toString(), deviceId.toString(), options);
      return opened;
    },
  };
  return { ...native, OlmMachine };
}
