// The WebAssembly crypto engine (@matrix-org/matrix-sdk-crypto-wasm) dressed as the
// native one (@matrix-org/matrix-sdk-crypto-nodejs 0.4), which is what matrix-bot-sdk
// 0.8 calls (node_modules/matrix-bot-sdk/lib/e2ee/CryptoClient.js, RustEngine.js).
// The crypto seam registers these exports under the native package's name.
//
// The differences bridged here, each checked against the installed packages:
// 1. OlmMachine.initialize: native (user, device, storePath, passphrase, storeType);
//    wasm opens a store handle (IndexedDB) and has no StoreType. Here the store is
//    the one registered for storePath (crypto-store.ts), kept durable in SQLite.
// 2. receiveSyncChanges: wasm takes the one-time key counts as a Map and the unused
//    fallback key types as a Set, and returns event objects; the SDK passes a plain
//    object and an array, and parses the result as the JSON of the decrypted events.
// 3. ToDeviceRequest: wasm names the fields event_type/txn_id; the SDK reads
//    eventType/txnId (shareRoomKey) or event_type/txn_id from the body (outgoingRequests).
// 4. wasm consumes the UserId objects given to updateTrackedUsers, getMissingSessions
//    and shareRoomKey; the SDK passes one array to several calls: each gets copies.
// 5. decryptRoomEvent takes DecryptionSettings in wasm.
// 6. sign(): wasm's Signatures.get returns a Map (native: an object), and
//    MaybeSignature.isValid is a method (native: a getter).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Wasm from '@matrix-org/matrix-sdk-crypto-wasm';
import { installIndexedDbGlobals } from '../patches/fake-indexeddb.ts';
import { IndexedDbMirror } from './indexeddb-mirror.ts';
import { storeKeyFor } from './store-key.ts';
import { CryptoStoreLockedError, type CryptoStoreOptions, checkBeforeUse, cryptoStoreOptions } from './store-options.ts';

const require = createRequire(import.meta.url);

export const WASM_PACKAGE = '@matrix-org/matrix-sdk-crypto-wasm';

export type WasmModule = typeof Wasm;

/** A request as the native bindings hand it out (plain fields, no WebAssembly memory). */
export type NativeStyleRequest = { id: string; type: number; body: string; eventType?: string; txnId?: string };

/** The engine's version, for the start-up log. */
export function wasmVersion(): string {
  // The package's exports do not include package.json: read it next to its entry point.
  const file = path.join(path.dirname(require.resolve(WASM_PACKAGE)), 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The IndexedDB database names of one engine store start with this. */
const storeNameFor = (userId: string, deviceId: string): string => `matrix-dsar-bot:${userId}:${deviceId}`;

/** The engine's machine on the bot's store: a fresh IndexedDB filled from SQLite, opened with the derived key. */
export async function openWasmMachine(wasm: WasmModule, userId: Wasm.UserId, deviceId: Wasm.DeviceId, options: CryptoStoreOptions): Promise<Wasm.OlmMachine> {
  const [user, device] = [userId.toString(), deviceId.toString()];
  const name = storeNameFor(user, device);
  const mirror = new IndexedDbMirror(options.db, `${name}::`);
  installIndexedDbGlobals(await mirror.open());
  let handle: Wasm.StoreHandle;
  try {
    handle = await wasm.StoreHandle.openWithKey(name, storeKeyFor(options.db, options.passphrase));
  } catch {
    throw new CryptoStoreLockedError();
  }
  const machine = await wasm.OlmMachine.initFromStore(userId, deviceId, handle);
  handle.free();
  options.onOpen?.({ engine: 'wasm', stored: mirror.stats() });
  await checkBeforeUse(machine, user, device, options);
  return machine;
}

/** Loads the engine and returns the native-style exports matrix-bot-sdk needs. */
export function wasmBindings(): Record<string, unknown> {
  const wasm = require(WASM_PACKAGE) as WasmModule;
  const copies = (users: Wasm.UserId[]): Wasm.UserId[] => users.map((user) => new wasm.UserId(user.toString()));
  const decryptionSettings = () => new wasm.DecryptionSettings(wasm.TrustRequirement.Untrusted);

  const nativeStyle = (request: Wasm.OutgoingRequest): NativeStyleRequest => {
    const plain: NativeStyleRequest = { id: request.id!, type: request.type, body: request.body };
    if (request instanceof wasm.ToDeviceRequest) {
      const { messages } = JSON.parse(request.body) as { messages: unknown };
      Object.assign(plain, {
        eventType: request.event_type,
        txnId: request.txn_id,
        body: JSON.stringify({ event_type: request.event_type, txn_id: request.txn_id, messages }),
      });
    }
    request.free();
    return plain;
  };

  class OlmMachine {
    readonly #machine: Wasm.OlmMachine;

    private constructor(machine: Wasm.OlmMachine) {
      this.#machine = machine;
    }

    static async initialize(userId: Wasm.UserId, deviceId: Wasm.DeviceId, storePath: string): Promise<OlmMachine> {
      return new OlmMachine(await openWasmMachine(wasm, userId, deviceId, cryptoStoreOptions(storePath)));
    }

    get userId() {
      return this.#machine.userId;
    }

    get deviceId() {
      return this.#machine.deviceId;
    }

    get identityKeys() {
      return this.#machine.identityKeys;
    }

    async receiveSyncChanges(
      toDeviceEvents: string,
      changed: Wasm.DeviceLists,
      otkCounts: Record<string, number>,
      unusedFallbackKeys: string[],
    ): Promise<string> {
      const processed = await this.#machine.receiveSyncChanges(
        toDeviceEvents,
        changed,
        new Map(Object.entries(otkCounts)),
        new Set(unusedFallbackKeys),
        decryptionSettings(),
      );
      const readable = processed.filter(
        (event) => event.type === wasm.ProcessedToDeviceEventType.Decrypted || event.type === wasm.ProcessedToDeviceEventType.PlainText,
      );
      return JSON.stringify(readable.map((event) => JSON.parse(event.rawEvent) as unknown));
    }

    async outgoingRequests(): Promise<NativeStyleRequest[]> {
      return (await this.#machine.outgoingRequests()).map(nativeStyle);
    }

    markRequestAsSent(requestId: string, requestType: Wasm.RequestType, response: string): Promise<boolean> {
      return this.#machine.markRequestAsSent(requestId, requestType, response);
    }

    updateTrackedUsers(users: Wasm.UserId[]): Promise<void> {
      return this.#machine.updateTrackedUsers(copies(users));
    }

    async getMissingSessions(users: Wasm.UserId[]): Promise<NativeStyleRequest | null> {
      const request = await this.#machine.getMissingSessions(copies(users));
      return request === undefined || request === null ? null : nativeStyle(request);
    }

    async shareRoomKey(roomId: Wasm.RoomId, users: Wasm.UserId[], settings: Wasm.EncryptionSettings): Promise<NativeStyleRequest[]> {
      return (await this.#machine.shareRoomKey(roomId, copies(users), settings)).map(nativeStyle);
    }

    encryptRoomEvent(roomId: Wasm.RoomId, eventType: string, content: string): Promise<string> {
      return this.#machine.encryptRoomEvent(roomId, eventType, content);
    }

    decryptRoomEvent(event: string, roomId: Wasm.RoomId): Promise<Wasm.DecryptedRoomEvent> {
      return this.#machine.decryptRoomEvent(event, roomId, decryptionSettings());
    }

    async sign(message: string) {
      const signatures = await this.#machine.sign(message);
      return {
        get: (signer: Wasm.UserId) => {
          const bySigner = signatures.get(new wasm.UserId(signer.toString()));
          if (bySigner === undefined) return null;
          return Object.fromEntries([...bySigner].map(([keyId, maybe]) => [keyId, { isValid: maybe.isValid(), signature: maybe.signature }]));
        },
      };
    }

    close(): void {
      this.#machine.close();
    }
  }

  return {
    OlmMachine,
    UserId: wasm.UserId,
    DeviceId: wasm.DeviceId,
    RoomId: wasm.RoomId,
    DeviceLists: wasm.DeviceLists,
    EncryptionSettings: wasm.EncryptionSettings,
    EncryptionAlgorithm: wasm.EncryptionAlgorithm,
    HistoryVisibility: wasm.HistoryVisibility,
    Attachment: wasm.Attachment,
    EncryptedAttachment: wasm.EncryptedAttachment,
    RequestType: wasm.RequestType,
    StoreType: { Sqlite: 0 },
  };
}
