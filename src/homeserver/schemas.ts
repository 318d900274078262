// The raw answers of the Synapse admin API (as Synapse and Tuwunel serve it) and of the few
// client-API calls the layer makes. Shapes follow the Synapse 1.67 recordings in
// test/fixtures/synapse-1.67 first and the documentation second.
//
// Rules: z.object strips unknown keys, so servers may add fields freely and nothing we did
// not ask for (a password hash, message content) is carried further; every field a server
// may leave out or null is `.nullish()`; booleans may arrive as 0/1 (Synapse 1.67 admin user
// objects). Units are left as the server sent them: normalise.ts converts.
import { z } from 'zod';

/** Synapse 1.67 writes booleans as 0/1 integers in admin user objects; newer servers as true/false. */
export const Flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((value) => value === true || value === 1);

// ---- errors ----------------------------------------------------------------------------

export const ErrorBody = z.object({
  errcode: z.string().optional(),
  error: z.string().optional(),
  /** Sent with 429 M_LIMIT_EXCEEDED. */
  retry_after_ms: z.number().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- version detection -----------------------------------------------------------------

/** GET /_synapse/admin/v1/server_version: Synapse (python_version until 1.94) and Tuwunel >= 1.8.1 (no python_version). */
export const SynapseServerVersion = z.object({
  server_version: z.string(),
  python_version: z.string().nullish(),
});

/** GET /_tuwunel/server_version and /_conduwuit/server_version: {name, version}. */
export const NamedServerVersion = z.object({
  name: z.string(),
  version: z.string(),
});

/** GET /_matrix/federation/v1/version. */
export const FederationVersion = z.object({
  server: z.object({
    name: z.string().nullish(),
    version: z.string().nullish(),
  }),
});

// ---- users -----------------------------------------------------------------------------

export const Threepid = z.object({
  medium: z.string(),
  address: z.string(),
});

export const ExternalId = z.object({
  auth_provider: z.string(),
  external_id: z.string(),
});

/** GET /_synapse/admin/v2/users/{userId} */
export const AdminUser = z.object({
  name: z.string(),
  displayname: z.string().nullish(),
  avatar_url: z.string().nullish(),
  admin: Flag.nullish(),
  deactivated: Flag.nullish(),
  /** Absent on Synapse 1.67. */
  erased: Flag.nullish(),
  /** Seconds on Synapse (1.67 and the current docs), 0 on Tuwunel. */
  creation_ts: z.number().nullish(),
  /** Milliseconds; absent on Synapse 1.67. */
  last_seen_ts: z.number().nullish(),
  threepids: z.array(Threepid).nullish(),
  external_ids: z.array(ExternalId).nullish(),
  user_type: z.string().nullish(),
  locked: Flag.nullish(),
  suspended: Flag.nullish(),
  /**
   * Only whether a hash exists is kept: some servers send `password_hash` (null when none).
   * The hash itself is replaced by a boolean right here, so it never travels further.
   */
  password_hash: z
    .string()
    .nullish()
    .transform((hash) => (hash === undefined ? undefined : hash !== null && hash !== '')),
});
export type AdminUser = z.infer<typeof AdminUser>;

/** GET /_synapse/admin/v1/users/{userId}/joined_rooms */
export const JoinedRooms = z.object({
  joined_rooms: z.array(z.string()),
  total: z.number().int().nullish(),
});

/**
 * GET /_synapse/admin/v1/users/{userId}/memberships (Synapse >= 1.145, Tuwunel >= 1.8.1):
 * {memberships: {roomId: membership}}. A draft of the Synapse docs (PR #19260) showed the map
 * without the wrapper; that form is accepted too, keys being room IDs.
 */
export const MembershipsAnswer = z.union([
  z.object({ memberships: z.record(z.string(), z.string()) }),
  z.record(z.string().startsWith('!'), z.string()).transform((memberships) => ({ memberships })),
]);

/**
 * GET /_synapse/admin/v1/rooms (Synapse; Tuwunel 1.8.1+, src/api/client/admin/rooms/list_rooms.rs):
 * the server's rooms by integer offset, with what the probe reads of each.
 */
export const RoomList = z.object({
  rooms: z.array(
    z.looseObject({
      room_id: z.string(),
      joined_local_members: z.number().int().nullish(),
      creator: z.string().nullish(),
    }),
  ),
  total_rooms: z.number().int().nullish(),
  next_batch: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
});
export type RoomList = z.infer<typeof RoomList>;

/** GET /_synapse/admin/v2/users/{userId}/devices */
export const AdminDevices = z.object({
  devices: z.array(
    z.object({
      device_id: z.string(),
      display_name: z.string().nullish(),
      last_seen_ip: z.string().nullish(),
      last_seen_ts: z.number().nullish(),
      /** Tuwunel records no user agent. */
      last_seen_user_agent: z.string().nullish(),
    }),
  ),
  total: z.number().int().nullish(),
});
export type AdminDevices = z.infer<typeof AdminDevices>;

/**
 * GET /_synapse/admin/v1/whois/{userId}. Synapse (1.67 and later) puts every connection under
 * the device key "", in one session; other servers may key by device ID. Fields a server
 * does not know may be null or left out, and ruma leaves out empty lists (Tuwunel answers a
 * user without devices with `sessions: [{}]`).
 */
export const Whois = z.object({
  user_id: z.string().nullish(),
  devices: z.record(
    z.string(),
    z.object({
      sessions: z
        .array(
          z.object({
            connections: z
              .array(
                z.object({
                  ip: z.string().nullish(),
                  last_seen: z.number().nullish(),
                  user_agent: z.string().nullish(),
                }),
              )
              .default([]),
          }),
        )
        .default([]),
    }),
  ),
});
export type Whois = z.infer<typeof Whois>;

/** GET /_synapse/admin/v1/users/{userId}/accountdata. Contents are never looked at: only their types (keys). */
export const AccountData = z.object({
  account_data: z.object({
    global: z.record(z.string(), z.unknown()),
    rooms: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
});
export type AccountData = z.infer<typeof AccountData>;

/** GET /_synapse/admin/v1/users/{userId}/pushers */
export const Pushers = z.object({
  pushers: z.array(
    z.object({
      kind: z.string(),
      app_id: z.string(),
      app_display_name: z.string().nullish(),
      device_display_name: z.string().nullish(),
      lang: z.string().nullish(),
      data: z
        .object({
          url: z.string().nullish(),
        })
        .nullish(),
    }),
  ),
  total: z.number().int().nullish(),
});
export type Pushers = z.infer<typeof Pushers>;

/** POST /_synapse/admin/v1/users/{userId}/login: a puppet token. Never logged, never stored. */
export const LoginAsAnswer = z.object({
  access_token: z.string().min(1),
});

// ---- erasure ---------------------------------------------------------------------------

/** POST /_synapse/admin/v1/user/{userId}/redact (Synapse >= 1.116, Tuwunel >= 1.8.2). */
export const RedactAnswer = z.object({ redact_id: z.string().min(1) });

/**
 * GET /_synapse/admin/v1/user/redact_status/{redactId}: Synapse sends failed_redactions all
 * along, Tuwunel only once complete, with `error` once failed.
 */
export const RedactStatus = z.object({
  status: z.enum(['scheduled', 'active', 'complete', 'failed']),
  failed_redactions: z.record(z.string(), z.string().nullish()).nullish(),
  error: z.string().nullish(),
});
export type RedactStatus = z.infer<typeof RedactStatus>;

/** DELETE /_synapse/admin/v1/users/{userId}/media: one page deleted; `total` counts this page only. */
export const DeletedMedia = z.object({ deleted_media: z.array(z.string()), total: z.number().int() });

/** POST /_synapse/admin/v1/deactivate/{userId}: {"id_server_unbind_result": "success" | "no-support"}. */
export const DeactivateAnswer = z.looseObject({ id_server_unbind_result: z.string().nullish() });

/**
 * GET /_synapse/admin/v1/scheduled_tasks?action_name=redact_all_events&resource_id=<user>
 * (Synapse 1.130+, Tuwunel 1.8.1+): how a redaction task whose ID a crash lost is found.
 */
export const ScheduledTasks = z.object({
  scheduled_tasks: z.array(
    z.looseObject({
      id: z.string(),
      action: z.string(),
      status: z.string(),
      timestamp_ms: z.number().nullish(),
      resource_id: z.string().nullish(),
    }),
  ),
});
export type ScheduledTasks = z.infer<typeof ScheduledTasks>;

/** GET /_synapse/admin/v1/rooms/{roomId}: what an erasure decides by (how many members of this server are joined). */
export const RoomCounts = z.looseObject({ room_id: z.string(), joined_local_members: z.number().int().nullish() });

/** DELETE /_synapse/admin/v2/rooms/{roomId} (Synapse; Tuwunel 1.8.1+). */
export const DeleteRoomAnswer = z.object({ delete_id: z.string().min(1) });

/** One room deletion's status (Synapse's shutdown_room and purge). */
export const DeleteStatus = z.looseObject({
  delete_id: z.string().nullish(),
  status: z.enum(['scheduled', 'active', 'shutting_down', 'purging', 'complete', 'failed']),
  error: z.string().nullish(),
});
export type DeleteStatus = z.infer<typeof DeleteStatus>;

/** GET /_synapse/admin/v2/rooms/{roomId}/delete_status: every deletion of the room the server remembers. */
export const RoomDeleteStatuses = z.object({ results: z.array(DeleteStatus) });

/** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags */
export const RoomTags = z.object({ tags: z.record(z.string(), z.unknown()) });

/** GET /_matrix/client/v3/room_keys/version (the newest backup). */
export const BackupVersion = z.looseObject({ version: z.string() });

/** GET /_matrix/client/v3/profile/{userId}: display name, avatar, and any other fields (MSC4133). */
export const ProfileFields = z.record(z.string(), z.unknown());

/** The pushers as stored, with what removing one needs (POST /pushers/set with kind null). */
export const PusherKeys = z.object({ pushers: z.array(z.looseObject({ app_id: z.string(), pushkey: z.string() })) });

/** PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}, POST .../join: the event or room. */
export const EventIdAnswer = z.object({ event_id: z.string() });
export const RoomIdAnswer = z.looseObject({ room_id: z.string().nullish() });

// ---- client API ------------------------------------------------------------------------

/** POST /_matrix/client/v3/logout: {} */
export const EmptyAnswer = z.object({});

/** POST /_matrix/client/v3/keys/query: presence of keys only; the keys themselves are dropped. */
export const KeysQuery = z.object({
  device_keys: z.record(z.string(), z.record(z.string(), z.unknown())).nullish(),
  master_keys: z.record(z.string(), z.unknown()).nullish(),
});
export type KeysQuery = z.infer<typeof KeysQuery>;

/**
 * GET /_matrix/client/v3/sync with include_leave: only which rooms are left (and pending
 * invites); room contents are dropped.
 */
export const SyncRooms = z.object({
  rooms: z
    .object({
      leave: z.record(z.string(), z.unknown()).nullish(),
      invite: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});
export type SyncRooms = z.infer<typeof SyncRooms>;
