// Start-up through the real command line: each way an operator can get it wrong
// gets a clear message and a non-zero exit, and no secret is ever printed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { TEST_PSEUDONYM_KEY } from '../support/world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let hs: TestHomeserver;
let dir: string;
let bot: { userId: string; accessToken: string };
let alice: { userId: string; accessToken: string };

beforeAll(async () => {
  hs = await startTestHomeserver({ flavour: 'synapse', serverName: 'example.org' });
  bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
  alice = hs.model.addUser({ localpart: 'alice' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-startup-'));
});
afterAll(async () => {
  await hs?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(edit: (raw: Record<string, any>) => void = () => {}): string {
  const raw = JSON.parse(fs.readFileSync(path.join(ROOT, 'bot.config.json'), 'utf8'));
  raw.homeserver.url = hs.url;
  raw.dataDir = path.join(dir, 'data');
  edit(raw);
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

const PASSPHRASE = { DSAR_BOT_CRYPTO_PASSPHRASE: 'a passphrase for the start-up tests' };

/** Runs the command line; the store passphrase is set unless `env` sets it (undefined: not set). */
function runCli(configPath: string, env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const given = Object.fromEntries(Object.entries({ ...PASSPHRASE, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const child = spawn(process.execPath, ['--disable-warning=DEP0060', 'src/main.ts', '--config', configPath], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', DSAR_BOT_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...given },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('start-up failures', () => {
  it('a missing or short pseudonym key: exit 3 before any request reaches the homeserver, saying how to make one', async () => {
    for (const key of ['', 'too-short']) {
      const before = hs.requests.length;
      const { code, out } = await runCli(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: bot.accessToken, DSAR_BOT_PSEUDONYM_KEY: key });
      expect(code, out).toBe(3);
      expect(out).toContain('DSAR_BOT_PSEUDONYM_KEY');
      expect(out).toContain('openssl rand -hex 32');
      expect(hs.requests.length).toBe(before);
    }
  });

  it('a missing token: reported before any request reaches the homeserver', async () => {
    const before = hs.requests.length;
    const { code, out } = await runCli(writeConfig(), {});
    expect(code).toBe(2);
    expect(out).toContain('DSAR_BOT_ACCESS_TOKEN');
    expect(hs.requests.length).toBe(before);
  });

  it('an invalid config file: every problem at once, exit without touching the homeserver', async () => {
    const before = hs.requests.length;
    const { code, out } = await runCli(
      writeConfig((raw) => {
        raw.bot.userId = 'privacybot';
        raw.homeserver.servername = 'x';
      }),
      { DSAR_BOT_ACCESS_TOKEN: bot.accessToken },
    );
    expect(code).toBe(2);
    expect(out).toContain('bot.userId');
    expect(out).toContain('serverName');
    expect(out).not.toContain(bot.accessToken);
    expect(hs.requests.length).toBe(before);
  });

  it('an unreachable homeserver', async () => {
    const { code, out } = await runCli(
      writeConfig((raw) => (raw.homeserver.url = 'http://127.0.0.1:9')),
      { DSAR_BOT_ACCESS_TOKEN: bot.accessToken },
    );
    expect(code).toBe(3);
    expect(out).toMatch(/reach|connect|refused/i);
    expect(out).not.toContain(bot.accessToken);
  });

  it('a token the homeserver does not know', async () => {
    const { code, out } = await runCli(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: 'syt_not_a_real_token_0123456789' });
    expect(code).toBe(3);
    expect(out).toContain('refused DSAR_BOT_ACCESS_TOKEN');
    expect(out).not.toContain('syt_not_a_real_token_0123456789');
  });

  it('a token of another account than bot.userId', async () => {
    const { code, out } = await runCli(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: alice.accessToken });
    expect(code).toBe(3);
    expect(out).toContain('belongs to @alice:example.org');
    expect(out).not.toContain(alice.accessToken);
  });

  it('an admin token of a non-admin', async () => {
    const { code, out } = await runCli(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: bot.accessToken, DSAR_ADMIN_ACCESS_TOKEN: alice.accessToken });
    expect(code).toBe(3);
    expect(out).toContain('not a server admin');
    expect(out).toContain('DSAR_ADMIN_ACCESS_TOKEN');
    expect(out).not.toContain(alice.accessToken);
  });

  it('encryption on without DSAR_BOT_CRYPTO_PASSPHRASE: refused before anything reaches the homeserver', async () => {
    const before = hs.requests.length;
    const { code, out } = await runCli(
      writeConfig((raw) => (raw.bot.encryption = 'required')),
      { DSAR_BOT_ACCESS_TOKEN: bot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: undefined },
    );
    expect(code).toBe(3);
    expect(out).toContain('Cannot start: end-to-end encryption is on (bot.encryption is "required"), but DSAR_BOT_CRYPTO_PASSPHRASE is not set.');
    expect(out).toContain('bot.encryption to "off"');
    expect(hs.requests.length).toBe(before);
  });

  it('a passphrase too short to protect the store is refused', async () => {
    const { code, out } = await runCli(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: bot.accessToken, DSAR_BOT_CRYPTO_PASSPHRASE: 'hunter2' });
    expect(code).toBe(3);
    expect(out).toContain('DSAR_BOT_CRYPTO_PASSPHRASE is shorter than 16 characters');
    expect(out).not.toContain('hunter2');
  });
});
