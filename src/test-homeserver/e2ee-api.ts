// The end-to-end encryption endpoints: keys/upload, keys/query, keys/claim and
// sendToDevice, answered the way Synapse 1.67 answers them (its KeyUploadServlet,
// KeyQueryServlet, OneTimeKeyServlet and SendToDeviceRestServlet). keys/query also
// shows the fake identity keys of devices seeded with `hasKeys`.
import { createHash } from 'node:crypto';
import { deviceSigningUpload } from './cross-signing.ts';
import { MatrixError } from './errors.ts';
import type { Reply, RequestContext, Router } from './http.ts';
import { json, jsonBody, requireAuth } from './http.ts';
import type { JsonObject } from './model.ts';

const C = '/_matrix/client/v3';

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Federation is simulated, not spoken: the servers of remote users cannot be asked, and
 * Synapse then reports them under `failures` (its _exception_to_failure for a server
 * it backs off from).
 */
function remoteFailures(model: RequestContext['state']['model'], userIds: string[]): JsonObject {
  const failures: JsonObject = {};
  for (const userId of userIds) {
    const server = userId.slice(userId.indexOf(':') + 1);
    if (server !== model.serverName) failures[server] = { status: 503, message: 'Not ready for retry' };
  }
  return failures;
}

function keysUpload(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  if (token.deviceId === null) throw new MatrixError(400, 'M_UNKNOWN', 'To upload keys, you must pass device_id when authenticating');
  const { e2ee } = ctx.state.model;
  const body = jsonBody(ctx);
  const deviceKeys = body['device_keys'];
  if (isObject(deviceKeys) && Object.keys(deviceKeys).length > 0) e2ee.setDeviceKeys(token.userId, token.deviceId, deviceKeys);
  const oneTimeKeys = body['one_time_keys'];
  if (isObject(oneTimeKeys) && Object.keys(oneTimeKeys).length > 0) e2ee.addOneTimeKeys(token.userId, token.deviceId, oneTimeKeys);
  const fallbackKeys = body['fallback_keys'] ?? body['org.matrix.msc2732.fallback_keys'];
  if (isObject(fallbackKeys)) e2ee.setFallbackKeys(token.userId, token.deviceId, fallbackKeys);
  else if (fallbackKeys !== undefined && fallbackKeys !== null && fallbackKeys !== false && fallbackKeys !== '') {
    throw new MatrixError(400, 'M_UNKNOWN', 'Parameter fallback_keys must be a dict');
  }
  return json({ one_time_key_counts: e2ee.oneTimeKeyCounts(token.userId, token.deviceId) });
}

function fakeKey(seed: string): string {
  return createHash('sha256').update(seed).digest('base64').replace(/=+$/, '');
}

/** The made-up identity keys of a device seeded with `hasKeys` (no real client behind it). */
function seededDeviceKeys(userId: string, deviceId: string, displayName: string | null): JsonObject {
  return {
    user_id: userId,
    device_id: deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: {
      [`curve25519:${deviceId}`]: fakeKey(`curve:${userId}:${deviceId}`),
      [`ed25519:${deviceId}`]: fakeKey(`ed:${userId}:${deviceId}`),
    },
    signatures: { [userId]: { [`ed25519:${deviceId}`]: fakeKey(`sig:${userId}:${deviceId}`) } },
    unsigned: { device_display_name: displayName },
  };
}

function keysQuery(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const model = ctx.state.model;
  const wanted = (jsonBody(ctx)['device_keys'] ?? {}) as Record<string, string[]>;
  const deviceKeys: JsonObject = {};
  const masterKeys: JsonObject = {};
  const selfSigning: JsonObject = {};
  const userSigning: JsonObject = {};
  for (const [userId, deviceIds] of Object.entries(wanted)) {
    const user = model.localUser(userId);
    if (!user) continue;
    const devices: JsonObject = {};
    const uploaded = model.e2ee.deviceKeys.get(userId);
    for (const d of user.devices.values()) {
      if (deviceIds.length > 0 && !deviceIds.includes(d.deviceId)) continue;
      const keys = uploaded?.get(d.deviceId);
      // As Synapse: the keys as uploaded, plus `unsigned` with the display name when there is one.
      if (keys !== undefined) devices[d.deviceId] = { ...keys, unsigned: d.displayName === null ? {} : { device_display_name: d.displayName } };
      else if (d.hasKeys) devices[d.deviceId] = seededDeviceKeys(userId, d.deviceId, d.displayName);
    }
    deviceKeys[userId] = devices;
    if (user.crossSigningKeys.has('master')) {
      // Uploaded keys, as uploaded; the user-signing key only to its owner.
      const stored = (usage: string, into: JsonObject): void => {
        const key = user.crossSigningKeys.get(usage);
        if (key) into[userId] = key;
      };
      stored('master', masterKeys);
      stored('self_signing', selfSigning);
      if (userId === token.userId) stored('user_signing', userSigning);
    } else if (user.crossSigning) {
      const crossKey = (usage: string): JsonObject => {
        const key = fakeKey(`${usage}:${userId}`);
        return { user_id: userId, usage: [usage], keys: { [`ed25519:${key}`]: key } };
      };
      masterKeys[userId] = crossKey('master');
      selfSigning[userId] = crossKey('self_signing');
      if (userId === token.userId) userSigning[userId] = crossKey('user_signing');
    }
  }
  const failures = remoteFailures(model, Object.keys(wanted));
  return json({ device_keys: deviceKeys, master_keys: masterKeys, self_signing_keys: selfSigning, user_signing_keys: userSigning, failures });
}

function keysClaim(ctx: RequestContext): Reply {
  requireAuth(ctx);
  const model = ctx.state.model;
  const wanted = jsonBody(ctx)['one_time_keys'];
  const claimed: Record<string, JsonObject> = {};
  for (const [userId, devices] of Object.entries(isObject(wanted) ? wanted : {})) {
    if (!model.localUser(userId) || !isObject(devices)) continue;
    for (const [deviceId, algorithm] of Object.entries(devices)) {
      const key = model.e2ee.claim(userId, deviceId, String(algorithm));
      // Devices (and users) without a key are left out, not listed empty.
      if (key !== undefined) claimed[userId] = { ...claimed[userId], [deviceId]: { [key.id]: key.key } };
    }
  }
  return json({ one_time_keys: claimed, failures: remoteFailures(model, Object.keys(isObject(wanted) ? wanted : {})) });
}

function sendToDevice(ctx: RequestContext): Reply {
  const token = requireAuth(ctx);
  const model = ctx.state.model;
  const type = ctx.params['type'] ?? '';
  // Synapse's transaction cache: the same token and path give the same answer, once.
  const transaction = `${token.token}\u0000${type}\u0000${ctx.params['txnId'] ?? ''}`;
  if (model.e2ee.toDeviceTransactions.has(transaction)) return json({});
  const messages = jsonBody(ctx)['messages'];
  if (messages === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', "Missing params: ['messages']");
  for (const [userId, byDevice] of Object.entries(isObject(messages) ? messages : {})) {
    const user = model.localUser(userId);
    if (!user || !isObject(byDevice)) continue;
    for (const [deviceId, content] of Object.entries(byDevice)) {
      // "*" is every device of the user; unknown devices get nothing.
      const targets = deviceId === '*' ? [...user.devices.keys()] : user.devices.has(deviceId) ? [deviceId] : [];
      for (const target of targets) model.e2ee.deliver(userId, target, { sender: token.userId, type, content: content as JsonObject });
    }
  }
  model.e2ee.toDeviceTransactions.add(transaction);
  return json({});
}

export function registerEndToEndApi(router: Router): void {
  router.add('POST', `${C}/keys/upload`, keysUpload);
  router.add('POST', `${C}/keys/query`, keysQuery);
  router.add('POST', `${C}/keys/claim`, keysClaim);
  router.add('POST', `${C}/keys/device_signing/upload`, deviceSigningUpload);
  router.add('PUT', `${C}/sendToDevice/{type}/{txnId}`, sendToDevice);
}
