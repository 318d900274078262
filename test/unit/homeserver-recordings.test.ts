// Every recorded answer of the real Synapse 1.67.0 (test/fixtures/synapse-1.67) that the layer
// parses goes through the layer's schemas, one test per recording; error answers go through
// classifyFailure. The normalised values of the interesting ones are checked too.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { identifyServer } from '../../src/homeserver/capabilities.ts';
import { classifyFailure, type HomeserverErrorKind } from '../../src/homeserver/errors.ts';
import {
  addMediaPage,
  countSentMessages,
  joinedMemberships,
  membershipsFromSync,
  nextMediaFrom,
  toAccountDataSummary,
  toDevices,
  toPushers,
  toSessions,
  toUserAccount,
} from '../../src/homeserver/normalise.ts';
import {
  AccountData,
  AdminDevices,
  AdminUser,
  ErrorBody,
  JoinedRooms,
  LoginAsAnswer,
  Pushers,
  SynapseServerVersion,
  SyncRooms,
  Whois,
} from '../../src/homeserver/schemas.ts';
import {
  DeleteMediaAnswer,
  JsonObject,
  MediaConfig,
  StoredMediaPage as MediaPage,
  EventPage as MessagesPage,
  RoomDetailsAnswer,
  StoredDevices,
  StoredPushers,
  StoredUser,
  UploadAnswer,
} from '../../src/homeserver/stored-schemas.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'synapse-1.67');

type Recording = { file: string; method: string; path: string; status: number; json: boolean; body: unknown };

const Top = z.object({ method: z.string(), path: z.string(), status: z.number(), response: z.unknown() });
const Client = z.object({
  method: z.string(),
  path: z.string(),
  status: z.number(),
  response_headers: z.object({ 'content-type': z.string().nullable() }),
  response_body: z.unknown(),
});

function load(): Recording[] {
  const top = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((file) => {
      const r = Top.parse(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')));
      return { file, method: r.method, path: r.path, status: r.status, json: true, body: r.response };
    });
  const client = readdirSync(join(FIXTURES, 'client-api'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const r = Client.parse(JSON.parse(readFileSync(join(FIXTURES, 'client-api', f), 'utf8')));
      const json = r.response_headers['content-type']?.includes('json') ?? false;
      return { file: `client-api/${f}`, method: r.method, path: r.path, status: r.status, json, body: r.response_body };
    });
  return [...top, ...client];
}

/** The endpoints the layer calls, with the schema it parses their answer with. */
const ROUTES: { method: string; pattern: RegExp; schema: z.ZodType }[] = [
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/server_version$/, schema: SynapseServerVersion },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v2\/users\/[^/]+$/, schema: AdminUser },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/joined_rooms$/, schema: JoinedRooms },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v2\/users\/[^/]+\/devices$/, schema: AdminDevices },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/whois\/[^/]+$/, schema: Whois },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/accountdata$/, schema: AccountData },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/pushers$/, schema: Pushers },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/media$/, schema: MediaPage },
  { method: 'POST', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/login$/, schema: LoginAsAnswer },
  { method: 'GET', pattern: /^\/_matrix\/client\/v3\/rooms\/[^/]+\/messages$/, schema: MessagesPage },
  { method: 'GET', pattern: /^\/_matrix\/client\/v3\/sync$/, schema: SyncRooms },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/rooms\/[^/]+$/, schema: RoomDetailsAnswer },
  { method: 'GET', pattern: /^\/_matrix\/media\/v3\/config$/, schema: MediaConfig },
  { method: 'POST', pattern: /^\/_matrix\/media\/v3\/upload$/, schema: UploadAnswer },
  { method: 'DELETE', pattern: /^\/_synapse\/admin\/v1\/media\/[^/]+\/[^/]+$/, schema: DeleteMediaAnswer },
];

/** The same answers read whole, as an export reads them (the layer parses both from one request). */
const STORED: { method: string; pattern: RegExp; schema: z.ZodType }[] = [
  { method: 'GET', pattern: /^\/_synapse\/admin\/v2\/users\/[^/]+$/, schema: StoredUser },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v2\/users\/[^/]+\/devices$/, schema: StoredDevices },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/whois\/[^/]+$/, schema: JsonObject },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/accountdata$/, schema: JsonObject },
  { method: 'GET', pattern: /^\/_synapse\/admin\/v1\/users\/[^/]+\/pushers$/, schema: StoredPushers },
];

/** Successful answers of endpoints the layer never calls. */
const NOT_CALLED = new Set([
  '10-event-context-admin-no-membership-needed-with-senders-filter.json',
  '12-whoami-with-the-puppet-token.json',
  '15-shared-secret-registration-step-1-get-nonce.json',
  '16-shared-secret-registration-step-2-register-no-auth-header-ma.json',
  '18-deactivate-carol-with-erase.json',
  '24-after-carol-s-message-as-seen-by-bob-was-in-the-room-when-it.json',
  '26-after-same-carol-event-via-rooms-event-as-the-later-joiner.json',
  '27-after-carol-s-message-via-admin-event-context-api.json',
  '28-after-carol-s-profile-via-client-api.json',
  ...[
    '01-get-client-v3-account-whoami.json',
    '02-get-client-v3-user-userid-account-data-type-m-direct.json',
    '03-get-client-v3-joined-rooms.json',
    '05-get-client-v3-profile-userid-own.json',
    '08-post-client-v3-createroom-dm.json',
    '09-get-client-v3-rooms-roomid-joined-members-urllib.json',
    '10-put-client-v3-user-userid-account-data-type-m-direct.json',
    '11-post-client-v3-join-roomid-sdk.json',
    '12-get-client-v3-rooms-roomid-joined-members-sdk.json',
    '15-get-client-v3-rooms-roomid-state-type-statekey-m-room-create.json',
    '17-put-client-v3-rooms-roomid-send-type-txnid-reply-notice.json',
    '19-get-media-v3-download-test-local-mediaid.json',
    '20-put-client-v3-rooms-roomid-send-type-txnid-m-replace-edit.json',
    '21-put-client-v3-rooms-roomid-typing-userid-typing-true.json',
    '23-put-client-v3-rooms-roomid-typing-userid-typing-false.json',
    '25-put-client-v3-rooms-roomid-redact-eventid-txnid.json',
    '27-post-client-v3-join-roomid-bob-urllib.json',
    '28-post-client-v3-rooms-roomid-leave-bob.json',
    '29-post-client-v3-rooms-roomid-leave-sdk-leave-me.json',
    '30-get-admin-v1-register.json',
    '31-post-admin-v1-register.json',
    '32-post-client-v3-login.json',
    '34-put-client-v3-user-userid-account-data-type-custom.json',
    '35-put-client-v3-user-userid-rooms-roomid-account-data-type.json',
    '36-put-client-v3-user-userid-rooms-roomid-tags-tag.json',
    '37-post-client-v3-pushers-set.json',
    '51-delete-admin-v1-users-userid-media.json',
    '52-put-admin-v2-users-userid-threepids.json',
  ].map((f) => `client-api/${f}`),
]);

/** What every recorded failure means to the layer. */
const FAILURES: Record<string, HomeserverErrorKind> = {
  '08-room-messages-admin-with-senders-filter.json': 'unsupported',
  '23-after-carol-s-old-access-token.json': 'unauthorized',
  'client-api/14-get-client-v3-rooms-roomid-state-type-statekey-m-room-encryption-404.json': 'not-found',
  'client-api/41-get-admin-v1-users-userid-memberships-unrecognized.json': 'unsupported',
  'client-api/49-delete-admin-v1-media-test-local-mediaid-again-404.json': 'not-found',
  'client-api/50-get-media-v3-download-test-local-mediaid-deleted-404.json': 'not-found',
  'client-api/54-get-federation-v1-version-no-listener.json': 'unsupported',
  'client-api/55-get-tuwunel-server-version-404.json': 'unsupported',
  'client-api/56-post-admin-v1-user-userid-redact-unrecognized.json': 'unsupported',
  'client-api/57-get-client-v3-account-whoami-bad-token.json': 'unauthorized',
  'client-api/58-get-admin-v2-users-userid-nonexistent-user.json': 'not-found',
  'client-api/60-get-admin-v2-users-userid-devices-nonexistent-user.json': 'not-found',
  'client-api/62-get-admin-v1-users-userid-accountdata-nonexistent-user.json': 'not-found',
  'client-api/63-get-admin-v1-users-userid-pushers-nonexistent-user.json': 'not-found',
  'client-api/64-delete-admin-v1-users-userid-media-nonexistent-user.json': 'not-found',
  'client-api/65-put-admin-v2-users-userid-non-admin-403.json': 'forbidden',
  'client-api/66-get-client-v3-joined-rooms-no-token-401.json': 'unauthorized',
};

const ALICE = '@alice:test.local';
const CAROL = '@carol:test.local';
const ROOM = '!DaNpMzPaXOeXuogOUT:test.local';

/** Normalised values worth pinning down, per recording (the answer is already parsed). */
const VALUES: Record<string, (parsed: never) => void> = {
  '01-query-user-account-v2.json': (raw: z.infer<typeof AdminUser>) => {
    expect(toUserAccount(raw)).toEqual({
      userId: ALICE,
      displayName: 'Alice Liddell',
      avatarUrl: 'mxc://test.local/wtLHmGxNcshxMHFwpqFddgtm',
      admin: false,
      deactivated: false,
      erased: null,
      createdAt: 1_795_693_927_000,
      hasPasswordHash: null,
      emails: [],
      phoneNumbers: [],
      externalIds: [],
      userType: null,
      locked: null,
      suspended: null,
      lastSeenAt: null,
    });
  },
  '19-after-query-carol-v2.json': (raw: z.infer<typeof AdminUser>) => {
    const account = toUserAccount(raw);
    expect(account).toMatchObject({ userId: CAROL, deactivated: true, displayName: null, avatarUrl: null, createdAt: 1_795_693_929_000 });
  },
  'client-api/39-get-admin-v2-users-userid.json': (raw: z.infer<typeof AdminUser>) => {
    expect(toUserAccount(raw).createdAt).toBe(1_795_695_591_000);
    // Fields the layer did not ask for (consent_version, appservice_id ...) are not carried.
    expect(Object.keys(raw)).not.toContain('consent_version');
  },
  '02-list-joined-rooms.json': (raw: z.infer<typeof JoinedRooms>) => {
    expect(joinedMemberships(raw.joined_rooms)).toEqual([{ roomId: ROOM, membership: 'join' }]);
  },
  '21-after-parter-finished-carol-s-joined-rooms.json': (raw: z.infer<typeof JoinedRooms>) => {
    expect(joinedMemberships(raw.joined_rooms)).toEqual([]);
  },
  '03-list-devices-v2.json': (raw: z.infer<typeof AdminDevices>) => {
    const devices = toDevices(raw);
    expect(devices).toHaveLength(3);
    expect(devices[0]).toEqual({ deviceId: 'ALICEPHONE', displayName: 'alice-setup-script', lastSeenAt: null, lastSeenIp: null, lastSeenUserAgent: null });
    expect(devices[1]).toEqual({
      deviceId: 'BEFFEYLINS',
      displayName: 'alice-setup-script',
      lastSeenAt: 1_795_693_928_778,
      lastSeenIp: '127.0.0.1',
      lastSeenUserAgent: 'Python-urllib/3.11',
    });
    expect(devices[2]?.displayName).toBeNull();
  },
  '04-list-media-uploaded-by-user.json': (raw: z.infer<typeof MediaPage>) => {
    expect(addMediaPage({ count: 0, totalBytes: 0 }, raw)).toEqual({ count: 2, totalBytes: 125 });
    expect(nextMediaFrom(raw, new Set(['0']))).toBeNull();
  },
  'client-api/44-get-admin-v1-users-userid-media-page1.json': (raw: z.infer<typeof MediaPage>) => {
    expect(addMediaPage({ count: 0, totalBytes: 0 }, raw)).toEqual({ count: 2, totalBytes: 43 });
    expect(nextMediaFrom(raw, new Set(['0']))).toBe('2');
    // A token already fetched is never fetched again.
    expect(nextMediaFrom(raw, new Set(['0', '2']))).toBeNull();
  },
  'client-api/45-get-admin-v1-users-userid-media-last-page.json': (raw: z.infer<typeof MediaPage>) => {
    expect(addMediaPage({ count: 4, totalBytes: 100 }, raw)).toEqual({ count: 5, totalBytes: 111 });
    expect(nextMediaFrom(raw, new Set(['0', '2', '4']))).toBeNull();
  },
  '05-whois-sessions-ips-user-agents.json': (raw: z.infer<typeof Whois>) => {
    expect(toSessions(raw)).toEqual({
      kept: 'connection-log',
      sessions: [{ deviceId: null, connections: [{ ip: '127.0.0.1', lastSeenAt: 1_795_693_928_778, userAgent: 'Python-urllib/3.11' }] }],
    });
  },
  'client-api/61-get-admin-v1-whois-userid-nonexistent-user.json': (raw: z.infer<typeof Whois>) => {
    expect(toSessions(raw)).toEqual({ kept: 'connection-log', sessions: [] });
  },
  '06-account-data.json': (raw: z.infer<typeof AccountData>) => {
    expect(toAccountDataSummary(raw)).toEqual({
      globalTypes: ['org.example.privacy_prefs'],
      rooms: [{ roomId: ROOM, types: ['org.example.room_note'] }],
    });
  },
  '07-pushers.json': (raw: z.infer<typeof Pushers>) => {
    expect(toPushers(raw)).toEqual([
      {
        kind: 'http',
        appId: 'org.example.testpush',
        appDisplayName: 'Test Push App',
        deviceDisplayName: "Alice's phone",
        lang: 'en',
        gatewayUrl: 'http://127.0.0.1:9/_matrix/push/v1/notify',
      },
    ]);
  },
  '11-login-as-user-puppet-token.json': (raw: z.infer<typeof LoginAsAnswer>) => {
    expect(raw.access_token).toBe('syt_REDACTED');
  },
  '13-client-messages-as-alice-via-puppet-token-senders-filter.json': (raw: z.infer<typeof MessagesPage>) => {
    // Five texts and a file; her state events (invite, topic, name ...) are not messages.
    expect(countSentMessages(raw, ALICE)).toBe(6);
    // A full page carries `end`, the token of the next (older) page.
    expect(raw.end).toEqual(expect.any(String));
  },
  '25-after-carol-s-events-via-messages-as-a-later-joiner-admin-jo.json': (raw: z.infer<typeof MessagesPage>) => {
    // The erased message (content {}) is still a message carol sent.
    expect(countSentMessages(raw, CAROL)).toBe(1);
    expect(countSentMessages(raw, ALICE)).toBe(0);
  },
  'client-api/16-get-client-v3-rooms-roomid-messages.json': (raw: z.infer<typeof MessagesPage>) => {
    expect(countSentMessages(raw, ALICE)).toBe(1);
  },
  'client-api/04-get-client-v3-sync-initial.json': (raw: z.infer<typeof SyncRooms>) => {
    expect(membershipsFromSync(raw)).toEqual([]);
  },
  'client-api/07-get-client-v3-sync-invite.json': (raw: z.infer<typeof SyncRooms>) => {
    expect(membershipsFromSync(raw)).toEqual([{ roomId: '!rEgDORrzpehuqGfaIU:test.local', membership: 'invite' }]);
  },
  'client-api/38-get-admin-v1-server-version.json': (raw: z.infer<typeof SynapseServerVersion>) => {
    expect(identifyServer({ synapseAdmin: raw, tuwunel: null, conduwuit: null, federation: null })).toEqual({ flavour: 'synapse', version: '1.67.0' });
  },
};

const recordings = load();
const route = (r: Recording) => ROUTES.find((x) => x.method === r.method && x.pattern.test(r.path.split('?')[0]!));
const successes = recordings.filter((r) => r.status < 400 && route(r));
const failures = recordings.filter((r) => r.status >= 400);

describe('Synapse 1.67 recordings: answers the layer parses', () => {
  it.each(successes.map((r) => [r.file, r] as const))('%s', (_file, recording) => {
    const result = route(recording)!.schema.safeParse(recording.body);
    expect(result.success, result.success ? '' : JSON.stringify(result.error.issues)).toBe(true);
    VALUES[recording.file]?.(result.data as never);
  });
});

describe('Synapse 1.67 recordings: records an export keeps whole', () => {
  const stored = recordings.filter((r) => r.status < 400 && STORED.some((x) => x.method === r.method && x.pattern.test(r.path.split('?')[0]!)));
  it.each(stored.map((r) => [r.file, r] as const))('%s', (_file, recording) => {
    const schema = STORED.find((x) => x.method === recording.method && x.pattern.test(recording.path.split('?')[0]!))!.schema;
    const result = schema.safeParse(recording.body);
    expect(result.success, result.success ? '' : JSON.stringify(result.error.issues)).toBe(true);
    // Nothing the server sent is lost (only a password hash would be, and 1.67 sends none).
    expect(result.data).toEqual(recording.body);
  });
});

describe('Synapse 1.67 recordings: failures the layer classifies', () => {
  it.each(failures.map((r) => [r.file, r] as const))('%s', (file, recording) => {
    const json = recording.json ? ErrorBody.parse(recording.body) : null;
    const endpoint = `${recording.method} ${recording.path.split('?')[0]}`;
    expect(classifyFailure({ status: recording.status, json, endpoint })).toBe(FAILURES[file]);
  });
});

describe('Synapse 1.67 recordings: coverage', () => {
  it('accounts for every recording: parsed, classified or never called by the layer', () => {
    const unaccounted = recordings.filter((r) => r.status < 400 && !route(r) && !NOT_CALLED.has(r.file)).map((r) => r.file);
    expect(unaccounted).toEqual([]);
    expect(Object.keys(FAILURES).sort()).toEqual(failures.map((r) => r.file).sort());
    // Every pinned value belongs to a recording that is parsed.
    expect(Object.keys(VALUES).filter((f) => !successes.some((r) => r.file === f))).toEqual([]);
  });
});

describe('threepids other than email', () => {
  it('keeps phone numbers apart from email addresses, so that neither is hidden', async () => {
    const { toUserAccount } = await import('../../src/homeserver/normalise.ts');
    const { AdminUser } = await import('../../src/homeserver/schemas.ts');
    const raw = AdminUser.parse({
      name: '@p:test.local',
      admin: 0,
      deactivated: 0,
      creation_ts: 1,
      threepids: [
        { medium: 'email', address: 'p@example.org', added_at: 1, validated_at: 1 },
        { medium: 'msisdn', address: '6591234567', added_at: 1, validated_at: 1 },
      ],
    });
    const account = toUserAccount(raw);
    expect(account.emails).toEqual(['p@example.org']);
    expect(account.phoneNumbers).toEqual(['6591234567']);
  });
});
