// What the crypto engine needs to open the bot's store, found by the store path
// that matrix-bot-sdk hands to OlmMachine.initialize (the SDK itself passes no
// passphrase). Registered by crypto-store.ts before the SDK starts.
import path from 'node:path';
import { StartupError } from '../startup-error.ts';
import type { Db } from '../store/database.ts';
import type { MirrorStats } from './indexeddb-mirror.ts';

/** The store's identity: the device and its public identity keys (base64, unpadded). */
export type StoreIdentity = { userId: string; deviceId: string; curve25519: string; ed25519: string };

export type OpenedStore = { engine: 'native' } | { engine: 'wasm'; stored: MirrorStats };

export type CryptoStoreOptions = {
  /** The bot's database: the WebAssembly engine's store lives in its crypto_idb_* tables. */
  db: Db;
  /** DSAR_BOT_CRYPTO_PASSPHRASE. */
  passphrase: string;
  /** Told once the engine has opened the store (for the start-up log). */
  onOpen?: (opened: OpenedStore) => void;
  /**
   * Runs once the store is open and before the engine sends anything (no key upload yet), with
   * the store's identity; a rejection (a StartupError) stops the start and closes the engine.
   */
  beforeUse?: (identity: StoreIdentity) => Promise<void>;
};

/** What a just-opened engine shows of its identity: enough to compare with the server's keys. */
type EngineIdentity = { identityKeys: { curve25519: { toBase64(): string }; ed25519: { toBase64(): string } }; close(): void };

/** The store's identity as `beforeUse` gets it. */
const identityOf = (machine: EngineIdentity, userId: string, deviceId: string): StoreIdentity => ({
  userId,
  deviceId,
  curve25519: machine.identityKeys.curve25519.toBase64(),
  ed25519: machine.identityKeys.ed25519.toBase64(),
});

/** Runs `beforeUse` on a just-opened engine; closes the engine when it refuses. */
export async function checkBeforeUse(machine: EngineIdentity, userId: string, deviceId: string, options: CryptoStoreOptions): Promise<void> {
  try {
    await options.beforeUse?.(identityOf(machine, userId, deviceId));
  } catch (error) {
    machine.close();
    throw error;
  }
}

const registered = new Map<string, CryptoStoreOptions>();

export function registerCryptoStore(storePath: string, options: CryptoStoreOptions): void {
  registered.set(path.resolve(storePath), options);
}

export function cryptoStoreOptions(storePath: string): CryptoStoreOptions {
  const options = registered.get(path.resolve(storePath));
  if (options === undefined) throw new Error(`no crypto store is registered for ${storePath}`);
  return options;
}

export class CryptoStoreLockedError extends StartupError {
  constructor() {
    super(
      'the end-to-end encryption store in the data folder cannot be opened with DSAR_BOT_CRYPTO_PASSPHRASE. ' +
        'Set the passphrase it was created with. If it is lost, the bot needs a new device: log in again for a new ' +
        'DSAR_BOT_ACCESS_TOKEN (a new device starts a new store); users will see messages from a new session.',
    );
  }
}
