import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_IDS } from '../../src/config/categories.ts';
import { formatProblems, loadConfig, SAMPLE_CONFIG_PATH } from '../../src/config/load.ts';
import { ADMIN_TOKEN, BOT_TOKEN, ENV, expectSafeAndReadable, problemAt, tempDir, writeConfig, writeText } from './helpers.ts';

function failure(file: string, env: NodeJS.ProcessEnv = ENV) {
  const result = loadConfig(file, env);
  if (result.ok) throw new Error('expected the config to be rejected');
  expectSafeAndReadable(result.problems);
  return result.problems;
}

describe('the shipped bot.config.json', () => {
  it('validates, with the 644.ro policy and every category declared', () => {
    const result = loadConfig(SAMPLE_CONFIG_PATH, ENV);
    if (!result.ok) throw new Error(formatProblems(result.problems, SAMPLE_CONFIG_PATH));
    const { config } = result;
    expect(config.homeserver).toEqual({ url: 'http://127.0.0.1:8008', serverName: 'example.org', requestTimeoutMs: 30000 });
    expect(config.bot.userId).toBe('@privacybot:example.org');
    expect(config.privacyContact.email).toBe('dnsadmin@644.ro');
    expect(config.policy.controller).toContain('644.ro');
    expect(config.policy.supervisoryAuthority.name).toContain('PDPC');
    expect(config.policy.supervisoryAuthority.name).toMatch(/EU/);
    expect(config.policy.responseDays).toBe(30);
    expect(Object.keys(config.policy.categories)).toEqual([...CATEGORY_IDS]);
    const notStored = CATEGORY_IDS.filter((id) => !config.policy.categories[id].stored);
    expect(notStored).toEqual(['ipAddresses', 'userAgents', 'connectionTimes']);
    // The policy shares nothing except through federation (and push, at the user's app's request).
    expect(config.policy.categories.messages.recipients.join(' ')).toMatch(/federation/);
    expect(config.policy.categories.emails.recipients).toEqual([]);
    expect(config.policy.categories.messages.retention).toMatch(/room's settings/);
    expect(config.policy.categories.account.retention).toMatch(/delete your account/);
  });
});

describe('the file', () => {
  it('missing: names the path tried and how to create it from the sample', () => {
    const dir = tempDir();
    const tried = path.join(dir, 'nowhere.json');
    const problems = failure(tried);
    const p = problemAt(problems, '(file)');
    expect(p.problem).toContain(tried);
    expect(p.example).toContain(`cp '${SAMPLE_CONFIG_PATH}' '${tried}'`);
    expect(p.expected).toMatch(/--config/);
    expect(problems).toHaveLength(1);
  });

  it('missing, and no token: both reported at once', () => {
    const problems = failure(path.join(tempDir(), 'nowhere.json'), {});
    expect(problems.map((p) => p.path)).toEqual(['(file)', 'env DSAR_BOT_ACCESS_TOKEN']);
  });

  it('a folder instead of a file', () => {
    const dir = tempDir();
    const p = problemAt(failure(dir), '(file)');
    expect(p.problem).toBe(`${dir} is a folder, not a file.`);
  });

  it('an empty --config value is reported, not thrown', () => {
    const p = problemAt(failure(''), '(file)');
    expect(p.problem).toMatch(/No configuration file path was given/);
  });

  it('bad JSON: reports line and column, and shows the line', () => {
    const file = writeText('{\n  "homeserver": { "url": "http://127.0.0.1:8008", "serverName": "example.org" },\n  "dataDir": "./data",\n}\n');
    const p = problemAt(failure(file), '(file)');
    expect(p.problem).toContain(`${file} is not valid JSON: line 4, column 1: there is a comma after the last entry`);
    expect(p.problem).toContain('\n}\n^');
  });

  it('bad JSON on a line with a token: the token is not shown', () => {
    const secret = 'syt_fake-file-token_FileSecret_9z8y7x';
    const file = writeText(`{\n  "bot": { "userId": "@privacybot:example.org", "access_token": "${secret}" "x": 1 }\n}\n`);
    const problems = failure(file);
    expect(problemAt(problems, '(file)').problem).toContain('line 2, column');
    expectSafeAndReadable(problems, [secret]);
  });

  it('bad JSON where the token itself is the error (pasted without quotes): the token is not shown', () => {
    const secret = 'syt_fake-file-token_RightAtTheError_5w4v';
    const file = writeText(`{\n  "bot": { "userId": "@privacybot:example.org", "accessToken": ${secret} }\n}\n`);
    const problems = failure(file);
    const p = problemAt(problems, '(file)');
    expect(p.problem).toContain(
      `line 2, column ${'  "bot": { "userId": "@privacybot:example.org", "accessToken": '.length + 1}: text must be in double quotes`,
    );
    expect(p.problem).toContain(`"accessToken": ${'*'.repeat(secret.length)} }`);
    expectSafeAndReadable(problems, [secret]);
  });

  it('a byte-order mark at the start is accepted', () => {
    const file = writeText(`\uFEFF${fs.readFileSync(SAMPLE_CONFIG_PATH, 'utf8')}`);
    expect(loadConfig(file, ENV).ok).toBe(true);
  });

  it('relative dataDir resolves against the config file folder, not the working directory', () => {
    const dir = path.join(tempDir(), 'etc');
    fs.mkdirSync(dir);
    const file = writeConfig((raw) => (raw.dataDir = './state'), dir);
    const result = loadConfig(path.relative(process.cwd(), file), ENV);
    if (!result.ok) throw new Error(formatProblems(result.problems, file));
    expect(result.config.dataDir).toBe(path.join(dir, 'state'));
    expect(result.configPath).toBe(file);
    expect(path.isAbsolute(result.configPath)).toBe(true);
  });

  it('absolute dataDir is kept', () => {
    const elsewhere = path.join(tempDir(), 'data');
    const result = loadConfig(
      writeConfig((raw) => (raw.dataDir = elsewhere)),
      ENV,
    );
    expect(result.ok && result.config.dataDir).toBe(elsewhere);
  });
});

describe('secrets', () => {
  it('missing DSAR_BOT_ACCESS_TOKEN is the only problem of a good file', () => {
    const problems = failure(writeConfig(), {});
    const p = problemAt(problems, 'env DSAR_BOT_ACCESS_TOKEN');
    expect(p.problem).toMatch(/access token is not set/);
    expect(p.example).toContain('export DSAR_BOT_ACCESS_TOKEN=');
    expect(problems).toHaveLength(1);
  });

  it('an empty DSAR_BOT_ACCESS_TOKEN counts as missing', () => {
    problemAt(failure(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: '  \n' }), 'env DSAR_BOT_ACCESS_TOKEN');
  });

  it('a misnamed token variable is pointed out by name, never by value', () => {
    const problems = failure(writeConfig(), { DSAR_BOT_TOKEN: BOT_TOKEN });
    expect(problemAt(problems, 'env DSAR_BOT_ACCESS_TOKEN').problem).toContain('DSAR_BOT_TOKEN is set: did you mean DSAR_BOT_ACCESS_TOKEN?');
  });

  it('a token with spaces (e.g. "Bearer ...") is rejected without echoing it', () => {
    const problems = failure(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: `Bearer ${BOT_TOKEN}` });
    expect(problemAt(problems, 'env DSAR_BOT_ACCESS_TOKEN').problem).toMatch(/contains spaces/);
  });

  it('without DSAR_ADMIN_ACCESS_TOKEN the bot token is used for the admin API', () => {
    const result = loadConfig(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: `${BOT_TOKEN}\n` });
    expect(result.ok && result.secrets).toEqual({
      botToken: BOT_TOKEN,
      adminToken: BOT_TOKEN,
      adminTokenIsSeparate: false,
      cryptoPassphrase: null,
      pseudonymKey: null,
      smtpPassword: null,
    });
  });

  it('reads the pseudonym key and the SMTP password from the environment', () => {
    const result = loadConfig(writeConfig(), {
      DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN,
      DSAR_BOT_PSEUDONYM_KEY: `${' k'.repeat(20)}\n`,
      DSAR_SMTP_PASSWORD: ' pass word ',
    });
    expect(result.ok && [result.secrets.pseudonymKey, result.secrets.smtpPassword]).toEqual(['k '.repeat(20).trim(), ' pass word ']);
  });

  it('with DSAR_ADMIN_ACCESS_TOKEN the admin token is separate', () => {
    const result = loadConfig(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN, DSAR_ADMIN_ACCESS_TOKEN: ADMIN_TOKEN });
    expect(result.ok && result.secrets).toEqual({
      botToken: BOT_TOKEN,
      adminToken: ADMIN_TOKEN,
      adminTokenIsSeparate: true,
      cryptoPassphrase: null,
      pseudonymKey: null,
      smtpPassword: null,
    });
  });

  it('reads the crypto store passphrase as given, without a trailing line break from a file', () => {
    const result = loadConfig(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN, DSAR_BOT_CRYPTO_PASSPHRASE: '  spaces count here  \n' });
    expect(result.ok && result.secrets.cryptoPassphrase).toBe('  spaces count here  ');
  });

  it('a passphrase written in the file names DSAR_BOT_CRYPTO_PASSPHRASE', () => {
    const problems = failure(
      writeConfig((raw) => (raw.bot.cryptoPassphrase = 'not here')),
      { DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN },
    );
    const problem = problems.find((p) => p.path === 'bot.cryptoPassphrase');
    expect(problem?.expected).toBe('the passphrase of the end-to-end encryption store in the environment variable DSAR_BOT_CRYPTO_PASSPHRASE');
    expect(JSON.stringify(problems)).not.toContain('not here');
  });

  it('a token-like key in the file is an error that names the environment variable and hides the value', () => {
    const fileSecret = 'syt_aW5maWxl_InFileSecret_123456';
    const problems = failure(
      writeConfig((raw) => {
        raw.bot.accessToken = fileSecret;
        raw.homeserver.adminToken = 'plain-words-but-secret';
        raw.password = 'hunter2-but-longer';
      }),
    );
    const bot = problemAt(problems, 'bot.accessToken');
    expect(bot.problem).toContain('must not be written in the config file');
    expect(bot.expected).toContain('DSAR_BOT_ACCESS_TOKEN');
    expect(problemAt(problems, 'homeserver.adminToken').expected).toContain('DSAR_ADMIN_ACCESS_TOKEN');
    expect(problemAt(problems, 'password').problem).toMatch(/does not sign in with a password/);
    expect(problems).toHaveLength(3); // not also reported as unknown settings
    expectSafeAndReadable(problems, [fileSecret, 'plain-words-but-secret', 'hunter2-but-longer']);
  });

  it('the environment tokens never appear, even if the file quotes them', () => {
    const problems = failure(
      writeConfig((raw) => (raw.bot.userId = ADMIN_TOKEN)),
      { DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN, DSAR_ADMIN_ACCESS_TOKEN: ADMIN_TOKEN },
    );
    expect(problemAt(problems, 'bot.userId').problem).toMatch(/looks like a secret, not shown/);
  });
  it('a token that does not look like one is still hidden if the file repeats it', () => {
    const token = 'plain-words-token';
    const problems = failure(
      writeConfig((raw) => (raw.bot.userId = token)),
      { DSAR_BOT_ACCESS_TOKEN: token },
    );
    const p = problemAt(problems, 'bot.userId');
    expect(p.problem).toContain('(secret not shown)');
    expectSafeAndReadable(problems, [token]);
  });
});

describe('reporting', () => {
  it('reports several problems together, each with path, expectation and example', () => {
    const file = writeConfig((raw) => {
      raw.homeserver.url = 8008;
      raw.bot.encryption = 'sometimes';
      raw.admins = [];
      raw.privacyContact.email = 'privacy.example.org';
      delete raw.policy.categories.pushers;
    });
    const problems = failure(file, {});
    expect(problems.map((p) => p.path)).toEqual([
      'homeserver.url',
      'bot.encryption',
      'admins',
      'privacyContact.email',
      'policy.categories.pushers',
      'env DSAR_BOT_ACCESS_TOKEN',
    ]);
    const text = formatProblems(problems, file);
    expect(text.split('\n')[0]).toBe(`The bot cannot start: 6 problems in its configuration (${file}).`);
    expect(text).toContain('\n6. env DSAR_BOT_ACCESS_TOKEN\n');
    expect(text.match(/^ {3}Expected: /gm)).toHaveLength(6);
    expect(text.match(/^ {3}Example: {2}/gm)).toHaveLength(6);
    expect(text.trimEnd().split('\n').at(-1)).toBe('Every setting is explained in README.md, section "Configuration".');
  });
});

describe('secrets from files (<NAME>_FILE, as Docker secrets)', () => {
  const secretFile = (content: string, mode: number) => {
    const file = path.join(tempDir(), 'secret');
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
    return file;
  };

  it('reads a token and the pseudonym key from owner-only files, without the trailing line break', () => {
    const result = loadConfig(writeConfig(), {
      DSAR_BOT_ACCESS_TOKEN_FILE: secretFile(`${BOT_TOKEN}\n`, 0o600),
      DSAR_BOT_PSEUDONYM_KEY_FILE: secretFile('k'.repeat(40), 0o400),
    });
    expect(result.ok && [result.secrets.botToken, result.secrets.pseudonymKey]).toEqual([BOT_TOKEN, 'k'.repeat(40)]);
  });

  it('refuses a file that group or others can read, without showing what is in it', () => {
    const file = secretFile(BOT_TOKEN, 0o644);
    const problems = failure(writeConfig(), { DSAR_BOT_ACCESS_TOKEN_FILE: file });
    const p = problemAt(problems, 'env DSAR_BOT_ACCESS_TOKEN_FILE');
    expect(p.problem).toContain('mode 644');
    expect(p.example).toBe(`chmod 600 '${file}'   (and replace the secret if others may have read it)`);
    expect(JSON.stringify(problems)).not.toContain(BOT_TOKEN);
  });

  it('refuses both the variable and its file, and a file that is not there', () => {
    const both = failure(writeConfig(), { DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN, DSAR_BOT_ACCESS_TOKEN_FILE: secretFile(BOT_TOKEN, 0o600) });
    expect(problemAt(both, 'env DSAR_BOT_ACCESS_TOKEN_FILE').problem).toContain('Both DSAR_BOT_ACCESS_TOKEN and DSAR_BOT_ACCESS_TOKEN_FILE are set');
    const missing = failure(writeConfig(), { DSAR_BOT_ACCESS_TOKEN_FILE: '/nonexistent/token' });
    expect(problemAt(missing, 'env DSAR_BOT_ACCESS_TOKEN_FILE').problem).toContain('cannot be read (ENOENT)');
  });
});
