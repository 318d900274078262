import { describe, expect, it } from 'vitest';
import { decideEncryption } from '../../src/crypto/encryption-mode.ts';

const wasm = { available: true as const, engine: 'wasm' as const, description: 'WebAssembly engine (x 1.0)' };
const none = { available: false as const, reason: 'no engine loads' };
const passphrase = 'sixteen chars ok';

describe('whether encryption is on', () => {
  it('auto and required use the engine that loaded, with the passphrase', () => {
    expect(decideEncryption('auto', wasm, passphrase)).toEqual({
      on: true,
      passphrase,
      engine: 'wasm',
      note: 'end-to-end encryption is on, with the WebAssembly engine (x 1.0)',
    });
    expect(decideEncryption('required', wasm, passphrase)).toMatchObject({ on: true });
  });

  it('off needs no passphrase and says so', () => {
    expect(decideEncryption('off', wasm, null)).toMatchObject({ on: false, warning: false, note: expect.stringContaining('bot.encryption is "off"') });
  });

  it('without an engine: auto warns and runs without, required refuses', () => {
    expect(decideEncryption('auto', none, null)).toMatchObject({ on: false, warning: true, note: expect.stringContaining('no engine loads') });
    expect(decideEncryption('required', none, passphrase)).toEqual({ refuse: expect.stringContaining('bot.encryption is "required", but no engine loads') });
  });

  it('with an engine, a missing or short passphrase is refused', () => {
    expect(decideEncryption('auto', wasm, null)).toEqual({ refuse: expect.stringContaining('DSAR_BOT_CRYPTO_PASSPHRASE is not set') });
    expect(decideEncryption('auto', wasm, 'short')).toEqual({ refuse: expect.stringContaining('shorter than 16 characters') });
  });
});
