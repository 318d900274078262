// The bot's secrets come only from the environment, never from the file.
import { closest } from './did-you-mean.ts';
import type { ConfigProblem } from './problems.ts';
import { ADMIN_TOKEN_ENV, BOT_TOKEN_ENV, CRYPTO_PASSPHRASE_ENV, PSEUDONYM_KEY_ENV, SMTP_PASSWORD_ENV } from './secret-keys.ts';

export type Secrets = {
  /** The bot account's access token (DSAR_BOT_ACCESS_TOKEN). */
  botToken: string;
  /** The token for the homeserver admin API: DSAR_ADMIN_ACCESS_TOKEN, or the bot token when that is not set. */
  adminToken: string;
  /** True when DSAR_ADMIN_ACCESS_TOKEN is set and differs from the bot token. */
  adminTokenIsSeparate: boolean;
  /**
   * DSAR_BOT_CRYPTO_PASSPHRASE: encrypts the end-to-end encryption store; null when not set.
   * Needed only with encryption on, so its absence is a start-up error (run.ts), not a config problem.
   */
  cryptoPassphrase: string | null;
  /** DSAR_BOT_PSEUDONYM_KEY: the key of the pseudonyms of closed requests. Required at start-up (src/run.ts). */
  pseudonymKey: string | null;
  /** DSAR_SMTP_PASSWORD, when mail is configured with a user. */
  smtpPassword: string | null;
};

/** An environment value as a token: surrounding whitespace (a trailing newline from a file) removed; empty means not set. */
function tokenFrom(value: string | undefined): string | null {
  const t = (value ?? '').trim();
  return t === '' ? null : t;
}

function malformed(name: string, token: string): ConfigProblem | null {
  let why: string | null = null;
  if (/\s/.test(token)) why = 'contains spaces or line breaks (write only the token, without "Bearer")';
  else if (/^["']|["']$/.test(token)) why = 'starts or ends with a quote character';
  if (why === null) return null;
  return {
    path: `env ${name}`,
    problem: `The token in ${name} ${why} (its value is not shown).`,
    expected: 'only the access token itself, without quotes, "Bearer" or spaces',
    example: `export ${name}='<the token, e.g. as shown by your client or the login API>'`,
  };
}

/** Reads the tokens from the environment; every problem is reported, never a value. */
export function readSecrets(env: NodeJS.ProcessEnv): { secrets: Secrets | null; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const botToken = tokenFrom(env[BOT_TOKEN_ENV]);
  const adminGiven = tokenFrom(env[ADMIN_TOKEN_ENV]);

  if (botToken === null) {
    // A likely misnamed variable: another DSAR_*TOKEN*, or a name a typo away. Only its name is shown.
    const others = Object.keys(env).filter((k) => k !== BOT_TOKEN_ENV && k !== ADMIN_TOKEN_ENV && tokenFrom(env[k]) !== null);
    const similar = others.find((k) => /DSAR/i.test(k) && /TOKEN/i.test(k)) ?? closest(BOT_TOKEN_ENV, others);
    problems.push({
      path: `env ${BOT_TOKEN_ENV}`,
      problem:
        `The bot's access token is not set: the environment variable ${BOT_TOKEN_ENV} is missing or empty.` +
        (similar !== null ? ` ${similar} is set: did you mean ${BOT_TOKEN_ENV}?` : ''),
      expected: `the bot account's Matrix access token in the environment variable ${BOT_TOKEN_ENV} (never in the config file)`,
      example: `export ${BOT_TOKEN_ENV}='<the bot account's access token>'   (or set it in the service's environment file)`,
    });
  } else {
    const bad = malformed(BOT_TOKEN_ENV, botToken);
    if (bad) problems.push(bad);
  }
  if (adminGiven !== null) {
    const bad = malformed(ADMIN_TOKEN_ENV, adminGiven);
    if (bad) problems.push(bad);
  }

  if (botToken === null || problems.length > 0) return { secrets: null, problems };
  const adminToken = adminGiven ?? botToken;
  // A passphrase is used as given (spaces may be part of it); only a trailing line break from a file goes.
  const passphrase = (env[CRYPTO_PASSPHRASE_ENV] ?? '').replace(/\r?\n$/, '');
  return {
    secrets: {
      botToken,
      adminToken,
      adminTokenIsSeparate: adminToken !== botToken,
      cryptoPassphrase: passphrase === '' ? null : passphrase,
      pseudonymKey: tokenFrom(env[PSEUDONYM_KEY_ENV]),
      smtpPassword: env[SMTP_PASSWORD_ENV] === undefined || env[SMTP_PASSWORD_ENV] === '' ? null : env[SMTP_PASSWORD_ENV],
    },
    problems,
  };
}
