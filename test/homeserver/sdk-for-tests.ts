// Loads the real matrix-bot-sdk 0.8.0 on a machine without its native
// end-to-end encryption library: a stand-in module whose classes all throw is
// put in Node's module cache first, so that the SDK loads and runs without
// crypto (which is how the bot uses it). A local copy for these tests only;
// the production seam lives in src/.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const CRYPTO_EXPORTS = [
  'OlmMachine',
  'UserId',
  'DeviceId',
  'RoomId',
  'DeviceLists',
  'EncryptionSettings',
  'Attachment',
  'EncryptedAttachment',
  'RequestType',
  'StoreType',
  'KeysUploadRequest',
  'KeysQueryRequest',
  'KeysClaimRequest',
  'ToDeviceRequest',
  'SignatureUploadRequest',
  'RoomMessageRequest',
  'KeysBackupRequest',
  'EncryptionAlgorithm',
  'HistoryVisibility',
  'Signatures',
];

function unavailableClass(name: string): unknown {
  return class {
    constructor() {
      throw new Error(`end-to-end encryption unavailable (${name})`);
    }
  };
}

let sdk: typeof import('matrix-bot-sdk') | undefined;

/** The real matrix-bot-sdk, loaded once with the crypto stand-in in place. */
export function loadMatrixBotSdk(): typeof import('matrix-bot-sdk') {
  if (sdk) return sdk;
  const id = require.resolve('@matrix-org/matrix-sdk-crypto-nodejs');
  const exports: Record<string, unknown> = {};
  for (const name of CRYPTO_EXPORTS) exports[name] = unavailableClass(name);
  require.cache[id] = { id, filename: id, loaded: true, exports } as unknown as NodeJS.Module;
  sdk = require('matrix-bot-sdk') as typeof import('matrix-bot-sdk');
  return sdk;
}
