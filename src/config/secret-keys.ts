// Secrets never belong in the config file. A key that looks like one is
// reported with the environment variable to use instead, never with its value.

export const BOT_TOKEN_ENV = 'DSAR_BOT_ACCESS_TOKEN';
export const ADMIN_TOKEN_ENV = 'DSAR_ADMIN_ACCESS_TOKEN';
/** Encrypts the end-to-end encryption store at rest. */
export const CRYPTO_PASSPHRASE_ENV = 'DSAR_BOT_CRYPTO_PASSPHRASE';
export const PSEUDONYM_KEY_ENV = 'DSAR_BOT_PSEUDONYM_KEY';
export const SMTP_PASSWORD_ENV = 'DSAR_SMTP_PASSWORD';

const SECRET_KEY = /token|passw(or)?d|passphrase|secret|apikey|privatekey|credential|bearer/;

/** True for keys like accessToken, access_token, token, password, adminToken, registrationSharedSecret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z]/g, ''));
}

export type SecretKeyFound = { path: (string | number)[]; key: string; envVar: string; isPassword: boolean };

/** Every secret-looking key anywhere in the parsed file. Values are not looked at. */
export function findSecretKeys(raw: unknown): SecretKeyFound[] {
  const found: SecretKeyFound[] = [];
  const visit = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, [...path, index]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (isSecretKey(key)) {
          const norm = key.toLowerCase();
          const isAdmin = norm.includes('admin') || path.some((p) => typeof p === 'string' && p.toLowerCase().includes('admin'));
          found.push({
            path: [...path, key],
            key,
            envVar: norm.includes('passphrase') ? CRYPTO_PASSPHRASE_ENV : isAdmin ? ADMIN_TOKEN_ENV : BOT_TOKEN_ENV,
            isPassword: /passw(or)?d/.test(norm),
          });
        } else {
          visit(child, [...path, key]);
        }
      }
    }
  };
  visit(raw, []);
  return found;
}
