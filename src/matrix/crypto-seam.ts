// The one place that knows matrix-bot-sdk may load without its native crypto library.
//
// matrix-bot-sdk requires '@matrix-org/matrix-sdk-crypto-nodejs' at load time, and
// that package throws when its native library was never downloaded (its install
// script fetches it from GitHub). Where it is missing, we put a stand-in into
// Node's module cache first: loading then succeeds, and anything that really
// tries to encrypt fails with a clear error instead of a missing-module crash.
import { Module, createRequire } from 'node:module';

export const CRYPTO_PACKAGE = '@matrix-org/matrix-sdk-crypto-nodejs';

export const CRYPTO_UNAVAILABLE = 'end-to-end encryption unavailable: the native library of @matrix-org/matrix-sdk-crypto-nodejs is not installed';

export type CryptoSupport = { available: true } | { available: false; reason: string };

export type MatrixBotSdk = typeof import('matrix-bot-sdk');

const require = createRequire(import.meta.url);

/** Every export of the stand-in is a class whose constructor (and static methods) throw. */
function standInExports(): object {
  const unavailable = (): never => {
    throw new Error(CRYPTO_UNAVAILABLE);
  };
  return new Proxy(
    {},
    {
      get: (_target, name) => {
        if (name === '__esModule') return false;
        if (typeof name === 'symbol') return undefined;
        return new Proxy(function StandIn() {}, { construct: unavailable, apply: unavailable, get: unavailable });
      },
    },
  );
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Makes sure matrix-bot-sdk can be loaded and says whether end-to-end encryption
 * is really there. `loadNative` exists for tests; it defaults to requiring the package.
 */
let standInReason: string | null = null;

export function prepareCryptoModule(loadNative: () => unknown = () => require(CRYPTO_PACKAGE)): CryptoSupport {
  // Once the stand-in is cached, requiring the package "works": remember why it is there.
  if (standInReason !== null) return { available: false, reason: standInReason };
  try {
    loadNative();
    return { available: true };
  } catch (error) {
    let id: string;
    try {
      id = require.resolve(CRYPTO_PACKAGE);
    } catch {
      // The package itself is absent: matrix-bot-sdk cannot load at all without it.
      throw new Error(`${CRYPTO_PACKAGE} is not installed; run "npm ci" again.`);
    }
    const stub = new Module(id);
    stub.filename = id;
    stub.loaded = true;
    stub.exports = standInExports();
    require.cache[id] = stub;
    standInReason = describe(error);
    return { available: false, reason: standInReason };
  }
}

/** Loads matrix-bot-sdk, after the seam is in place. */
export function loadMatrixBotSdk(): { sdk: MatrixBotSdk; crypto: CryptoSupport } {
  const crypto = prepareCryptoModule();
  const sdk = require('matrix-bot-sdk') as MatrixBotSdk;
  return { sdk, crypto };
}
