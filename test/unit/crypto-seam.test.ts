import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CRYPTO_PACKAGE, CRYPTO_UNAVAILABLE, chooseEngine, loadMatrixBotSdk } from '../../src/matrix/crypto-seam.ts';

const require = createRequire(import.meta.url);

const fails = (message: string) => () => {
  throw new Error(message);
};

describe('the crypto seam', () => {
  it('prefers the native engine where it loads', () => {
    const { engine } = chooseEngine({ native: () => ({ OlmMachine: {} }), wasm: fails('not needed') });
    expect(engine).toMatchObject({ available: true, engine: 'native' });
  });

  it('falls back to the WebAssembly engine, saying why the native one is not used', () => {
    const { engine } = chooseEngine({ native: fails("Cannot find module 'x-linux-x64-gnu'"), wasm: () => ({}) });
    expect(engine).toMatchObject({ available: true, engine: 'wasm' });
    expect(engine.available && engine.description).toMatch(/WebAssembly engine \(@matrix-org\/matrix-sdk-crypto-wasm \d+\.\d+\.\d+\).*Cannot find module/);
  });

  it('without any engine, gives a stand-in that fails clearly', () => {
    const { engine, exports } = chooseEngine({ native: fails('no native'), wasm: fails('no wasm') });
    expect(engine).toEqual({ available: false, reason: expect.stringContaining('native: no native; WebAssembly: no wasm') });
    const standIn = exports as { OlmMachine: new () => unknown };
    expect(() => new standIn.OlmMachine()).toThrow(CRYPTO_UNAVAILABLE);
  });

  it('lets matrix-bot-sdk load with an engine under the native package name, decided once', () => {
    const { sdk, crypto } = loadMatrixBotSdk();
    expect(typeof sdk.MatrixClient).toBe('function');
    expect(crypto.available).toBe(true);
    const registered = require(CRYPTO_PACKAGE) as { OlmMachine: { initialize: unknown }; StoreType?: { Sqlite: number } };
    expect(typeof registered.OlmMachine.initialize).toBe('function');
    // Asking again does not load anything else.
    expect(loadMatrixBotSdk().crypto).toBe(crypto);
  });
});
