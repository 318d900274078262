// What the WebAssembly engine's durable store costs with many room keys: size in
// SQLite, start-up time (filling the in-memory IndexedDB from SQLite and opening
// the engine on it) and memory. Start-up is measured in a fresh process.
// Run: npm run bench:crypto   (BENCH_ROOM_KEYS=10000 by default; prints numbers, asserts nothing)
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as Wasm from '@matrix-org/matrix-sdk-crypto-wasm';
import { openWasmMachine, WASM_PACKAGE } from '../src/crypto/wasm-bindings.ts';
import { DATABASE_FILE, openDatabase } from '../src/store/database.ts';

const ROOM_KEYS = Number(process.env['BENCH_ROOM_KEYS'] ?? 10_000);
const PASSPHRASE = 'a passphrase for the benchmark only';
const USER = '@privacybot:example.org';
const DEVICE = 'BENCHDEVICE';

const require = createRequire(import.meta.url);
const wasm = require(WASM_PACKAGE) as typeof Wasm;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

const ed25519PublicKey = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);

/** A Megolm session as a key export carries it: version, index, ratchet, signing key. */
function exportedRoomKey(room: number) {
  const signing = ed25519PublicKey();
  const sessionKey = Buffer.concat([Buffer.from([1]), Buffer.alloc(4), randomBytes(128), signing]);
  return {
    algorithm: 'm.megolm.v1.aes-sha2',
    room_id: `!room${room}:example.org`,
    sender_key: b64(randomBytes(32)),
    session_id: b64(signing),
    session_key: b64(sessionKey),
    sender_claimed_keys: { ed25519: b64(ed25519PublicKey()) },
    forwarding_curve25519_key_chain: [],
  };
}

async function open(dataDir: string) {
  const db = openDatabase(dataDir);
  const started = performance.now();
  let records = 0;
  let bytes = 0;
  const machine = await openWasmMachine(wasm, new wasm.UserId(USER), new wasm.DeviceId(DEVICE), {
    db,
    passphrase: PASSPHRASE,
    onOpen: (opened) => {
      if (opened.engine === 'wasm') ({ records, bytes } = opened.stored);
    },
  });
  return { db, machine, records, bytes, openMs: performance.now() - started };
}

async function fill(dataDir: string): Promise<void> {
  const { db, machine } = await open(dataDir);
  const started = performance.now();
  for (let done = 0; done < ROOM_KEYS; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, ROOM_KEYS - done) }, (_, i) => exportedRoomKey(done + i));
    await machine.importExportedRoomKeys(JSON.stringify(batch), () => {});
  }
  const counts = await machine.roomKeyCounts();
  console.log(`filled: ${counts.total} room keys imported in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  machine.close();
  db.close();
}

/** In a fresh process: the start-up cost alone. */
async function measureStart(dataDir: string): Promise<void> {
  const before = process.memoryUsage();
  const { db, machine, records, bytes, openMs } = await open(dataDir);
  const counts = await machine.roomKeyCounts();
  global.gc?.();
  const after = process.memoryUsage();
  console.log(
    JSON.stringify({
      records,
      recordMiB: mib(bytes),
      roomKeys: counts.total,
      openMs: Math.round(openMs),
      rssMiB: mib(after.rss),
      rssGrowthMiB: mib(after.rss - before.rss),
      heapUsedMiB: mib(after.heapUsed),
      externalMiB: mib(after.external + after.arrayBuffers),
    }),
  );
  machine.close();
  db.close();
}

async function main(): Promise<void> {
  const startIn = process.argv.indexOf('--measure-start');
  if (startIn >= 0) return measureStart(process.argv[startIn + 1]!);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-bench-crypto-'));
  try {
    await fill(dataDir);
    const bytes =
      fs.statSync(path.join(dataDir, DATABASE_FILE)).size +
      (fs.existsSync(path.join(dataDir, `${DATABASE_FILE}-wal`)) ? fs.statSync(path.join(dataDir, `${DATABASE_FILE}-wal`)).size : 0);
    console.log(`stored: ${mib(bytes)} MiB in ${DATABASE_FILE} (with its WAL)`);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-bench-crypto-empty-'));
    for (const [label, dir] of [
      ['empty store', empty],
      [`${ROOM_KEYS} room keys`, dataDir],
    ] as const) {
      const run = spawnSync(process.execPath, ['--expose-gc', '--disable-warning=DEP0060', import.meta.filename, '--measure-start', dir], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      console.log(
        `start-up, ${label}: opened in ${result['openMs']} ms (${result['records']} records, ${result['recordMiB']} MiB of keys and values, ${result['roomKeys']} room keys); ` +
          `RSS ${result['rssMiB']} MiB (+${result['rssGrowthMiB']} MiB for the store), JS heap ${result['heapUsedMiB']} MiB, buffers ${result['externalMiB']} MiB`,
      );
    }
    fs.rmSync(empty, { recursive: true, force: true });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
