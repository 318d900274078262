// The comparison behind the start-up refusal of a data folder that does not hold the
// device's keys (test/e2e/encryption-device-keys.test.ts runs it for real).
import { describe, expect, it } from 'vitest';
import type { StoreIdentity } from '../../src/crypto/store-options.ts';
import { serverKeysOf as compare, KeysQueryAnswer } from '../../src/startup/device-keys.ts';

const store: StoreIdentity = { userId: '@bot:example.org', deviceId: 'DEV', curve25519: 'curveA', ed25519: 'edA' };
const answer = (keys: Record<string, string> | null): unknown => ({
  device_keys: keys === null ? {} : { '@bot:example.org': { DEV: { keys } } },
});
/** Through the same schema as the server's answer. */
const serverKeysOf = (raw: unknown, identity: StoreIdentity) => compare(KeysQueryAnswer.parse(raw), identity);

describe("the server's keys for the bot's device against its store", () => {
  it('none: no device keys on the server (a first start, or one that crashed before its upload)', () => {
    expect(serverKeysOf(answer(null), store)).toBe('none');
    expect(serverKeysOf(answer({}), store)).toBe('none');
    expect(serverKeysOf({ device_keys: { '@bot:example.org': { OTHER: { keys: { 'ed25519:OTHER': 'x' } } } } }, store)).toBe('none');
  });

  it('same: both identity keys are the store’s', () => {
    expect(serverKeysOf(answer({ 'curve25519:DEV': 'curveA', 'ed25519:DEV': 'edA' }), store)).toBe('same');
  });

  it('different: either key differs, one is missing, or the server lists more', () => {
    expect(serverKeysOf(answer({ 'curve25519:DEV': 'curveB', 'ed25519:DEV': 'edA' }), store)).toBe('different');
    expect(serverKeysOf(answer({ 'curve25519:DEV': 'curveA', 'ed25519:DEV': 'edB' }), store)).toBe('different');
    expect(serverKeysOf(answer({ 'ed25519:DEV': 'edA' }), store)).toBe('different');
    expect(serverKeysOf(answer({ 'curve25519:DEV': 'curveA', 'ed25519:DEV': 'edA', 'ed25519:EXTRA': 'x' }), store)).toBe('different');
  });
});
