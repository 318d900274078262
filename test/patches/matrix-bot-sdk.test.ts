// Guard tests for src/patches/matrix-bot-sdk.ts: each fails when the member a patch changes is
// no longer what the patch was written for (matrix-bot-sdk 0.8.0), or when the patch stops
// doing what the bot relies on. The SDK is loaded through the bot's own crypto seam, first
// without the engine fixes (to see the members as the SDK ships them), then with them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { toDeviceTxnId, useContentAddressedToDeviceTxnIds } from '../../src/crypto/to-device.ts';
import { type MatrixBotSdk, prepareCryptoModule } from '../../src/matrix/crypto-seam.ts';
import { installedVersion, PatchTargetChanged } from '../../src/patches/guard.ts';
import {
  afterEachSync,
  fixEngineUse,
  MATRIX_BOT_SDK_PATCHES,
  persistSyncTokenAfterProcessing,
  rustEngineModule,
  syncThrough,
} from '../../src/patches/matrix-bot-sdk.ts';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { waitUntil } from '../support/wait.ts';

const require = createRequire(import.meta.url);
prepareCryptoModule();
const sdk = require('matrix-bot-sdk') as MatrixBotSdk;
sdk.LogService.setLevel(sdk.LogLevel.ERROR);

/** The SDK's own code, as shipped: what the patches assume about how it calls the members they change. */
const sdkSource = (file: string): string => fs.readFileSync(require.resolve(`matrix-bot-sdk/lib/${file}`), 'utf8');
/** The body of a method in a shipped file: from its name to the next method at the same indentation. */
const methodSource = (source: string, signature: string): string => {
  const start = source.indexOf(`    ${signature}`);
  expect(start, `${signature} in the SDK`).toBeGreaterThan(0);
  return source.slice(start, source.indexOf('\n    }\n', start));
};

let hs: TestHomeserver | undefined;
afterEach(async () => {
  await hs?.close();
  hs = undefined;
});

describe('patches to matrix-bot-sdk', () => {
  it('are written against the installed version, which package.json pins exactly', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    for (const patch of MATRIX_BOT_SDK_PATCHES) {
      expect(patch.version).toBe(installedVersion('matrix-bot-sdk'));
      expect(pkg.dependencies['matrix-bot-sdk']).toBe(patch.version);
      expect(patch.why.length).toBeGreaterThan(20);
    }
  });

  it('the sync loop: doSync, then processSync, then the token saved, when persistTokenAfterSync is set', () => {
    const loop = methodSource(sdkSource('MatrixClient.js'), 'async startSync(');
    const order = [
      'await this.doSync(token)',
      'if (!this.persistTokenAfterSync)',
      'await this.processSync(response, emitFn)',
      'if (this.persistTokenAfterSync)',
    ];
    const at = order.map((part) => loop.indexOf(part));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const client = new sdk.MatrixClient('http://127.0.0.1:9', 'token', new sdk.MemoryStorageProvider());
    expect(Object.getOwnPropertyDescriptor(client, 'persistTokenAfterSync')?.value).toBe(false);
    for (const name of ['doSync', 'processSync', 'sendToDevices', 'doRequest']) expect(typeof Reflect.get(client, name), name).toBe('function');
  });

  it('patched, each sync answer is inspected first, then processed (events handed over), then its position saved', async () => {
    hs = await startTestHomeserver();
    const alice = hs.model.addUser({ localpart: 'alice' });
    const bot = hs.model.addUser({ localpart: 'privacybot' });
    const roomId = hs.model.createRoom(alice.userId, { invite: [bot.userId] });
    hs.model.join(roomId, bot.userId);
    hs.model.sendMessage(roomId, alice.userId, 'hello');
    const seen: string[] = [];
    class Storage extends sdk.MemoryStorageProvider {
      override setSyncToken(token: string | null): void {
        seen.push('position saved');
        super.setSyncToken(token);
      }
    }
    const client = new sdk.MatrixClient(hs.url, bot.accessToken, new Storage());
    persistSyncTokenAfterProcessing(client);
    syncThrough(client, { filter: { room: { timeline: { limit: 7 } } }, inspect: (_response, since) => void seen.push(`inspected since ${since}`) });
    afterEachSync(client, () => void seen.push('processed'));
    client.on('room.message', () => void seen.push('message handed over'));
    await client.start();
    await waitUntil(() => seen.includes('position saved'), 'the first sync to be saved');
    client.stop();
    expect(seen.slice(0, 4)).toEqual(['inspected since null', 'message handed over', 'processed', 'position saved']);
    const sync = hs.requests.find((r) => r.path === '/_matrix/client/v3/sync')!;
    expect(new URLSearchParams(sync.query).get('filter')).toBe('{"room":{"timeline":{"limit":7}}}');
  });

  it('sendToDevices: the SDK sends PUT /sendToDevice/{type}/{txnId} with {messages}; patched, the same content gets the same ID and arrives once', async () => {
    expect(methodSource(sdkSource('MatrixClient.js'), 'async sendToDevices(type, messages)')).toMatch(
      /doRequest\("PUT", `\/_matrix\/client\/v3\/sendToDevice\/\$\{encodeURIComponent\(type\)\}\/\$\{encodeURIComponent\(txnId\)\}`, null, \{\s*messages: messages,\s*\}\)/,
    );
    hs = await startTestHomeserver();
    const alice = hs.model.addUser({ localpart: 'alice' });
    const bot = hs.model.addUser({ localpart: 'privacybot' });
    const device = [...hs.model.user(alice.userId)!.devices.keys()][0]!;
    const messages = { [alice.userId]: { [device]: { body: 'a room key' } } };
    const client = new sdk.MatrixClient(hs.url, bot.accessToken, new sdk.MemoryStorageProvider());
    useContentAddressedToDeviceTxnIds(client);
    await client.sendToDevices('m.room_key', messages);
    await client.sendToDevices('m.room_key', messages); // as after a crash
    const sends = hs.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/_matrix/client/v3/sendToDevice/'));
    expect(sends.map((r) => r.path)).toEqual(Array(2).fill(`/_matrix/client/v3/sendToDevice/m.room_key/${toDeviceTxnId('m.room_key', messages)}`));
    expect(hs.model.e2ee.toDeviceFor(alice.userId, device, null)).toHaveLength(1);
  });

  it('RustEngine.addTrackedUsers still asks for sessions without a key query (drop the patch once it does not), and has what the replacement calls', () => {
    const shipped = methodSource(sdkSource('e2ee/RustEngine.js'), 'async addTrackedUsers(userIds)');
    expect(shipped).toContain('this.machine.updateTrackedUsers(uids)');
    expect(shipped).toContain('this.machine.getMissingSessions(uids)');
    expect(shipped).not.toContain('runOnly');
    const { RustEngine, SYNC_LOCK_NAME } = rustEngineModule();
    expect(typeof SYNC_LOCK_NAME).toBe('string');
    const proto = RustEngine.prototype as Record<string, unknown>;
    for (const name of ['runOnly', 'processKeysClaimRequest', 'addTrackedUsers']) expect(typeof proto[name], name).toBe('function');
    expect((proto['addTrackedUsers'] as () => void).length).toBe(1);
    // The replacement does what the SDK's own prepareEncrypt does: runOnly(1), 1 being the key query.
    expect(methodSource(sdkSource('e2ee/RustEngine.js'), 'async runOnly(...types)')).toContain('case 1 /* RequestType.KeysQuery */:');
    expect(methodSource(sdkSource('e2ee/RustEngine.js'), 'async prepareEncrypt(roomId, roomInfo)')).toContain(
      'await this.runOnly(1 /* RequestType.KeysQuery */);',
    );
  });

  it('CryptoClient.onRoomEvent and onRoomJoin are called without being awaited; patched, their failure is logged, not thrown', async () => {
    const client = sdkSource('MatrixClient.js');
    expect(client).toMatch(/\n\s+this\.crypto\.onRoomEvent\(roomId, event\);/);
    expect(client).toMatch(/\n\s+this\.crypto\.onRoomJoin\(roomId\);/);
    const proto = sdk.CryptoClient.prototype as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    expect([proto['onRoomEvent']!.length, proto['onRoomJoin']!.length]).toEqual([2, 1]);

    fixEngineUse();
    fixEngineUse(); // once per process: a second call changes nothing
    const warnings: string[] = [];
    const quiet = () => {};
    sdk.LogService.setLogger({
      info: quiet,
      error: quiet,
      debug: quiet,
      trace: quiet,
      warn: (module: string, ...args: unknown[]) => void warnings.push(`${module} ${String(args[0])}`),
    });
    sdk.LogService.setLevel(sdk.LogLevel.WARN);
    const failing = {
      roomTracker: { onRoomEvent: () => Promise.reject(new Error('keys query failed')), onRoomJoin: () => Promise.reject(new Error('keys query failed')) },
    };
    await expect(proto['onRoomEvent']!.call(failing, '!room:example.org', {})).resolves.toBeUndefined();
    await expect(proto['onRoomJoin']!.call(failing, '!room:example.org')).resolves.toBeUndefined();
    expect(warnings).toEqual(['CryptoClient onRoomEvent failed:', 'CryptoClient onRoomJoin failed:']);
    // addTrackedUsers now sends the key query between tracking and claiming.
    const calls: string[] = [];
    const engine = {
      lock: { acquire: async (_name: string, work: () => Promise<void>) => work() },
      machine: {
        updateTrackedUsers: async () => void calls.push('track'),
        getMissingSessions: async () => {
          calls.push('claim?');
          return null;
        },
      },
      runOnly: async (type: number) => void calls.push(`run ${type}`),
      processKeysClaimRequest: async () => void calls.push('claim'),
    };
    await (rustEngineModule().RustEngine.prototype as { addTrackedUsers(this: unknown, users: string[]): Promise<void> }).addTrackedUsers.call(engine, [
      '@alice:example.org',
    ]);
    expect(calls).toEqual(['track', 'run 1', 'claim?']);
  });

  it('refuses, with a message naming the library and the version, a client whose member is not what the patch expects', () => {
    const changed = new sdk.MatrixClient('http://127.0.0.1:9', 'token', new sdk.MemoryStorageProvider());
    Reflect.set(changed, 'persistTokenAfterSync', undefined);
    Reflect.set(changed, 'processSync', undefined);
    expect(() => persistSyncTokenAfterProcessing(changed)).toThrow(PatchTargetChanged);
    expect(() => afterEachSync(changed, () => {})).toThrow(
      /^matrix-bot-sdk 0\.8\.0: MatrixClient\.prototype\.processSync is missing, not a function\. .*written against matrix-bot-sdk 0\.8\.0/,
    );
  });
});
