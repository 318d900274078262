// Validation of an already-parsed config object: pure, no files, no environment.
import { hintFor, pathText } from './hints.ts';
import { problemsFromIssues } from './issues.ts';
import type { ConfigProblem } from './problems.ts';
import { BotConfig } from './schema.ts';
import { ADMIN_TOKEN_ENV, BOT_TOKEN_ENV, CRYPTO_PASSPHRASE_ENV, findSecretKeys } from './secret-keys.ts';

const SECRET_DESCRIPTIONS: Record<string, string> = {
  [BOT_TOKEN_ENV]: "the bot account's access token",
  [ADMIN_TOKEN_ENV]: 'the admin API access token',
  [CRYPTO_PASSPHRASE_ENV]: 'the passphrase of the end-to-end encryption store',
};

export type ValidationResult = { ok: true; config: BotConfig } | { ok: false; problems: ConfigProblem[] };

/** Checks `json` against the schema and reports every problem at once. dataDir is left as written. */
export function validateConfig(json: unknown): ValidationResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const kind = Array.isArray(json) ? 'a list [...]' : json === null ? 'null' : `a single ${typeof json} value`;
    const hint = hintFor([], json);
    return {
      ok: false,
      problems: [{ path: '(file)', problem: `The file contains ${kind}, but it must contain a JSON object { ... }.`, ...hint }],
    };
  }

  const secretKeys = findSecretKeys(json);
  const problems: ConfigProblem[] = secretKeys.map((found) => {
    const key = JSON.stringify(found.key);
    const what = SECRET_DESCRIPTIONS[found.envVar] ?? 'the secret';
    return {
      path: pathText(found.path),
      problem:
        `${key} looks like a secret, and secrets must not be written in the config file (its value is not shown here). ` +
        (found.isPassword ? 'The bot does not sign in with a password: it uses an access token from the environment. ' : '') +
        'If this file has been shared, copied or committed anywhere, treat the secret as leaked and replace it.',
      expected: `${what} in the environment variable ${found.envVar}`,
      example: `remove ${key} from the file, and start the bot with ${found.envVar}='<${found.envVar === CRYPTO_PASSPHRASE_ENV ? 'passphrase' : 'token'}>' in its environment`,
    };
  });

  const result = BotConfig.safeParse(json);
  if (!result.success) {
    problems.push(...problemsFromIssues(result.error.issues, json, new Set(secretKeys.map((f) => pathText(f.path)))));
  }
  if (problems.length > 0 || !result.success) return { ok: false, problems };
  return { ok: true, config: result.data };
}
