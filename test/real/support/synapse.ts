// A real Synapse for the real-server tier: the Debian package, run from the root file system
// that scripts/synapse/prepare-root.sh builds once into a cache folder, with a configuration of
// our own (SQLite, one listener on 127.0.0.1, no federation, registration by shared secret).
// Rate limits stay at Synapse's defaults, as operators run them; only the tests' own clients
// get the admin API's per-user override (liftRateLimits), never the bot or a person it serves.
//
//   const synapse = await startRealSynapse();
//   const alice = await synapse.register('alice');
//   await synapse.liftRateLimits(alice.userId);      // a test client, seeding quickly
//   ...
//   await synapse.close();
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, inject } from 'vitest';
import { type Call, jsonCaller, type Ok, okCaller, type RegisteredAccount, registerWithSharedSecret, sleep } from '../../support/matrix-http.ts';

export type Account = RegisteredAccount;

export type RealSynapse = {
  /** http://127.0.0.1:<port> */
  url: string;
  serverName: string;
  /** As the server reports it (GET /_synapse/admin/v1/server_version). */
  version: string;
  /** A server admin of the tests' own (not the bot): reads the server's state, lifts rate limits. */
  admin: Account;
  /** Registers an account through the shared-secret admin API and answers its first login. */
  register(localpart: string, options?: { admin?: boolean; displayName?: string }): Promise<Account>;
  /** Lifts a test client's rate limits (POST /_synapse/admin/v1/users/{u}/override_ratelimit, 0 and 0: none). */
  liftRateLimits(userId: string): Promise<void>;
  /** Gives a user Synapse's default rate limits back (DELETE on the same path). */
  restoreRateLimits(userId: string): Promise<void>;
  /** One HTTP call; never throws on a status, the caller looks at it. Waits out 429s. */
  call: Call;
  /** The same, and throws unless the status is 2xx. */
  ok: Ok;
  /** What Synapse wrote to its log (warnings and worse), for a failing test's message. */
  log(): string;
  close(): Promise<void>;
};

const SHARED_SECRET = 'dsar-bot-real-tier-registration-secret';

/** Where prepare-root.sh put the root (test/real/global-setup.ts), or null when the tier is skipped here. */
export function synapseRoot(): string | null {
  return inject('synapseRoot');
}

/** describe() for the real-server tier: skipped, as global-setup.ts said why, where no Synapse can run. */
export const describeWithSynapse = (name: string, body: () => void) => describe.skipIf(synapseRoot() === null)(name, body);

export type StartOptions = {
  serverName?: string;
  /** YAML lines appended to the configuration (a test that needs another setting). */
  extraConfig?: string;
  /** The root to run it from, outside vitest (a benchmark: what prepare-root.sh printed); by default the tier's. */
  root?: string;
};

export async function startRealSynapse(options: StartOptions = {}): Promise<RealSynapse> {
  const root = options.root ?? synapseRoot();
  if (root === null) throw new Error('no real Synapse here (see the line global-setup.ts printed)');
  const serverName = options.serverName ?? 'dsar.test';
  const port = await freePort();
  // Inside the root, so that the chrooted Synapse sees it; one folder per server, removed at close.
  const name = `dsar-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const inside = `/srv/${name}`;
  const dir = path.join(root, 'srv', name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'signing.key'), signingKey());
  fs.writeFileSync(path.join(dir, 'log.yaml'), logConfig(`${inside}/homeserver.log`));
  fs.writeFileSync(path.join(dir, 'homeserver.yaml'), homeserverConfig({ serverName, port, dir: inside }) + (options.extraConfig ?? ''));

  const child = spawn('chroot', [root, 'python3', '-m', 'synapse.app.homeserver', '-c', `${inside}/homeserver.yaml`], {
    cwd: '/',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: inside },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const readLog = () => {
    try {
      return fs.readFileSync(path.join(dir, 'homeserver.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const cleanUp = async () => {
    await stop(child, exited);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForServer(url, child, () => output + readLog());
  } catch (error) {
    await cleanUp();
    throw error;
  }

  const call = jsonCaller(url);
  const ok = okCaller(call);
  const register = (localpart: string, o: { admin?: boolean; displayName?: string } = {}): Promise<Account> =>
    registerWithSharedSecret(ok, SHARED_SECRET, localpart, o);

  let admin: Account;
  let version: string;
  try {
    admin = await register('test-admin', { admin: true });
    await ok('POST', `/_synapse/admin/v1/users/${encodeURIComponent(admin.userId)}/override_ratelimit`, {
      token: admin.accessToken,
      body: { messages_per_second: 0, burst_count: 0 },
    });
    version = (await ok('GET', '/_synapse/admin/v1/server_version')).server_version;
  } catch (error) {
    await cleanUp();
    throw error;
  }

  return {
    url,
    serverName,
    version,
    admin,
    register,
    liftRateLimits: async (userId) => {
      await ok('POST', `/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`, {
        token: admin.accessToken,
        body: { messages_per_second: 0, burst_count: 0 },
      });
    },
    restoreRateLimits: async (userId) => {
      await ok('DELETE', `/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`, { token: admin.accessToken });
    },
    call,
    ok,
    log: () => readLog(),
    close: cleanUp,
  };
}

/** Synapse's configuration: what an operator would run, minus federation, on loopback. */
function homeserverConfig(o: { serverName: string; port: number; dir: string }): string {
  return `server_name: "${o.serverName}"
pid_file: ${o.dir}/homeserver.pid
public_baseurl: "http://127.0.0.1:${o.port}/"
listeners:
  - port: ${o.port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: ${o.dir}/homeserver.db
log_config: ${o.dir}/log.yaml
media_store_path: ${o.dir}/media_store
signing_key_path: ${o.dir}/signing.key
registration_shared_secret: "${SHARED_SECRET}"
macaroon_secret_key: "${randomBytes(16).toString('hex')}"
form_secret: "${randomBytes(16).toString('hex')}"
report_stats: false
enable_metrics: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
presence:
  enabled: false
`;
}

function logConfig(file: string): string {
  return `version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: ${file}
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
`;
}

/** A signing key in Synapse's format: "ed25519 <key id> <unpadded base64 of the 32-byte seed>". */
function signingKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  return `ed25519 a_${randomBytes(2).toString('hex')} ${seed.toString('base64').replace(/=+$/, '')}\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Synapse ended before it answered:\n${output().slice(-4000)}`);
    try {
      const response = await fetch(`${url}/_matrix/client/versions`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`Synapse did not answer within 60 s:\n${output().slice(-4000)}`);
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = sleep(10_000).then(() => 'timeout');
  if ((await Promise.race([exited.then(() => 'ended'), timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
