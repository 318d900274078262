// Raw answers read for an export, where the rule is the opposite of schemas.ts: what the
// server stores about the user is kept as it came (loose objects: unknown keys pass through),
// so that the export shows everything that exists and never less. Only the fields the bot
// itself relies on are checked. Secrets are dropped at this boundary: the password hash
// never travels further (schemas.ts turns it into a boolean).
import { z } from 'zod';

/** Any JSON value, as the server sent it. */
export const JsonValue = z.json();
export type JsonValue = z.infer<typeof JsonValue>;
export const JsonObject = z.record(z.string(), JsonValue);
export type JsonObject = z.infer<typeof JsonObject>;

/**
 * A room event in the client shape (admin and client /messages, /state, /context). Its content
 * is any JSON object, passed through as it came (not walked key by key: pages of a thousand
 * events go through here, and a deep copy of each would cost memory for nothing).
 */
export const StoredEvent = z.looseObject({
  event_id: z.string(),
  type: z.string(),
  sender: z.string(),
  origin_server_ts: z.number(),
  content: z.record(z.string(), z.unknown()),
  state_key: z.string().nullish(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

/**
 * Events checked one by one but handed on as they were parsed: a page holds a thousand of
 * them, and a checked copy of each would double what a page costs in memory.
 */
const CheckedEvents = z
  .array(z.unknown())
  .superRefine((events, ctx) => {
    events.forEach((event, index) => {
      const checked = StoredEvent.safeParse(event);
      if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: issue.message });
    });
  })
  .transform((events) => events as StoredEvent[]);

/** One page of GET .../rooms/{roomId}/messages with every event whole. */
export const EventPage = z.object({
  chunk: CheckedEvents,
  start: z.string().nullish(),
  end: z.string().nullish(),
});
export type EventPage = z.infer<typeof EventPage>;

/** GET /_synapse/admin/v1/rooms/{roomId}/state: only the member events' keys are checked here. */
export const RoomStateAnswer = z.object({
  state: z.array(z.looseObject({ type: z.string(), state_key: z.string().nullish() })),
});

/** GET /_synapse/admin/v1/rooms/{roomId}: Tuwunel leaves out what it does not know (topic, avatar). */
export const RoomDetailsAnswer = z.looseObject({
  room_id: z.string(),
  name: z.string().nullish(),
  canonical_alias: z.string().nullish(),
  topic: z.string().nullish(),
  encryption: z.string().nullish(),
  creator: z.string().nullish(),
  room_type: z.string().nullish(),
  joined_members: z.number().nullish(),
});

/** The admin user object, whole, minus the password hash (kept only as whether one exists). */
export const StoredUser = z.looseObject({ name: z.string() }).transform(({ password_hash, ...rest }) => ({
  ...rest,
  ...(password_hash === undefined ? {} : { has_password_hash: typeof password_hash === 'string' && password_hash !== '' }),
}));

/** GET /_synapse/admin/v2/users/{userId}/devices, every field of every device. */
export const StoredDevices = z.looseObject({ devices: z.array(z.looseObject({ device_id: z.string() })) });

/** GET /_synapse/admin/v1/users/{userId}/pushers, every field (pushkey and gateway data included). */
export const StoredPushers = z.looseObject({ pushers: z.array(z.looseObject({ app_id: z.string(), kind: z.string() })) });

/**
 * GET /_synapse/admin/v1/users/{userId}/media?from&limit, one page, every field of every file.
 * `next_token` is an integer offset on Synapse, absent on the last page; a string is accepted
 * too and passed back as it came.
 */
export const StoredMediaPage = z.object({
  media: z.array(
    z.looseObject({
      media_id: z.string(),
      media_type: z.string().nullish(),
      media_length: z.number().nullish(),
      upload_name: z.string().nullish(),
      created_ts: z.number().nullish(),
      quarantined_by: z.string().nullish(),
    }),
  ),
  total: z.number().int().nullish(),
  next_token: z.union([z.number(), z.string()]).nullish(),
});
export type StoredMediaPage = z.infer<typeof StoredMediaPage>;

/** POST /_matrix/client/v3/keys/query: the public keys, whole. */
export const StoredKeys = z.looseObject({
  device_keys: z.record(z.string(), z.record(z.string(), JsonValue)).nullish(),
  master_keys: z.record(z.string(), JsonValue).nullish(),
  self_signing_keys: z.record(z.string(), JsonValue).nullish(),
  user_signing_keys: z.record(z.string(), JsonValue).nullish(),
});

/** GET /_matrix/client/v3/room_keys/version: the backup's public parts (its keys are encrypted client-side). */
export const KeyBackupAnswer = z.looseObject({ algorithm: z.string(), version: z.string() });

/** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags: every tag with its content (order), whole. */
export const StoredTags = z.object({ tags: JsonObject });

/** GET /_matrix/client/v1/media/config and /_matrix/media/v3/config. */
export const MediaConfig = z.looseObject({ 'm.upload.size': z.number().int().positive().nullish() });

/** POST /_matrix/media/v3/upload */
export const UploadAnswer = z.object({ content_uri: z.string().startsWith('mxc://') });

/** DELETE /_synapse/admin/v1/media/{serverName}/{mediaId} */
export const DeleteMediaAnswer = z.looseObject({ deleted_media: z.array(z.string()), total: z.number().int() });

/**
 * One answer read twice: with the bot's strict schema (for what the bot itself uses) and with
 * the loose one (for what the export shows), so that one request serves both.
 */
export function readTwice<N extends z.ZodType, S extends z.ZodType>(normal: N, stored: S) {
  return z.unknown().transform((raw, ctx) => {
    const n = normal.safeParse(raw);
    const s = stored.safeParse(raw);
    if (!n.success || !s.success) {
      for (const issue of [...(n.error?.issues ?? []), ...(s.error?.issues ?? [])]) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return { normal: n.data as z.output<N>, stored: s.data as z.output<S> };
  });
}

/** What a loose schema let through came from JSON.parse, so it is JSON by construction. */
export const asJson = (value: unknown): JsonValue => value as JsonValue;
