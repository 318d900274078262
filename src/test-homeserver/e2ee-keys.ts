// End-to-end encryption state of the test homeserver: uploaded device keys,
// one-time keys, fallback keys and to-device inboxes, with Synapse 1.67's rules
// (synapse/handlers/e2e_keys.py, storage/databases/main/end_to_end_keys.py and
// deviceinbox.py): a one-time key ID already uploaded with other content is an
// error, with the same content it is accepted; claiming takes a one-time key, or
// else the fallback key (which stays, marked used); a device's to-device messages
// wait until the device syncs past them.
import { MatrixError } from './errors.ts';
import type { JsonObject } from './events.ts';

export type ToDeviceMessage = { pos: number; sender: string; type: string; content: JsonObject };

type OneTimeKey = { algorithm: string; keyId: string; json: string };
type FallbackKey = { keyId: string; json: string; used: boolean };

/** Synapse's encode_canonical_json: sorted keys, no spaces. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as JsonObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How Python's %r prints a decoded JSON value (Synapse puts it in the duplicate key error). */
export function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(value as JsonObject)
    .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
    .join(', ')}}`;
}

/** Synapse's _one_time_keys_match: equal once the signatures are left out. */
function sameOneTimeKey(storedJson: string, key: unknown): boolean {
  const stored = JSON.parse(storedJson) as unknown;
  const strip = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const { signatures: _signatures, ...rest } = v as JsonObject;
    return rest;
  };
  return canonicalJson(strip(stored)) === canonicalJson(strip(key));
}

const deviceKey = (userId: string, deviceId: string): string => `${userId}\u0000${deviceId}`;

export class EndToEndKeys {
  /** userId -> deviceId -> the device_keys object as uploaded. */
  readonly deviceKeys = new Map<string, Map<string, JsonObject>>();
  /** userId -> stream position of the last change to the user's device keys. */
  readonly deviceListChangedAt = new Map<string, number>();
  private readonly oneTimeKeys = new Map<string, OneTimeKey[]>();
  private readonly fallbackKeys = new Map<string, Map<string, FallbackKey>>();
  private readonly inboxes = new Map<string, ToDeviceMessage[]>();
  /** sendToDevice transactions already done, by access token and transaction ID (they are idempotent). */
  readonly toDeviceTransactions = new Set<string>();
  private readonly nextPos: () => number;

  constructor(nextPos: () => number) {
    this.nextPos = nextPos;
  }

  setDeviceKeys(userId: string, deviceId: string, keys: JsonObject): void {
    const devices = this.deviceKeys.get(userId) ?? new Map<string, JsonObject>();
    this.deviceKeys.set(userId, devices);
    const before = devices.get(deviceId);
    devices.set(deviceId, keys);
    // Like Synapse, only a real change is announced in device_lists.
    if (before === undefined || canonicalJson(before) !== canonicalJson(keys)) this.deviceListChangedAt.set(userId, this.nextPos());
  }

  /** Checks every key first, then stores the new ones: all or nothing, as Synapse does. */
  addOneTimeKeys(userId: string, deviceId: string, keys: JsonObject): void {
    const stored = this.oneTimeKeys.get(deviceKey(userId, deviceId)) ?? [];
    const fresh: OneTimeKey[] = [];
    for (const [id, key] of Object.entries(keys)) {
      const [algorithm = '', keyId = ''] = id.split(':');
      const existing = stored.find((k) => k.algorithm === algorithm && k.keyId === keyId);
      if (existing === undefined) fresh.push({ algorithm, keyId, json: canonicalJson(key) });
      else if (!sameOneTimeKey(existing.json, key)) {
        throw new MatrixError(400, 'M_UNKNOWN', `One time key ${algorithm}:${keyId} already exists. Old key: ${existing.json}; new key: ${pythonRepr(key)}`);
      }
    }
    this.oneTimeKeys.set(deviceKey(userId, deviceId), [...stored, ...fresh]);
  }

  setFallbackKeys(userId: string, deviceId: string, keys: JsonObject): void {
    const byAlgorithm = this.fallbackKeys.get(deviceKey(userId, deviceId)) ?? new Map<string, FallbackKey>();
    this.fallbackKeys.set(deviceKey(userId, deviceId), byAlgorithm);
    for (const [id, key] of Object.entries(keys)) {
      const [algorithm = '', keyId = ''] = id.split(':');
      const json = canonicalJson(key);
      const current = byAlgorithm.get(algorithm);
      // Re-uploading the same key keeps its "used" mark; a new key starts unused.
      if (current === undefined || current.keyId !== keyId || current.json !== json) byAlgorithm.set(algorithm, { keyId, json, used: false });
    }
  }

  /** count_e2e_one_time_keys: signed_curve25519 is always there, even at 0. */
  oneTimeKeyCounts(userId: string, deviceId: string): Record<string, number> {
    const counts: Record<string, number> = { signed_curve25519: 0 };
    for (const key of this.oneTimeKeys.get(deviceKey(userId, deviceId)) ?? []) counts[key.algorithm] = (counts[key.algorithm] ?? 0) + 1;
    return counts;
  }

  unusedFallbackKeyTypes(userId: string, deviceId: string): string[] {
    return [...(this.fallbackKeys.get(deviceKey(userId, deviceId)) ?? new Map<string, FallbackKey>())]
      .filter(([, key]) => !key.used)
      .map(([algorithm]) => algorithm);
  }

  /** One key of the algorithm for the device (a one-time key, else the fallback key), or undefined. */
  claim(userId: string, deviceId: string, algorithm: string): { id: string; key: unknown } | undefined {
    const stored = this.oneTimeKeys.get(deviceKey(userId, deviceId)) ?? [];
    const index = stored.findIndex((k) => k.algorithm === algorithm);
    if (index >= 0) {
      const [taken] = stored.splice(index, 1);
      return { id: `${algorithm}:${taken!.keyId}`, key: JSON.parse(taken!.json) };
    }
    const fallback = this.fallbackKeys.get(deviceKey(userId, deviceId))?.get(algorithm);
    if (fallback === undefined) return undefined;
    fallback.used = true;
    return { id: `${algorithm}:${fallback.keyId}`, key: JSON.parse(fallback.json) };
  }

  /** Queues a to-device message for one device. */
  deliver(userId: string, deviceId: string, message: Omit<ToDeviceMessage, 'pos'>): void {
    const inbox = this.inboxes.get(deviceKey(userId, deviceId)) ?? [];
    this.inboxes.set(deviceKey(userId, deviceId), inbox);
    inbox.push({ ...message, pos: this.nextPos() });
  }

  /** What a sync from `since` gets: messages up to `since` were received, so they are deleted first. */
  toDeviceFor(userId: string, deviceId: string, since: number | null): ToDeviceMessage[] {
    const key = deviceKey(userId, deviceId);
    const remaining = (this.inboxes.get(key) ?? []).filter((m) => since === null || m.pos > since);
    this.inboxes.set(key, remaining);
    return remaining;
  }

  /** A device that is gone takes its keys and messages with it. */
  forgetDevice(userId: string, deviceId: string): void {
    if (this.deviceKeys.get(userId)?.delete(deviceId)) this.deviceListChangedAt.set(userId, this.nextPos());
    this.oneTimeKeys.delete(deviceKey(userId, deviceId));
    this.fallbackKeys.delete(deviceKey(userId, deviceId));
    this.inboxes.delete(deviceKey(userId, deviceId));
  }
}
