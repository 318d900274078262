// Whether the homeserver already holds end-to-end encryption keys for the bot's device
// that its data folder does not: a new volume, an older backup restored, or another bot
// with the same login. The engine would then upload a fresh identity for a device that
// has one, which Synapse refuses ("One time key ... already exists") and which would
// break the device for the people who talk to it. Asked once the store is open and
// before the engine sends anything, so that the bot refuses with a plain message instead.
import { z } from 'zod';
import type { BotConfig, Secrets } from '../config/load.ts';
import type { StoreIdentity } from '../crypto/store-options.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import { endpoint } from '../homeserver/http.ts';
import { StartupError } from '../startup-error.ts';
import { clientFor } from './preflight.ts';

/** The answer to keys/query, as far as the check reads it. */
export const KeysQueryAnswer = z
  .object({
    device_keys: z.record(z.string(), z.record(z.string(), z.object({ keys: z.record(z.string(), z.string()).default({}) }).loose())).default({}),
  })
  .loose();
type KeysQueryAnswer = z.output<typeof KeysQueryAnswer>;

export type ServerKeys = 'none' | 'same' | 'different';

/** What the server holds for the store's device, compared with the store's own identity keys. Pure. */
export function serverKeysOf(answer: KeysQueryAnswer, store: StoreIdentity): ServerKeys {
  const held = answer.device_keys[store.userId]?.[store.deviceId]?.keys ?? {};
  if (Object.keys(held).length === 0) return 'none';
  const ours = { [`curve25519:${store.deviceId}`]: store.curve25519, [`ed25519:${store.deviceId}`]: store.ed25519 };
  const same = Object.keys(held).length === Object.keys(ours).length && Object.entries(ours).every(([id, key]) => held[id] === key);
  return same ? 'same' : 'different';
}

export class DeviceKeysElsewhereError extends StartupError {
  constructor(deviceId: string) {
    super(
      `this bot's device (${deviceId}) already has end-to-end encryption keys on the homeserver that this data folder does not hold. ` +
        'That happens with a new volume (an empty data folder), a restored older backup, or another bot with the same login. ' +
        'The bot cannot recover those keys, and replacing them would break the device for everyone who writes to it, so it uploads nothing. ' +
        'Either log in again to get a new device and set DSAR_BOT_ACCESS_TOKEN to its token (README: "Running for real"), ' +
        'or restore the data folder that belongs to this device (with the DSAR_BOT_CRYPTO_PASSPHRASE it was made with).',
    );
  }
}

/** Asks the server for the keys of the bot's device; refuses (DeviceKeysElsewhereError) when they are not the store's. */
export async function refuseForeignDeviceKeys(config: BotConfig, secrets: Secrets, store: StoreIdentity): Promise<void> {
  const answer = await clientFor(config, secrets.botToken)
    .request('POST', endpoint('/_matrix/client/v3/keys/query'), {
      schema: KeysQueryAnswer,
      body: { device_keys: { [store.userId]: [store.deviceId] } },
      retry: true, // a query changes nothing
    })
    .catch((error: unknown) => {
      if (error instanceof HomeserverError) throw new StartupError(`could not ask the homeserver for the keys of the bot's device: ${error.userMessage}`);
      throw error;
    });
  if (serverKeysOf(answer, store) === 'different') throw new DeviceKeysElsewhereError(store.deviceId);
}
