// Secrets may come from files named by `<NAME>_FILE` variables (the Docker secrets
// convention), e.g. DSAR_BOT_ACCESS_TOKEN_FILE=/run/secrets/bot_token. A file that others
// could read is refused: the secret would already be exposed.
import fs from 'node:fs';
import type { ConfigProblem } from './problems.ts';
import { ADMIN_TOKEN_ENV, BOT_TOKEN_ENV, CRYPTO_PASSPHRASE_ENV, PSEUDONYM_KEY_ENV, SMTP_PASSWORD_ENV } from './secret-keys.ts';

const SECRET_ENVS = [BOT_TOKEN_ENV, ADMIN_TOKEN_ENV, CRYPTO_PASSPHRASE_ENV, PSEUDONYM_KEY_ENV, SMTP_PASSWORD_ENV] as const;

const problem = (name: string, text: string, expected: string, example: string): ConfigProblem => ({
  path: `env ${name}_FILE`,
  problem: text,
  expected,
  example,
});

/** The environment with every `<NAME>_FILE` read into `<NAME>`; problems name files, never contents. */
export function resolveSecretFiles(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; problems: ConfigProblem[] } {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const problems: ConfigProblem[] = [];
  for (const name of SECRET_ENVS) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(
        problem(name, `Both ${name} and ${name}_FILE are set, so it is unclear which secret to use.`, `one of ${name} or ${name}_FILE`, `unset ${name}`),
      );
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      problems.push(
        problem(
          name,
          `${name}_FILE names ${file}, which cannot be read (${code}).`,
          'the path of a file holding only the secret',
          `${name}_FILE=/run/secrets/${name.toLowerCase()}`,
        ),
      );
      continue;
    }
    if (!stat.isFile()) {
      problems.push(
        problem(
          name,
          `${name}_FILE names ${file}, which is not a file.`,
          'the path of a file holding only the secret',
          `${name}_FILE=/run/secrets/${name.toLowerCase()}`,
        ),
      );
      continue;
    }
    if ((stat.mode & 0o077) !== 0) {
      problems.push(
        problem(
          name,
          `${file} (from ${name}_FILE) can be read by others than its owner (mode ${(stat.mode & 0o777).toString(8)}), so the secret in it is not secret. The bot does not use it.`,
          'a file only its owner can read or write (mode 600 or 400)',
          `chmod 600 '${file}'   (and replace the secret if others may have read it)`,
        ),
      );
      continue;
    }
    // A trailing line break (as editors and `echo` write) is not part of the secret.
    resolved[name] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  }
  return { env: resolved, problems };
}
