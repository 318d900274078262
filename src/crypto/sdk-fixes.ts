// Two fixes to how matrix-bot-sdk 0.8 drives the engine.
//
// 1. RustEngine.addTrackedUsers (run for every new member of an encrypted room)
//    marks the users for a key query and asks for missing Olm sessions straight
//    away, without sending that query. Current engines (the WebAssembly one here)
//    then wait for the query, up to 5 s per user, while the SDK holds its sync
//    lock: every sync stalls. This sends the key query first, as the SDK's own
//    prepareEncrypt does.
// 2. The SDK calls CryptoClient.onRoomEvent and onRoomJoin without waiting for
//    them, so a request of theirs that fails (a key query during a network blip)
//    became an unhandled rejection, which ends the process. It is logged instead;
//    keys are queried again before anything is encrypted for those users.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const KEYS_QUERY = 1; // RequestType.KeysQuery

type Engine = {
  lock: { acquire(name: string, work: () => Promise<void>): Promise<void> };
  machine: {
    updateTrackedUsers(users: unknown[]): Promise<void>;
    getMissingSessions(users: unknown[]): Promise<unknown>;
  };
  runOnly(...types: number[]): Promise<void>;
  processKeysClaimRequest(request: unknown): Promise<void>;
  addTrackedUsers(userIds: string[]): Promise<void>;
};

type Sdk = {
  CryptoClient: { prototype: Record<'onRoomEvent' | 'onRoomJoin', (...args: unknown[]) => Promise<void>> };
  LogService: { warn(module: string, ...args: unknown[]): void };
};

let applied = false;

export function fixEngineUse(): void {
  if (applied) return;
  applied = true;
  const { RustEngine, SYNC_LOCK_NAME } = require('matrix-bot-sdk/lib/e2ee/RustEngine.js') as { RustEngine: { prototype: Engine }; SYNC_LOCK_NAME: string };
  const { UserId } = require('@matrix-org/matrix-sdk-crypto-nodejs') as { UserId: new (id: string) => unknown };
  const { CryptoClient, LogService } = require('matrix-bot-sdk') as Sdk;

  RustEngine.prototype.addTrackedUsers = async function (this: Engine, userIds: string[]) {
    await this.lock.acquire(SYNC_LOCK_NAME, async () => {
      await this.machine.updateTrackedUsers(userIds.map((u) => new UserId(u)));
      await this.runOnly(KEYS_QUERY);
      const keysClaim = await this.machine.getMissingSessions(userIds.map((u) => new UserId(u)));
      if (keysClaim) await this.processKeysClaimRequest(keysClaim);
    });
  };

  for (const name of ['onRoomEvent', 'onRoomJoin'] as const) {
    const original = CryptoClient.prototype[name];
    CryptoClient.prototype[name] = async function (this: unknown, ...args: unknown[]) {
      try {
        await original.apply(this, args);
      } catch (error) {
        LogService.warn('CryptoClient', `${name} failed:`, error);
      }
    };
  }
}
