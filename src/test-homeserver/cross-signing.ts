// POST /_matrix/client/v3/keys/device_signing/upload: a user's cross-signing keys, stored as
// uploaded and served by keys/query. As measured on Synapse 1.160: the first upload needs no
// interactive auth (MSC3967), the same keys again are accepted, a self-signing or user-signing
// key must carry a valid signature by the master key (400 M_INVALID_SIGNATURE), and the keys
// survive deactivation, erase or not. Changing keys already set up needs the account's password.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { MatrixError } from './errors.ts';
import type { Reply, RequestContext } from './http.ts';
import { json, jsonBody, requireAuth } from './http.ts';
import type { JsonObject, UserRecord } from './model.ts';

const USAGES = { master_key: 'master', self_signing_key: 'self_signing', user_signing_key: 'user_signing' } as const;

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Canonical JSON: sorted keys, no spaces (what Matrix signatures cover). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The key's one ed25519 public key (unpadded base64), or null. */
function ed25519Of(key: JsonObject): { id: string; publicKey: string } | null {
  const keys = isObject(key['keys']) ? key['keys'] : {};
  const id = Object.keys(keys).find((k) => k.startsWith('ed25519:'));
  return id && typeof keys[id] === 'string' ? { id, publicKey: keys[id] as string } : null;
}

/** Whether `signed` carries a valid signature of `userId` by the master key. */
function signedByMaster(signed: JsonObject, master: JsonObject, userId: string): boolean {
  const masterKey = ed25519Of(master);
  const signature = isObject(signed['signatures']) && isObject(signed['signatures'][userId]) ? signed['signatures'][userId][masterKey?.id ?? ''] : undefined;
  if (!masterKey || typeof signature !== 'string') return false;
  const { signatures: _signatures, unsigned: _unsigned, ...body } = signed;
  try {
    const raw = Buffer.from(masterKey.publicKey, 'base64');
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    return verify(null, Buffer.from(canonicalJson(body)), createPublicKey({ key: spki, format: 'der', type: 'spki' }), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function passwordAuth(user: UserRecord, auth: unknown): boolean {
  return isObject(auth) && auth['type'] === 'm.login.password' && user.password !== null && auth['password'] === user.password;
}

export function deviceSigningUpload(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const user = ctx.state.model.user(token.userId);
  if (!user) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.');
  const body = jsonBody(ctx);
  const uploaded = new Map<string, JsonObject>();
  for (const [field, usage] of Object.entries(USAGES)) {
    const key = body[field];
    if (isObject(key)) uploaded.set(usage, key);
  }
  // synapse/rest/client/keys.py SigningKeyUploadServlet: the same keys again are fine, a first
  // set-up needs no auth (MSC3967), a change to keys already set up needs the password.
  const different = [...uploaded].some(([usage, key]) => canonicalJson(user.crossSigningKeys.get(usage) ?? null) !== canonicalJson(key));
  if (!different) return json({});
  const current = user.crossSigningKeys.get('master');
  const newMaster = uploaded.get('master');
  if (current && !passwordAuth(user, body['auth'])) {
    // Synapse's interactive-auth challenge: no errcode until a stage fails.
    return json({ session: randomBytes(12).toString('base64url'), flows: [{ stages: ['m.login.password'] }], params: {} }, 401);
  }
  const master = newMaster ?? current;
  for (const usage of ['self_signing', 'user_signing']) {
    const key = uploaded.get(usage);
    if (key && (!master || !signedByMaster(key, master, token.userId))) {
      throw new MatrixError(400, 'M_INVALID_SIGNATURE', `Invalid signature on ${usage} key`);
    }
  }
  for (const [usage, key] of uploaded) user.crossSigningKeys.set(usage, key);
  return json({});
}
