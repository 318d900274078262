// The one place that decides which end-to-end encryption engine matrix-bot-sdk gets.
//
// matrix-bot-sdk requires '@matrix-org/matrix-sdk-crypto-nodejs' at load time. That
// package throws where its native library was never downloaded (its install script
// fetches it from GitHub). Before the SDK loads, we put into Node's module cache,
// under that package's name:
// - the native engine where it loads (with the store opened as the bot wants it);
// - else the WebAssembly engine (@matrix-org/matrix-sdk-crypto-wasm, from npm),
//   dressed as the native one;
// - else a stand-in whose classes throw, so that the SDK still loads and the bot
//   runs without encryption.
import { createRequire, Module } from 'node:module';
import { nativeBindings } from '../crypto/native-bindings.ts';
import { WASM_PACKAGE, wasmBindings, wasmVersion } from '../crypto/wasm-bindings.ts';
import { fixEngineUse } from '../patches/matrix-bot-sdk.ts';

export const CRYPTO_PACKAGE = '@matrix-org/matrix-sdk-crypto-nodejs';

export const CRYPTO_UNAVAILABLE = 'end-to-end encryption unavailable: neither the native nor the WebAssembly crypto engine loads';

export type CryptoEngine = { available: true; engine: 'native' | 'wasm'; description: string } | { available: false; reason: string };

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

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function register(exports: object): void {
  let id: string;
  try {
    id = require.resolve(CRYPTO_PACKAGE);
  } catch {
    // The package itself is absent: matrix-bot-sdk cannot load at all without it.
    throw new Error(`${CRYPTO_PACKAGE} is not installed; run "npm ci" again.`);
  }
  const entry = new Module(id);
  entry.filename = id;
  entry.loaded = true;
  entry.exports = exports;
  require.cache[id] = entry;
}

export type EngineLoaders = {
  native: () => Record<string, unknown>;
  wasm: () => Record<string, unknown>;
};

const defaultLoaders: EngineLoaders = {
  native: () => require(CRYPTO_PACKAGE) as Record<string, unknown>,
  wasm: wasmBindings,
};

/** Which engine loads, and the exports to give matrix-bot-sdk. Pure but for the loaders. */
export function chooseEngine(loaders: EngineLoaders): { engine: CryptoEngine; exports: object } {
  let nativeProblem: string;
  try {
    const exports = nativeBindings(loaders.native());
    const version = (require(`${CRYPTO_PACKAGE}/package.json`) as { version: string }).version;
    return { engine: { available: true, engine: 'native', description: `native engine (${CRYPTO_PACKAGE} ${version})` }, exports };
  } catch (error) {
    nativeProblem = firstLine(error);
  }
  try {
    const exports = loaders.wasm();
    const description = `WebAssembly engine (${WASM_PACKAGE} ${wasmVersion()}), as the native library does not load here (${nativeProblem})`;
    return { engine: { available: true, engine: 'wasm', description }, exports };
  } catch (error) {
    const reason = `${CRYPTO_UNAVAILABLE} (native: ${nativeProblem}; WebAssembly: ${firstLine(error)})`;
    return { engine: { available: false, reason }, exports: standInExports() };
  }
}

/** Decided once per process: the SDK keeps what it loaded. */
let chosen: CryptoEngine | null = null;

/** Puts the engine in place for matrix-bot-sdk (once per process) and says which one it is. */
export function prepareCryptoModule(): CryptoEngine {
  if (chosen !== null) return chosen;
  const { engine, exports } = chooseEngine(defaultLoaders);
  register(exports);
  chosen = engine;
  return engine;
}

/** Loads matrix-bot-sdk, after the seam is in place. */
export function loadMatrixBotSdk(): { sdk: MatrixBotSdk; crypto: CryptoEngine } {
  const crypto = prepareCryptoModule();
  const sdk = require('matrix-bot-sdk') as MatrixBotSdk;
  if (crypto.available) fixEngineUse();
  return { sdk, crypto };
}
