// Keeps the test homeserver honest: every exchange recorded against a real
// Synapse 1.67.0 (test/fixtures/synapse-1.67 and its client-api/ folder) is
// replayed, in a world seeded like the recorded one, against the
// 'synapse-1.67' flavour; the answer must have the same status and the same
// shape (key sets and JSON types, recursively), and for client-api
// recordings the same framing headers (chunked or Content-Length,
// Content-Type, Content-Disposition).
//
// Every recording is replayed: none is left out. Timing is reproduced where it
// matters (20/21: joined rooms right after deactivation and after the
// background parter). Deviations allowed, each with its reason, are in
// `normalize` of the step concerned.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import type { Answer, Recording } from './replay.ts';
import { IdMap, loadRecording, recordingFiles, replay } from './replay.ts';
import { shapeOf } from './shape.ts';

type Folder = '' | 'client-api';

interface Step {
  file: string;
  /** Whose token: a name in `tokens`, null for none, 'bad' for an invalid one. */
  actor: string | null;
  setup?: () => void | Promise<void>;
  /** Learns IDs or tokens from our answer. */
  after?: (ours: Answer, rec: Recording) => void;
  /** A documented deviation: edits both bodies before their shapes are compared. */
  normalize?: (recorded: unknown, ours: unknown) => void;
  /** Replaces the recorded path (after ID mapping), e.g. to use our sync token. */
  path?: (recordedPath: string) => string;
}

function compare(rec: Recording, ours: Answer, step: Step): void {
  expect(ours.status, `${rec.file}: status`).toBe(rec.status);
  if (rec.headers) {
    const h = rec.headers;
    expect(ours.headers.get('content-type'), `${rec.file}: content-type`).toBe(h['content-type']);
    expect(ours.headers.get('transfer-encoding'), `${rec.file}: transfer-encoding`).toBe(h['transfer-encoding']);
    expect(ours.headers.get('content-length'), `${rec.file}: content-length`).toBe(h['content-length']);
    expect(ours.headers.get('content-disposition'), `${rec.file}: content-disposition`).toBe(h['content-disposition']);
  }
  const recorded = structuredClone(rec.body) as Record<string, unknown> | null;
  const isByteCount = rec.headers !== null && !String(rec.headers['content-type']).startsWith('application/json');
  if (isByteCount) {
    // Non-JSON bodies were recorded as {length}.
    expect(ours.length, `${rec.file}: body length`).toBe(recorded?.['length']);
    return;
  }
  const mine = structuredClone(ours.body);
  step.normalize?.(recorded, mine);
  expect(shapeOf(mine), `${rec.file}: shape`).toEqual(shapeOf(recorded));
}

function defineReplays(folder: Folder, steps: () => Step[], world: () => { hs: TestHomeserver; ids: IdMap; tokens: Map<string, string> }): void {
  const files = recordingFiles(folder);
  const list = steps();
  it('has a step for every recording, and only for recordings', () => {
    expect([...list.map((s) => s.file)].sort()).toEqual(files);
  });
  for (const step of list) {
    it(`${folder || 'admin'}/${step.file}`, async () => {
      const { hs, ids, tokens } = world();
      await step.setup?.();
      const rec = loadRecording(folder, step.file);
      const token = step.actor === null ? null : step.actor === 'bad' ? 'syt_not_a_token' : (tokens.get(step.actor) ?? null);
      if (step.actor !== null && token === null) throw new Error(`no token for ${step.actor}`);
      const path = step.path?.(ids.apply(rec.path));
      const ours = await replay(hs, rec, ids, token, path);
      step.after?.(ours, rec);
      compare(rec, ours, step);
    });
  }
}

const pngBytes = Buffer.alloc(74, 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------
// Folder 1: admin API calls about alice, and carol's erasure.
// World: alice (display name, avatar, a text upload, a private room with bob
// with 5 messages and a file, global and room account data, a room tag, one
// pusher, two devices besides her login); bob; an admin who does the calls.
// ---------------------------------------------------------------------------
describe('admin recordings (Synapse 1.67)', () => {
  let hs: TestHomeserver;
  const ids = new IdMap();
  const tokens = new Map<string, string>();
  let room = '';
  let carol = '';

  beforeAll(async () => {
    hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
    const m = hs.model;
    const admin = m.addUser({ localpart: 'admin', admin: true });
    const alice = m.addUser({
      localpart: 'alice',
      displayName: 'Alice Liddell',
      devices: [
        { deviceId: 'ALICEPHONE', displayName: 'alice-setup-script' },
        { deviceId: 'BEFFEYLINS', displayName: 'alice-setup-script', lastSeenIp: '127.0.0.1', lastSeenUserAgent: 'Python-urllib/3.11', lastSeenAt: Date.now() },
      ],
    });
    const bob = m.addUser({ localpart: 'bob' });
    tokens.set('admin', admin.accessToken).set('alice', alice.accessToken).set('bob', bob.accessToken);
    m.setProfile(alice.userId, { avatarUrl: m.uploadMedia(alice.userId, { contentType: 'image/png', bytes: pngBytes, filename: 'alice-avatar.png' }) });
    room = m.createRoom(alice.userId, { name: 'Alice & Bob', topic: 'privacy bot test room', invite: [bob.userId] });
    ids.add('!DaNpMzPaXOeXuogOUT:test.local', room);
    m.join(room, bob.userId);
    for (let i = 1; i <= 5; i++) {
      const ev = m.sendMessage(room, alice.userId, `Hello Bob, this is Alice's message #${i}`);
      if (i === 3) ids.add('$_mZ9LFQ6JOvyo0td90Uar7c9veYnvzqiBc94Ghku6mI', ev);
    }
    const notes = m.uploadMedia(alice.userId, { contentType: 'text/plain', bytes: Buffer.alloc(51, 'n'), filename: 'alice-notes.txt' });
    m.sendMessage(room, alice.userId, 'alice-notes.txt', { msgtype: 'm.file', extraContent: { url: notes, info: { mimetype: 'text/plain' } } });
    m.setAccountData(alice.userId, 'org.example.privacy_prefs', { share_read_receipts: false, favourite_colour: 'blue' });
    m.setAccountData(alice.userId, 'org.example.room_note', { note: "Bob's room" }, room);
    m.setRoomTag(alice.userId, room, 'u.work', { order: 0.5 });
    m.addPusher(alice.userId, {
      kind: 'http',
      app_id: 'org.example.testpush',
      pushkey: 'alice-pushkey-1',
      app_display_name: 'Test Push App',
      device_display_name: "Alice's phone",
      lang: 'en',
      data: { url: 'http://127.0.0.1:9/_matrix/push/v1/notify', format: 'event_id_only' },
    });
  });
  afterAll(async () => hs.close());

  let nonce = '';
  const steps = (): Step[] => [
    { file: '01-query-user-account-v2.json', actor: 'admin' },
    { file: '02-list-joined-rooms.json', actor: 'admin' },
    { file: '03-list-devices-v2.json', actor: 'admin' },
    { file: '04-list-media-uploaded-by-user.json', actor: 'admin' },
    { file: '05-whois-sessions-ips-user-agents.json', actor: 'admin' },
    { file: '06-account-data.json', actor: 'admin' },
    { file: '07-pushers.json', actor: 'admin' },
    { file: '08-room-messages-admin-with-senders-filter.json', actor: 'admin' },
    { file: '09-room-details-admin.json', actor: 'admin' },
    { file: '10-event-context-admin-no-membership-needed-with-senders-filter.json', actor: 'admin' },
    {
      file: '11-login-as-user-puppet-token.json',
      actor: 'admin',
      after: (ours) => tokens.set('puppet', String((ours.body as { access_token: string }).access_token)),
    },
    { file: '12-whoami-with-the-puppet-token.json', actor: 'puppet' },
    { file: '13-client-messages-as-alice-via-puppet-token-senders-filter.json', actor: 'puppet' },
    { file: '14-devices-after-login-as-user-puppet-token-adds-no-device.json', actor: 'admin' },
    {
      file: '15-shared-secret-registration-step-1-get-nonce.json',
      actor: null,
      after: (ours) => (nonce = String((ours.body as { nonce: string }).nonce)),
    },
    {
      file: '16-shared-secret-registration-step-2-register-no-auth-header-ma.json',
      actor: null,
      // The recorded MAC was made with the recorded server's secret and nonce: make ours.
      path: (p) => p,
      setup: () => {
        const rec = loadRecording('', '16-shared-secret-registration-step-2-register-no-auth-header-ma.json');
        const body = rec.requestBody as Record<string, unknown>;
        const mac = createHmac('sha1', hs.registrationSecret).update(`${nonce}\0carol\0carol-pass-8008\0notadmin`).digest('hex');
        ids.add(String(body['nonce']), nonce);
        ids.add(String(body['mac']), mac);
      },
      after: (ours) => {
        const b = ours.body as { user_id: string; access_token: string };
        carol = b.user_id;
        tokens.set('carol', b.access_token);
      },
    },
    {
      // carol joins alice's room with a profile and an upload, and says something.
      file: '17-before-query-carol-v2.json',
      actor: 'admin',
      setup: () => {
        const m = hs.model;
        m.setProfile(carol, { displayName: 'Carol Throwaway' });
        m.setProfile(carol, { avatarUrl: m.uploadMedia(carol, { contentType: 'image/png', bytes: pngBytes, filename: 'carol.png' }) });
        m.invite(room, '@alice:test.local', carol);
        m.join(room, carol);
        ids.add('$SaF_2oA0BrTuBDtU0_wiyoN0kgaFxkBnCq335OXoSjo', m.sendMessage(room, carol, 'Carol was here (message to be erased)'));
      },
    },
    { file: '18-deactivate-carol-with-erase.json', actor: 'admin' },
    { file: '19-after-query-carol-v2.json', actor: 'admin' },
    { file: '20-after-immediately-carol-s-joined-rooms.json', actor: 'admin' },
    {
      file: '21-after-parter-finished-carol-s-joined-rooms.json',
      actor: 'admin',
      setup: () => until("carol's background leave", () => hs.model.joinedRooms(carol).length === 0),
    },
    { file: '22-after-carol-s-media-not-deleted-by-deactivation.json', actor: 'admin' },
    { file: '23-after-carol-s-old-access-token.json', actor: 'carol' },
    { file: '24-after-carol-s-message-as-seen-by-bob-was-in-the-room-when-it.json', actor: 'bob' },
    {
      // The admin joins only now: a later joiner, who sees carol's events pruned.
      file: '25-after-carol-s-events-via-messages-as-a-later-joiner-admin-jo.json',
      actor: 'admin',
      setup: () => {
        hs.model.invite(room, '@alice:test.local', '@admin:test.local');
        hs.model.join(room, '@admin:test.local');
      },
    },
    { file: '26-after-same-carol-event-via-rooms-event-as-the-later-joiner.json', actor: 'admin' },
    {
      file: '27-after-carol-s-message-via-admin-event-context-api.json',
      actor: 'admin',
      normalize: (recorded, ours) => {
        // Synapse 1.67 left prev_content/prev_sender off bob's join (invite -> join) in this
        // answer but kept them on carol's; no rule explains it, so the test homeserver always
        // sends them. Compare member events in `state` without them.
        for (const body of [recorded, ours]) {
          for (const ev of (body as { state: Array<Record<string, Record<string, unknown>>> }).state) {
            delete ev['prev_content'];
            if (ev['unsigned']) {
              delete ev['unsigned']['prev_content'];
              delete ev['unsigned']['prev_sender'];
            }
          }
        }
      },
    },
    { file: '28-after-carol-s-profile-via-client-api.json', actor: 'admin' },
  ];
  defineReplays('', steps, () => ({ hs, ids, tokens }));

  it('reproduces the erasure outcome, not only its shape', async () => {
    // Later joiners see carol's message pruned in /messages (recording 25) ...
    const res = await fetch(
      `${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages?dir=b&limit=50&filter=${encodeURIComponent(JSON.stringify({ senders: [carol] }))}`,
      {
        headers: { Authorization: `Bearer ${tokens.get('admin')}` },
      },
    );
    const body = (await res.json()) as { chunk: Array<{ type: string; content: Record<string, unknown> }> };
    expect(body.chunk.find((e) => e.type === 'm.room.message')?.content).toEqual({});
    // ... while bob, who was there, still reads it in full (recording 24).
    expect(hs.model.user(carol)?.displayName).toBeNull();
    expect(hs.model.mediaOf(carol)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
// Folder 2 (client-api/): a matrix-bot-sdk bot (privacybot, a server admin),
// alice and bob driving it, and admin calls about a freshly registered user.
// World at the start: two rooms made by @admin that the bot joined, and an
// older DM from alice where the bot already answered a !ping.
// ---------------------------------------------------------------------------
describe('client-api recordings (Synapse 1.67)', () => {
  let hs: TestHomeserver;
  const ids = new IdMap();
  const tokens = new Map<string, string>();
  const BOT = '@privacybot:test.local';
  const ALICE = '@alice:test.local';
  const BOB = '@bob:test.local';
  let dm = '';
  /** The bot's sync position, as its SDK would hold it. */
  let since = '';

  beforeAll(async () => {
    hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
    const m = hs.model;
    const admin = m.addUser({ localpart: 'admin', admin: true });
    const bot = m.addUser({ localpart: 'privacybot', admin: true });
    const alice = m.addUser({ localpart: 'alice', displayName: 'Alice Liddell' });
    const bob = m.addUser({ localpart: 'bob' });
    tokens.set('bot', bot.accessToken).set('alice', alice.accessToken).set('bob', bob.accessToken);
    m.setProfile(ALICE, { avatarUrl: m.uploadMedia(ALICE, { contentType: 'image/png', bytes: pngBytes, filename: 'alice-avatar.png' }) });
    // These rooms were created with creation_content {"m.federate": true} (seen in their create events).
    const federate = { 'm.federate': true };
    for (const [recorded, name] of [
      ['!JypHDOFQHnpMtIOlxJ:test.local', 'privacy admins dky8wv'],
      ['!ZsUTYTNMHuSoiVAeOx:test.local', 'privacy contact dky8wv'],
    ] as const) {
      const r = m.createRoom(admin.userId, { name, invite: [BOT], creationContent: federate });
      m.join(r, BOT);
      ids.add(recorded, r);
    }
    const oldDm = m.createRoom(ALICE, { invite: [BOT], isDirect: true, creationContent: federate });
    ids.add('!NAjbGwenfPNvYhhIcK:test.local', oldDm);
    m.join(oldDm, BOT);
    const ping = m.sendMessage(oldDm, ALICE, '!ping');
    m.sendEvent(
      oldDm,
      BOT,
      'm.room.message',
      {
        'm.relates_to': { 'm.in_reply_to': { event_id: ping } },
        msgtype: 'm.notice',
        body: '> <@alice:test.local> !ping\n\npong',
        format: 'org.matrix.custom.html',
        formatted_body: `<mx-reply><blockquote>In reply to</blockquote></mx-reply>pong`,
      },
      { txn: { token: bot.accessToken, txnId: '1795694597089__inc1' } },
    );
    m.setAccountData(BOT, 'm.direct', { [ALICE]: [oldDm] });
  });
  afterAll(async () => hs.close());

  /** Syncs the bot up to now without recording, as the SDK did between recorded syncs. */
  async function advance(): Promise<void> {
    const res = await fetch(`${hs.url}/_matrix/client/v3/sync?full_state=false&timeout=0${since ? `&since=${since}` : ''}`, {
      headers: { Authorization: `Bearer ${tokens.get('bot')}` },
    });
    since = ((await res.json()) as { next_batch: string }).next_batch;
  }
  const withSince = (p: string): string => p.replace(/since=[^&]*/, `since=${since}`);
  const learnSince = (ours: Answer): void => {
    since = (ours.body as { next_batch: string }).next_batch;
  };
  const learnId =
    (key: 'room_id' | 'event_id' | 'content_uri') =>
    (ours: Answer, rec: Recording): void => {
      ids.add(String((rec.body as Record<string, string>)[key]), String((ours.body as Record<string, string>)[key]));
    };
  const say = (recordedId: string, sender: string, body: string, extra: Record<string, unknown> = {}): void => {
    ids.add(recordedId, hs.model.sendEvent(dm, sender, 'm.room.message', { msgtype: 'm.text', body, ...extra }));
  };
  const recuser = '@recuser695591:test.local';
  let nonce = '';
  const upload = (name: string, type: string, size: number): void => {
    hs.model.uploadMedia(recuser, { contentType: type, bytes: Buffer.alloc(size, 'r'), filename: name });
  };

  const steps = (): Step[] => [
    { file: '01-get-client-v3-account-whoami.json', actor: 'bot' },
    { file: '02-get-client-v3-user-userid-account-data-type-m-direct.json', actor: 'bot' },
    { file: '03-get-client-v3-joined-rooms.json', actor: 'bot' },
    { file: '04-get-client-v3-sync-initial.json', actor: 'bot', after: learnSince },
    { file: '05-get-client-v3-profile-userid-own.json', actor: 'bot' },
    { file: '06-get-media-v3-config-sdk-dorequest.json', actor: 'bot' },
    // 08 (alice creates the DM) was answered while 07's long-poll was waiting: replay it first.
    {
      file: '08-post-client-v3-createroom-dm.json',
      actor: 'alice',
      after: (ours, rec) => {
        learnId('room_id')(ours, rec);
        dm = (ours.body as { room_id: string }).room_id;
      },
    },
    { file: '07-get-client-v3-sync-invite.json', actor: 'bot', path: withSince, after: learnSince },
    { file: '09-get-client-v3-rooms-roomid-joined-members-urllib.json', actor: 'alice' },
    { file: '10-put-client-v3-user-userid-account-data-type-m-direct.json', actor: 'bot' },
    { file: '11-post-client-v3-join-roomid-sdk.json', actor: 'bot' },
    { file: '12-get-client-v3-rooms-roomid-joined-members-sdk.json', actor: 'bot' },
    {
      file: '13-get-client-v3-sync-timeline-message.json',
      actor: 'bot',
      path: withSince,
      after: learnSince,
      setup: async () => {
        await advance();
        say('$-MRGcK1JIxTS1j84BPesLLVcRJlCOYXlXrBysYwtHK0', ALICE, '!ping');
      },
      normalize: (recorded) => {
        // Synapse told the bot that alice went offline; the test homeserver sends presence
        // only in initial syncs (the bot ignores presence).
        delete (recorded as Record<string, unknown>)['presence'];
      },
    },
    { file: '14-get-client-v3-rooms-roomid-state-type-statekey-m-room-encryption-404.json', actor: 'bot' },
    { file: '15-get-client-v3-rooms-roomid-state-type-statekey-m-room-create.json', actor: 'bot' },
    { file: '16-get-client-v3-rooms-roomid-messages.json', actor: 'alice' },
    { file: '17-put-client-v3-rooms-roomid-send-type-txnid-reply-notice.json', actor: 'bot', after: learnId('event_id') },
    { file: '18-post-media-v3-upload-sdk.json', actor: 'bot', after: learnId('content_uri') },
    { file: '19-get-media-v3-download-test-local-mediaid.json', actor: null },
    {
      file: '20-put-client-v3-rooms-roomid-send-type-txnid-m-replace-edit.json',
      actor: 'bot',
      setup: () => say('$FImKee_DZ0hqptCGfidixwbCCP6Z5DBA-gy6bGMn82c', BOT, 'notice to edit', { msgtype: 'm.notice' }),
    },
    { file: '21-put-client-v3-rooms-roomid-typing-userid-typing-true.json', actor: 'bot' },
    {
      file: '22-get-client-v3-sync-m-reaction.json',
      actor: 'bot',
      path: withSince,
      after: learnSince,
      setup: async () => {
        await advance();
        const pong = ids.apply('$cOtGmgZvOQx3IWiR1rh3dPlUE8b8lMp77bKjFEJ3dAE');
        hs.model.sendEvent(dm, ALICE, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: pong, key: '👍' } });
      },
    },
    { file: '23-put-client-v3-rooms-roomid-typing-userid-typing-false.json', actor: 'bot' },
    // 25 (alice redacts) was answered while 24's long-poll was waiting: replay it first.
    {
      file: '25-put-client-v3-rooms-roomid-redact-eventid-txnid.json',
      actor: 'alice',
      setup: async () => {
        say('$rMz67ZBf5fDnZ8gpm1PwlJALga-wow-nhiqomGtNClU', ALICE, 'to be redacted');
        await advance();
      },
    },
    { file: '24-get-client-v3-sync-redaction.json', actor: 'bot', path: withSince, after: learnSince },
    {
      file: '26-get-client-v3-sync-m-replace.json',
      actor: 'bot',
      path: withSince,
      after: learnSince,
      setup: async () => {
        say('$PeB19-Dftrpe8LL-WVLDUogUbOl3uupI52yVOzervAQ', ALICE, 'text from alice');
        await advance();
        hs.model.sendEvent(dm, ALICE, 'm.room.message', {
          msgtype: 'm.text',
          body: '* edited text from alice',
          'm.new_content': { msgtype: 'm.text', body: 'edited text from alice' },
          'm.relates_to': { rel_type: 'm.replace', event_id: ids.apply('$PeB19-Dftrpe8LL-WVLDUogUbOl3uupI52yVOzervAQ') },
        });
      },
    },
    {
      file: '27-post-client-v3-join-roomid-bob-urllib.json',
      actor: 'bob',
      setup: () => {
        const group = hs.model.createRoom(ALICE, { name: 'group', invite: [BOB, BOT] });
        hs.model.join(group, BOT);
        ids.add('!UDFXbDvOLGvkGpgzBn:test.local', group);
        const leaveMe = hs.model.createRoom(ALICE, { name: 'leave-me', invite: [BOT] });
        hs.model.join(leaveMe, BOT);
        ids.add('!yucUkstSrdNHuvCxzv:test.local', leaveMe);
      },
    },
    { file: '28-post-client-v3-rooms-roomid-leave-bob.json', actor: 'bob' },
    { file: '29-post-client-v3-rooms-roomid-leave-sdk-leave-me.json', actor: 'bot' },
    {
      file: '30-get-admin-v1-register.json',
      actor: null,
      after: (ours) => (nonce = String((ours.body as { nonce: string }).nonce)),
    },
    {
      file: '31-post-admin-v1-register.json',
      actor: null,
      setup: () => {
        // The recorded MAC was made with the recorded server's secret and nonce: make ours.
        const rec = loadRecording('client-api', '31-post-admin-v1-register.json');
        const body = rec.requestBody as Record<string, unknown>;
        const mac = createHmac('sha1', hs.registrationSecret).update(`${nonce}\0recuser695591\0REDACTED\0notadmin`).digest('hex');
        ids.add(String(body['nonce']), nonce);
        ids.add(String(body['mac']), mac);
      },
    },
    {
      file: '32-post-client-v3-login.json',
      actor: null,
      after: (ours) => tokens.set('recuser', String((ours.body as { access_token: string }).access_token)),
    },
    { file: '33-post-media-v3-upload-urllib.json', actor: 'recuser', after: learnId('content_uri') },
    { file: '34-put-client-v3-user-userid-account-data-type-custom.json', actor: 'recuser' },
    {
      file: '35-put-client-v3-user-userid-rooms-roomid-account-data-type.json',
      actor: 'recuser',
      setup: () => ids.add('!OCEzkFjKJSZfwrDoDl:test.local', hs.model.createRoom(recuser, { name: 'rec room' })),
    },
    { file: '36-put-client-v3-user-userid-rooms-roomid-tags-tag.json', actor: 'recuser' },
    { file: '37-post-client-v3-pushers-set.json', actor: 'recuser' },
    { file: '38-get-admin-v1-server-version.json', actor: 'bot' },
    { file: '39-get-admin-v2-users-userid.json', actor: 'bot' },
    { file: '40-get-admin-v1-users-userid-joined-rooms.json', actor: 'bot' },
    { file: '41-get-admin-v1-users-userid-memberships-unrecognized.json', actor: 'bot' },
    { file: '42-get-admin-v2-users-userid-devices.json', actor: 'bot' },
    { file: '43-get-admin-v1-whois-userid.json', actor: 'bot' },
    {
      // The fresh user uploaded 5 files: one.txt (recorded in 33), then these four.
      file: '44-get-admin-v1-users-userid-media-page1.json',
      actor: 'bot',
      setup: () => {
        const t = Date.now();
        upload('two.txt', 'text/plain', 11);
        upload('three.txt', 'text/plain', 11);
        hs.model.uploadMedia(recuser, { contentType: 'application/octet-stream', bytes: Buffer.alloc(32), filename: 'four.bin', createdAt: t + 2 });
        hs.model.uploadMedia(recuser, { contentType: 'text/plain', bytes: Buffer.alloc(11), filename: 'five.txt', createdAt: t + 3 });
      },
    },
    { file: '45-get-admin-v1-users-userid-media-last-page.json', actor: 'bot' },
    { file: '46-get-admin-v1-users-userid-accountdata.json', actor: 'bot' },
    { file: '47-get-admin-v1-users-userid-pushers.json', actor: 'bot' },
    { file: '48-delete-admin-v1-media-test-local-mediaid.json', actor: 'bot' },
    { file: '49-delete-admin-v1-media-test-local-mediaid-again-404.json', actor: 'bot' },
    { file: '50-get-media-v3-download-test-local-mediaid-deleted-404.json', actor: null },
    { file: '51-delete-admin-v1-users-userid-media.json', actor: 'bot' },
    { file: '52-put-admin-v2-users-userid-threepids.json', actor: 'bot' },
    { file: '53-get-media-v3-config-urllib.json', actor: 'bot' },
    { file: '54-get-federation-v1-version-no-listener.json', actor: null },
    { file: '55-get-tuwunel-server-version-404.json', actor: 'bot' },
    { file: '56-post-admin-v1-user-userid-redact-unrecognized.json', actor: 'bot' },
    { file: '57-get-client-v3-account-whoami-bad-token.json', actor: 'bad' },
    { file: '58-get-admin-v2-users-userid-nonexistent-user.json', actor: 'bot' },
    { file: '59-get-admin-v1-users-userid-joined-rooms-nonexistent-user.json', actor: 'bot' },
    { file: '60-get-admin-v2-users-userid-devices-nonexistent-user.json', actor: 'bot' },
    { file: '61-get-admin-v1-whois-userid-nonexistent-user.json', actor: 'bot' },
    { file: '62-get-admin-v1-users-userid-accountdata-nonexistent-user.json', actor: 'bot' },
    { file: '63-get-admin-v1-users-userid-pushers-nonexistent-user.json', actor: 'bot' },
    { file: '64-delete-admin-v1-users-userid-media-nonexistent-user.json', actor: 'bot' },
    { file: '65-put-admin-v2-users-userid-non-admin-403.json', actor: 'alice' },
    { file: '66-get-client-v3-joined-rooms-no-token-401.json', actor: null },
    { file: '67-get-admin-v1-server-version-bad-token.json', actor: 'bad' },
  ];
  defineReplays('client-api', steps, () => ({ hs, ids, tokens }));

  it('kept the recorded values that matter, not only their shapes', () => {
    // The bot's own reply came back with its transaction ID; the redacted message was pruned.
    const events = hs.model.events(dm);
    expect(events.some((e) => e.sender === BOT && e.type === 'm.room.message')).toBe(true);
    const redacted = events.find((e) => e.event_id === ids.apply('$rMz67ZBf5fDnZ8gpm1PwlJALga-wow-nhiqomGtNClU'));
    expect(redacted?.content).toEqual({});
    expect(hs.model.mediaOf(recuser)).toHaveLength(0);
    expect(hs.model.user(recuser)?.emails).toEqual([]);
  });
});
