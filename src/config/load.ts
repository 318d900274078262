// Loading the configuration at start-up: the file, its JSON, its settings and
// the secrets from the environment, with every problem reported at once.
// The public API of src/config is re-exported here.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findJsonSyntaxError } from './json-error.ts';
import type { ConfigProblem } from './problems.ts';
import { scrub } from './redact.ts';
import type { BotConfig } from './schema.ts';
import { resolveSecretFiles } from './secret-files.ts';
import { ADMIN_TOKEN_ENV, BOT_TOKEN_ENV } from './secret-keys.ts';
import { readSecrets, type Secrets } from './secrets.ts';
import { validateConfig } from './validate.ts';

export { CATEGORY_CONTENTS, CATEGORY_IDS, CATEGORY_LABELS, CategoryId } from './categories.ts';
export { CONFIG_ENV, configPathFrom, DEFAULT_CONFIG_PATH } from './config-path.ts';
export { CategoryDeclaration, CategoryDeclarations, MAX_RESPONSE_DAYS, Policy, SupervisoryAuthority } from './policy.ts';
export { type ConfigProblem, formatProblems } from './problems.ts';
export { BotConfig, DEFAULT_REQUEST_TIMEOUT_MS, ENCRYPTION_MODES } from './schema.ts';
export { ADMIN_TOKEN_ENV, BOT_TOKEN_ENV, CRYPTO_PASSPHRASE_ENV } from './secret-keys.ts';
export type { Secrets } from './secrets.ts';
export { type ValidationResult, validateConfig } from './validate.ts';

export type LoadResult = { ok: true; config: BotConfig; secrets: Secrets; configPath: string } | { ok: false; problems: ConfigProblem[] };

/** The sample configuration shipped with the bot (bot.config.json at the repository root). */
export const SAMPLE_CONFIG_PATH = fileURLToPath(new URL('../../bot.config.json', import.meta.url));

const FILE = '(file)';

function readProblem(error: unknown, path: string): ConfigProblem {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return {
        path: FILE,
        problem: `There is no configuration file at ${path}.`,
        expected: 'a JSON configuration file at that path, or the path of yours given with --config PATH or the environment variable DSAR_BOT_CONFIG',
        example:
          path === SAMPLE_CONFIG_PATH
            ? 'create it with the settings described in README.md'
            : `start from the sample: cp '${SAMPLE_CONFIG_PATH}' '${path}'  and then edit it`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        path: FILE,
        problem: `The configuration file ${path} cannot be read: permission denied.`,
        expected: 'a file the user running the bot may read',
        example: `chmod a+r '${path}'  (or run the bot as the file's owner)`,
      };
    case 'EISDIR':
      return {
        path: FILE,
        problem: `${path} is a folder, not a file.`,
        expected: 'the path of the configuration file itself',
        example: `--config '${resolve(path, 'bot.config.json')}'`,
      };
    default:
      return {
        path: FILE,
        problem: `The configuration file ${path} cannot be read${code ? ` (${code})` : ''}.`,
        expected: 'a readable JSON file',
        example: `check the file with: ls -l '${path}'`,
      };
  }
}

function parse(text: string, path: string): { json: unknown } | { problem: ConfigProblem } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors may add a byte-order mark
  try {
    return { json: JSON.parse(body) as unknown };
  } catch {
    const found = findJsonSyntaxError(body);
    return {
      problem: {
        path: FILE,
        problem: found
          ? `${path} is not valid JSON: line ${found.line}, column ${found.column}: ${found.message}.${found.excerpt === '' ? '' : `\n${found.excerpt}`}`
          : `${path} is not valid JSON.`,
        expected: 'a JSON object: setting names and text in double quotes, commas between entries, no trailing commas, no comments',
        example: '{ "homeserver": { "url": "http://127.0.0.1:8008", "serverName": "example.org" }, ... }',
      },
    };
  }
}

/** Reads and validates the config file alone (the command-line tools need no secrets). Synchronous; never throws. */
export function loadConfigFile(configPath: string): { config: BotConfig | null; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let config: BotConfig | null = null;
  const path = configPath.trim() === '' ? '' : resolve(configPath);

  try {
    if (path === '') {
      problems.push({
        path: FILE,
        problem: 'No configuration file path was given (is --config missing its value, or followed by another option?).',
        expected: 'the path of the configuration file after --config',
        example: '--config /etc/matrix-dsar-bot/bot.config.json',
      });
    } else {
      let text: string | null = null;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        problems.push(readProblem(error, path));
      }
      if (text !== null) {
        const parsed = parse(text, path);
        if ('problem' in parsed) problems.push(parsed.problem);
        else {
          const result = validateConfig(parsed.json);
          if (result.ok) config = { ...result.config, dataDir: resolve(dirname(path), result.config.dataDir) };
          else problems.push(...result.problems);
        }
      }
    }
  } catch {
    // Defensive: nothing above should throw, but start-up must get a report, not a stack trace.
    problems.push({ path: FILE, problem: `The configuration file ${path} could not be checked.`, expected: 'a readable JSON file', example: '' });
  }
  return { config, problems };
}

/** Reads and validates the config file and the environment. Synchronous; never throws. */
export function loadConfig(configPath: string, env: NodeJS.ProcessEnv): LoadResult {
  const { config, problems } = loadConfigFile(configPath);
  const path = configPath.trim() === '' ? '' : resolve(configPath);
  const fromFiles = resolveSecretFiles(env);
  const { secrets, problems: secretProblems } = readSecrets(fromFiles.env);
  problems.push(...fromFiles.problems, ...secretProblems);

  if (problems.length > 0 || config === null || secrets === null) {
    // Belt and braces: no message may carry a token from the environment.
    const hidden = [fromFiles.env[BOT_TOKEN_ENV], fromFiles.env[ADMIN_TOKEN_ENV]].flatMap((v) => (v && v.trim() !== '' ? [v, v.trim()] : []));
    return {
      ok: false,
      problems: problems.map((p) => ({
        path: p.path,
        problem: scrub(p.problem, hidden),
        expected: scrub(p.expected, hidden),
        example: scrub(p.example, hidden),
      })),
    };
  }
  return { ok: true, config, secrets, configPath: path };
}
