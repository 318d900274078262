import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CRYPTO_PACKAGE, CRYPTO_UNAVAILABLE, loadMatrixBotSdk, prepareCryptoModule } from '../../src/matrix/crypto-seam.ts';

const require = createRequire(import.meta.url);

describe('the crypto seam', () => {
  it('reports encryption as available when the native library loads', () => {
    expect(prepareCryptoModule(() => ({}))).toEqual({ available: true });
  });

  it('without the native library, lets matrix-bot-sdk load and makes encryption fail clearly', () => {
    const { sdk, crypto } = loadMatrixBotSdk();
    expect(typeof sdk.MatrixClient).toBe('function');
    // On machines that have the library (the Docker image), there is nothing more to check here.
    if (crypto.available) return;
    expect(crypto.reason).toMatch(/Cannot find module|native/i);
    const standIn = require(CRYPTO_PACKAGE) as { OlmMachine: new () => unknown };
    expect(() => new standIn.OlmMachine()).toThrow(CRYPTO_UNAVAILABLE);
    // Asking again does not mistake the stand-in for the real library.
    expect(prepareCryptoModule()).toEqual(crypto);
  });
});
