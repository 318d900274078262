// Every change the bot makes to matrix-bot-sdk at run time, written against 0.8.0 (pinned in
// package.json). Each is checked before it is applied (guard.ts) and has a guard test in
// test/patches/matrix-bot-sdk.test.ts, which fails when the member it changes is no longer
// what it was written for. What the bot does with them lives with the bot: the sync's gaps
// (sync/gapless-sync.ts), undecryptable events (matrix/undecryptable.ts), to-device
// transaction IDs (crypto/to-device.ts); this file only knows how to reach into the SDK.
import { createRequire } from 'node:module';
import type { MatrixClient } from 'matrix-bot-sdk';
import { methodOf, type Patch, PatchTargetChanged, replaceMethod } from './guard.ts';

const require = createRequire(import.meta.url);

const library = 'matrix-bot-sdk';
const version = '0.8.0';

const PERSIST_TOKEN_AFTER_SYNC: Patch = {
  library,
  version,
  member: 'MatrixClient#persistTokenAfterSync',
  why: 'the sync position is saved only after the sync was processed: with the inbox, a crash never skips a command',
};
const SYNC_REQUEST: Patch = {
  library,
  version,
  member: 'MatrixClient.prototype.doSync',
  why: "the sync request carries the bot's own filter inline, and its answer is looked at (for timeline gaps) before the SDK processes it",
};
const AFTER_EACH_SYNC: Patch = {
  library,
  version,
  member: 'MatrixClient.prototype.processSync',
  why: 'work done once per processed sync (one log line per room for undecryptable events), which the SDK has no event for',
};
const TO_DEVICE_TXN_IDS: Patch = {
  library,
  version,
  member: 'MatrixClient.prototype.sendToDevices',
  why: 'the SDK makes up a new transaction ID per send; an ID derived from the content makes a send repeated after a crash arrive once',
};
const ENGINE_KEY_QUERY: Patch = {
  library,
  version,
  member: 'RustEngine.prototype.addTrackedUsers',
  why: 'it asks for missing Olm sessions without sending the key query first, and current engines then wait up to 5 s per user under the sync lock',
};
const CRYPTO_EVENTS_NOT_FATAL: Patch = {
  library,
  version,
  member: 'CryptoClient.prototype.onRoomEvent, onRoomJoin',
  why: 'the SDK calls them without awaiting them: a failed key query became an unhandled rejection, which ends the process',
};

export const MATRIX_BOT_SDK_PATCHES: readonly Patch[] = [
  PERSIST_TOKEN_AFTER_SYNC,
  SYNC_REQUEST,
  AFTER_EACH_SYNC,
  TO_DEVICE_TXN_IDS,
  ENGINE_KEY_QUERY,
  CRYPTO_EVENTS_NOT_FATAL,
];

/** The SDK's own timeouts for the sync request: a long-poll, or a first sync that may be big. */
const INCREMENTAL_SYNC_TIMEOUT_MS = 40_000;
const INITIAL_SYNC_TIMEOUT_MS = 600_000;

/** The sync loop (startSync) saves the new sync position after processSync instead of before it. */
export function persistSyncTokenAfterProcessing(client: MatrixClient): void {
  if (typeof Reflect.get(client, 'persistTokenAfterSync') !== 'boolean')
    throw new PatchTargetChanged(PERSIST_TOKEN_AFTER_SYNC, 'is not a boolean field of the client');
  Reflect.set(client, 'persistTokenAfterSync', true);
}

/**
 * The sync request as the SDK's doSync makes it (same query, same timeouts), with `filter` sent
 * inline instead of a stored filter's ID. `inspect` sees each answer synchronously, before the
 * SDK processes it and moves its sync position on.
 */
export function syncThrough(client: MatrixClient, options: { filter: object; inspect(response: unknown, since: string | null): void }): void {
  methodOf(client, 'doSync', SYNC_REQUEST);
  const doSync = async (since: string | null): Promise<unknown> => {
    const query: Record<string, unknown> = { full_state: false, timeout: Math.max(0, client.syncingTimeout), filter: JSON.stringify(options.filter) };
    if (since) query['since'] = since;
    if (client.syncingPresence) query['presence'] = client.syncingPresence;
    const response: unknown = await client.doRequest(
      'GET',
      '/_matrix/client/v3/sync',
      query,
      null,
      since ? INCREMENTAL_SYNC_TIMEOUT_MS : INITIAL_SYNC_TIMEOUT_MS,
    );
    options.inspect(response, since || null);
    return response;
  };
  Reflect.set(client, 'doSync', doSync);
}

/** Runs `done` after every sync the client processed, whether processing succeeded or not. */
export function afterEachSync(client: MatrixClient, done: () => void): void {
  replaceMethod<(...args: unknown[]) => Promise<void>>(client, 'processSync', AFTER_EACH_SYNC, (processSync) => async (...args: unknown[]) => {
    try {
      await processSync.apply(client, args);
    } finally {
      done();
    }
  });
}

/** To-device messages are sent as the SDK sends them, under the transaction ID `txnIdOf` gives. */
export function sendToDevicesUnder(client: MatrixClient, txnIdOf: (eventType: string, messages: unknown) => string): void {
  methodOf(client, 'sendToDevices', TO_DEVICE_TXN_IDS);
  client.sendToDevices = async (type: string, messages: Record<string, Record<string, unknown>>) => {
    const path = `/_matrix/client/v3/sendToDevice/${encodeURIComponent(type)}/${encodeURIComponent(txnIdOf(type, messages))}`;
    return client.doRequest('PUT', path, null, { messages });
  };
}

const KEYS_QUERY = 1; // RequestType.KeysQuery

type Engine = {
  lock: { acquire(name: string, work: () => Promise<void>): Promise<void> };
  machine: {
    updateTrackedUsers(users: unknown[]): Promise<void>;
    getMissingSessions(users: unknown[]): Promise<unknown>;
  };
  runOnly(...types: number[]): Promise<void>;
  processKeysClaimRequest(request: unknown): Promise<void>;
};

export type EngineModule = { RustEngine: { prototype: object }; SYNC_LOCK_NAME: string };

/** The SDK's encryption engine module (not in its index: reached by its path). */
export const rustEngineModule = (): EngineModule => require('matrix-bot-sdk/lib/e2ee/RustEngine.js') as EngineModule;

let engineFixed = false;

/**
 * How matrix-bot-sdk drives the encryption engine, fixed once per process (only where an
 * engine loaded: the crypto seam registers it before the SDK is required).
 */
export function fixEngineUse(): void {
  if (engineFixed) return;
  engineFixed = true;
  const { RustEngine, SYNC_LOCK_NAME } = rustEngineModule();
  const { UserId } = require('@matrix-org/matrix-sdk-crypto-nodejs') as { UserId: new (id: string) => unknown };
  const { CryptoClient, LogService } = require('matrix-bot-sdk') as {
    CryptoClient: { prototype: object };
    LogService: { warn(module: string, ...args: unknown[]): void };
  };

  // The key query first, as the SDK's own prepareEncrypt does, then the missing sessions.
  replaceMethod(
    RustEngine.prototype,
    'addTrackedUsers',
    ENGINE_KEY_QUERY,
    () =>
      async function (this: Engine, userIds: string[]) {
        await this.lock.acquire(SYNC_LOCK_NAME, async () => {
          await this.machine.updateTrackedUsers(userIds.map((u) => new UserId(u)));
          await this.runOnly(KEYS_QUERY);
          const keysClaim = await this.machine.getMissingSessions(userIds.map((u) => new UserId(u)));
          if (keysClaim) await this.processKeysClaimRequest(keysClaim);
        });
      },
    1,
  );

  // Logged instead of thrown: keys are queried again before anything is encrypted for those users.
  for (const name of ['onRoomEvent', 'onRoomJoin'] as const) {
    replaceMethod<(...args: unknown[]) => Promise<void>>(
      CryptoClient.prototype,
      name,
      CRYPTO_EVENTS_NOT_FATAL,
      (original) =>
        async function (this: unknown, ...args: unknown[]) {
          try {
            await original.apply(this, args);
          } catch (error) {
            LogService.warn('CryptoClient', `${name} failed:`, error);
          }
        },
      name === 'onRoomEvent' ? 2 : 1,
    );
  }
}
