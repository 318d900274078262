// Time-driven parts of the lifecycle through the real bot, with a clock the test moves:
// each escalation trigger fires once and only once (room, admin reminder, real mail), a
// failed job is told and escalated, a job survives a restart, the daily digest, and the
// retention purge as seen in the database file itself.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobFailure } from '../../src/jobs/job.ts';
import type { JobHandler } from '../../src/jobs/runner.ts';
import { paragraph } from '../../src/render/document.ts';
import { DATABASE_FILE } from '../../src/store/database.ts';
import { botBodies, requestIdIn as idIn } from '../support/bot-messages.ts';
import { movableClock } from '../support/clock.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.ts';
import { waitUntil } from '../support/wait.ts';
import { startWorld, type World } from '../support/world.ts';

const DAY = 86_400_000;
let world: World | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await world?.close();
  await smtp?.close();
  world = undefined;
  smtp = undefined;
});

/** An export request of Alice's, scheduled and queued for whichever export handler the world has. */
function queueExportJob(w: World, dm: string) {
  const { desk } = w.bot.services;
  const request = desk.requests.open({ kind: 'export', userId: w.alice.userId, roomId: dm, sourceEventId: null });
  desk.requests.transition(request.id, 'scheduled', 'bot');
  desk.jobs.enqueue(desk.requests.get(request.id)!);
  return request;
}

const bodies = (w: World, roomId: string) => botBodies(w.hs.model, w.privacybot.userId, roomId);

async function worldWithMail(extra: Parameters<typeof startWorld>[0] = {}) {
  smtp = await startSmtpServer();
  const mail = smtp;
  const clock = movableClock();
  world = await startWorld({ now: clock.now, configure: (raw) => (raw.smtp = { host: mail.host, port: mail.port, tls: 'none' }), ...extra });
  return { w: world, clock, mail };
}

describe('escalations', () => {
  it('due soon and overdue: each once, to the privacy contact room, by mail, and as an admin reminder', async () => {
    const { w, clock, mail } = await worldWithMail();
    const dm = await w.openDirectChat(w.alice.userId);
    const id = idIn((await w.ask(w.alice.userId, dm, '!object I object to my data going to the push gateway')).body);
    // The new request itself is mailed (without what Alice wrote).
    await waitUntil(() => mail.mails.some((m) => m.subject.includes(id)), 'the new-request mail');
    expect(mail.mails[0]!.text).toContain(w.alice.userId);
    expect(mail.mails[0]!.text).not.toContain('push gateway');
    expect(mail.mails[0]!.to).toEqual([w.config.privacyContact.email]);

    const maintenance = w.bot.services.maintenance;
    await maintenance.run();
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes('is due in'))).toHaveLength(0);

    clock.advance(24 * DAY);
    await maintenance.run();
    await maintenance.run();
    await waitUntil(() => mail.mails.some((m) => m.subject.includes('is due in')), 'the due-soon mail');
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(`Request ${id} is due in 6 day(s)`))).toHaveLength(1);
    expect(bodies(w, w.adminRoomId).filter((b) => b.startsWith('Reminder:') && b.includes(id))).toHaveLength(1);

    clock.advance(7 * DAY);
    await maintenance.run();
    await w.restart(); // a restart does not fire anything again
    await w.bot.services.maintenance.run();
    await waitUntil(() => mail.mails.some((m) => m.subject.includes('past its due date')), 'the overdue mail');
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(`Request ${id} is past its due date by 1 day(s)`))).toHaveLength(1);
    expect(bodies(w, w.adminRoomId).filter((b) => b.startsWith('Reminder:'))).toHaveLength(2);
    expect(mail.mails.filter((m) => m.subject.includes(id))).toHaveLength(3);
    const timeline = (await w.ask(w.admin.userId, w.adminRoomId, `!request ${id}`)).body;
    expect(timeline).toContain('escalated it (due-soon)');
    expect(timeline).toContain('escalated it (overdue)');
  });

  it('an erasure waiting too long for approval: escalated once', async () => {
    const { w, clock } = await worldWithMail();
    // The erasure command comes with its own issue; here the request is entered as an admin would.
    const requests = w.bot.services.desk.requests;
    const request = requests.open({ kind: 'erasure', userId: w.alice.userId, roomId: null, sourceEventId: null, enteredBy: w.admin.userId });
    requests.transition(request.id, 'awaiting_approval', w.admin.userId);
    clock.advance(47 * 3_600_000);
    await w.bot.services.maintenance.run();
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes('waiting for an administrator’s approval'))).toHaveLength(0);
    clock.advance(2 * 3_600_000);
    await w.bot.services.maintenance.run();
    await w.bot.services.maintenance.run();
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(`Request ${request.id} has been waiting for an administrator’s approval`))).toHaveLength(1);
  });

  it('mail that fails is retried with backoff and recorded, and the bot carries on meanwhile', async () => {
    smtp = await startSmtpServer();
    smtp.refuseNext(1);
    const mail = smtp;
    world = await startWorld({ configure: (raw) => (raw.smtp = { host: mail.host, port: mail.port, tls: 'none' }) });
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    const id = idIn((await w.ask(w.alice.userId, dm, '!contact hello there')).body);
    // The bot answered although the mail failed; the outbox remembers the failure and when to retry.
    const key = `relay:${
      w.hs.model
        .events(dm)
        .filter((ev) => String((ev.content as Record<string, unknown>)['body']).startsWith('!contact'))
        .at(-1)!.event_id
    }`;
    await waitUntil(() => w.bot.services.outbox.status(key)?.attempts === 1, 'the failed attempt to be recorded');
    expect(w.bot.services.outbox.status(key)).toMatchObject({ sentAt: null, lastError: expect.stringContaining('451') });
    expect(w.log.lines.some((l) => l.includes(`mail ${key} failed`))).toBe(true);
    expect(mail.mails).toHaveLength(0);
    // Retry when it is due (the backoff starts at a minute: here the test fetches it forward).
    w.bot.services.outbox.retryLater(key, Date.now(), 'test: due now');
    await w.bot.services.mailer!.flush();
    expect(mail.mails.map((m) => m.subject)).toEqual([`New privacy request ${id} (contact)`]);
    expect(w.bot.services.outbox.status(key)?.sentAt).not.toBeNull();
  });
});

/** The bot may no longer post in the room (as if it had been kicked and the room kept its ID). */
function forbidPosting(w: World, roomId: string): void {
  const path = new RegExp(`/rooms/${encodeURIComponent(roomId).replace(/[!]/g, '(?:!|%21)')}/send/`);
  w.hs.faults.add({ method: 'PUT', path, kind: 'status', status: 403, times: 1000 });
}

describe('an answer that can never be delivered', () => {
  it('fails the request it opened and escalates it once, instead of retrying at every start', async () => {
    world = await startWorld();
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    forbidPosting(w, dm);
    const command = w.say(w.alice.userId, dm, '!contact please delete my old avatar');
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => b.includes('failed: the answer could not be delivered to the requester')), 'the escalation');
    const request = w.bot.services.desk.requestOpenedBy(command)!;
    expect(request.state).toBe('failed');
    await w.restart();
    await w.bot.services.maintenance.run();
    await w.bot.idle();
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(`Request ${request.id} failed: the answer could not be delivered`))).toHaveLength(1);
    // The admins hear it once too: the command given up, and the request's reminder.
    expect(
      bodies(w, w.adminRoomId).filter((b) => b.startsWith('I could not deliver an answer.') && b.includes('`!contact` from `@alice:example.org`')),
    ).toHaveLength(1);
    expect(bodies(w, w.adminRoomId).filter((b) => b.startsWith('Reminder:') && b.includes(request.id))).toHaveLength(1);
  });

  it('a request closed at once (an export refused) whose answer never arrives is escalated once for a person to follow up', async () => {
    world = await startWorld();
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    await w.ask(w.alice.userId, dm, '!export');
    await waitUntil(() => bodies(w, dm).some((b) => /^Your export R-[0-9A-Z]{4} is ready/.test(b)), 'the first export');
    forbidPosting(w, dm);
    const command = w.say(w.alice.userId, dm, '!export');
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => b.includes('could not be answered')), 'the escalation');
    const request = w.bot.services.desk.requestOpenedBy(command)!;
    expect(request.state).toBe('denied');
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(`Request ${request.id} could not be answered`))).toHaveLength(1);
  });

  it('an access request whose answer never arrives fails, even as its message count completes, and is escalated once', async () => {
    world = await startWorld();
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    forbidPosting(w, dm);
    // The count takes a while, as on a long history: the answer is given up first.
    w.hs.faults.add({ path: /\/_synapse\/admin\/v1\/rooms\/[^/]+\/messages$/, kind: 'latency', latencyMs: 1000, times: 1000 });
    const command = w.say(w.alice.userId, dm, '!whatdoyouhave');
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => b.includes('failed: the answer could not be delivered')), 'the escalation');
    const request = w.bot.services.desk.requestOpenedBy(command)!;
    await w.bot.services.jobs.idle();
    expect(w.bot.services.desk.requests.get(request.id)!.state).toBe('failed');
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(request.id))).toHaveLength(1);
  });
});

describe('jobs through the bot', () => {
  const slowHandler = (gate: { release: () => void; started: number }): JobHandler => ({
    kind: 'export',
    concurrency: 1,
    maxAttempts: 2,
    describeProgress: (request, progress) => [paragraph(`Export ${request.id}: ${progress.phase}`)],
    run: (ctx) =>
      new Promise((resolve, reject) => {
        gate.started++;
        ctx.progress({ phase: 'collecting', counts: {} });
        gate.release = () => resolve([paragraph(`Export ${ctx.request.id} is ready.`)]);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }),
  });

  it('a job interrupted by a restart resumes, the owner is told once, and gets one result', async () => {
    const gate = { release: () => {}, started: 0 };
    world = await startWorld({ jobHandlers: [slowHandler(gate)] });
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    const request = queueExportJob(w, dm);
    await waitUntil(() => gate.started === 1, 'the job to start');

    await w.restart();
    await waitUntil(() => gate.started === 2, 'the job to start again');
    gate.release();
    await waitUntil(() => w.bot.services.desk.requests.get(request.id)!.state === 'completed', 'the job to complete');
    await waitUntil(() => bodies(w, dm).some((b) => b.includes('is ready')), 'the result');
    expect(bodies(w, dm).filter((b) => b.includes('interrupted by a restart'))).toHaveLength(1);
    expect(bodies(w, dm).filter((b) => b === `Export ${request.id} is ready.`)).toHaveLength(1);
  });

  it('a job that fails for good: the owner is told in plain words, and the privacy contact once', async () => {
    const failing: JobHandler = {
      kind: 'export',
      concurrency: 1,
      maxAttempts: 1,
      describeProgress: () => [],
      run: async () => {
        throw new JobFailure('the homeserver refused to list your rooms', { retryable: false });
      },
    };
    world = await startWorld({ jobHandlers: [failing] });
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    const request = queueExportJob(w, dm);
    await waitUntil(() => bodies(w, dm).some((b) => b.includes('could not complete your request')), 'the owner to be told');
    expect(bodies(w, dm).find((b) => b.includes('could not complete'))).toContain('the homeserver refused to list your rooms');
    await waitUntil(() => bodies(w, w.contactRoomId).some((b) => b.includes(`Request ${request.id} failed`)), 'the escalation');
    await w.bot.services.maintenance.run();
    expect(bodies(w, w.contactRoomId).filter((b) => b.includes(`Request ${request.id} failed`))).toHaveLength(1);
  });
});

describe('the daily digest', () => {
  it('lists open requests by days left once a day, with the audit head, and stays quiet when none are open', async () => {
    const clock = movableClock();
    world = await startWorld({ now: clock.now, configure: (raw) => (raw.requests = { digestHourUtc: 0 }) });
    const w = world;
    await w.bot.services.maintenance.run();
    expect(bodies(w, w.adminRoomId).filter((b) => b.startsWith('Open privacy requests'))).toHaveLength(0);
    const dm = await w.openDirectChat(w.alice.userId);
    const id = idIn((await w.ask(w.alice.userId, dm, '!contact a question')).body);
    clock.advance(DAY);
    await w.bot.services.maintenance.run();
    await w.bot.services.maintenance.run();
    const digests = bodies(w, w.adminRoomId).filter((b) => b.startsWith('Open privacy requests'));
    expect(digests).toHaveLength(1);
    expect(digests[0]).toContain(`\`${id}\` message to the privacy contact, received, 29 day(s) left`);
    expect(digests[0]).toMatch(/Audit trail head: entry `\d+`, SHA-256 `[0-9a-f]{64}`/);
  });
});

describe('retention', () => {
  it('after the retention period, a closed request no longer names its requester, in the database file itself, and the audit trail still verifies', async () => {
    const clock = movableClock();
    world = await startWorld({ now: clock.now });
    const w = world;
    const dm = await w.openDirectChat(w.alice.userId);
    const id = idIn((await w.ask(w.alice.userId, dm, '!contact please call me back')).body);
    await w.ask(w.admin.userId, w.contactRoomId, `!close ${id}`);
    await w.bot.idle();
    const file = path.join(w.config.dataDir, DATABASE_FILE);
    const bytes = () =>
      ['', '-wal']
        .map((s) => file + s)
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f).toString('latin1'))
        .join('');

    clock.advance(89 * DAY);
    await w.bot.services.maintenance.run();
    expect(w.bot.services.desk.requests.get(id)!.userId).toBe(w.alice.userId);
    expect(bytes()).toContain(w.alice.userId); // the check below can fail

    clock.advance(2 * DAY);
    await w.bot.services.maintenance.run();
    const purged = w.bot.services.desk.requests.get(id)!;
    expect(purged.userId).toMatch(/^pseudonym:[0-9a-f]{32}$/);
    expect(purged.roomId).toBeNull();
    expect(purged.state).toBe('completed');
    expect(bytes()).not.toContain(w.alice.userId);
    expect(bytes()).not.toContain(dm);
    expect((await w.ask(w.admin.userId, w.adminRoomId, '!audit verify')).body).toContain('The audit trail is intact');
  });
});
