// Whether the bot runs with end-to-end encryption: bot.encryption, the engine that
// loaded and the store passphrase decide. Pure: the start-up sequence acts on it.

import type { BotConfig } from '../config/load.ts';
import { CRYPTO_PASSPHRASE_ENV } from '../config/load.ts';
import type { CryptoEngine } from '../matrix/crypto-seam.ts';

/** Shorter passphrases are refused: the store holds the keys to every encrypted chat. */
const MIN_PASSPHRASE_LENGTH = 16;

const HOW_TO_SET = `export ${CRYPTO_PASSPHRASE_ENV}="$(openssl rand -base64 32)"`;

export type EncryptionDecision =
  | { on: true; passphrase: string; engine: 'native' | 'wasm'; note: string }
  | { on: false; warning: boolean; note: string }
  | { refuse: string };

export function decideEncryption(mode: BotConfig['bot']['encryption'], engine: CryptoEngine, passphrase: string | null): EncryptionDecision {
  const without = 'The bot answers in unencrypted rooms only, and tells encrypted rooms how to reach it.';
  if (mode === 'off') return { on: false, warning: false, note: `end-to-end encryption is off (bot.encryption is "off"). ${without}` };
  if (!engine.available) {
    if (mode === 'required') {
      return {
        refuse: `bot.encryption is "required", but ${engine.reason}. Run "npm ci" again (the WebAssembly engine comes from npm), use the Docker image, or set bot.encryption to "auto".`,
      };
    }
    return { on: false, warning: true, note: `end-to-end encryption is off: ${engine.reason}. ${without}` };
  }
  if (passphrase === null) {
    return {
      refuse:
        `end-to-end encryption is on (bot.encryption is "${mode}"), but ${CRYPTO_PASSPHRASE_ENV} is not set. ` +
        'It encrypts the keys the bot keeps for encrypted chats in its data folder. Set it to a long random secret and keep it safe ' +
        `(the store cannot be opened without it), for example ${HOW_TO_SET}; or set bot.encryption to "off".`,
    };
  }
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    return { refuse: `${CRYPTO_PASSPHRASE_ENV} is shorter than ${MIN_PASSPHRASE_LENGTH} characters. Use a long random secret, for example ${HOW_TO_SET}.` };
  }
  return { on: true, passphrase, engine: engine.engine, note: `end-to-end encryption is on, with the ${engine.description}` };
}
