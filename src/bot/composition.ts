// The composition root: every part of the running bot is built here, in the order its
// dependencies need, and nowhere else. The Matrix client and how it reaches people first,
// then the request lifecycle (requests, jobs, desks), then the job handlers, registered once
// the desks they use exist, then the event handlers of bot.ts, subscribed to the client.
// run.ts opens what this needs (the database, the homeserver, the crypto store) and calls
// startBot; the event handlers themselves are in bot.ts.
import type { MatrixClient, RustSdkCryptoStorageProvider } from 'matrix-bot-sdk';
import { AuditLog } from '../audit/audit-log.ts';
import type { CategoryId } from '../config/categories.ts';
import type { BotConfig, Secrets } from '../config/load.ts';
import { hasEncryptionKeys } from '../crypto/reachability.ts';
import { useContentAddressedToDeviceTxnIds } from '../crypto/to-device.ts';
import { ErasureDesk } from '../erasure/erasure-desk.ts';
import { type ForgetHook, personForgetter } from '../erasure/forget.ts';
import { erasureHandler } from '../erasure/pipeline.ts';
import { roomPreview } from '../erasure/room-preview.ts';
import { ErasureSteps } from '../erasure/steps-store.ts';
import { Escalations } from '../escalation/escalations.ts';
import { type ExpiryDependencies, exportsDir } from '../export/lifecycle/expiry.ts';
import { ExportDesk } from '../export/lifecycle/export-desk.ts';
import { exportJobHandler } from '../export/lifecycle/export-job.ts';
import { ExportStore } from '../export/lifecycle/export-store.ts';
import { forgetExports } from '../export/lifecycle/forget-exports.ts';
import type { PackageMaker } from '../export/process/package-maker.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import { messageCountHandler } from '../inventory/count-job.ts';
import { JobStore } from '../jobs/job-store.ts';
import { type JobHandler, JobRunner } from '../jobs/runner.ts';
import type { Logger } from '../log.ts';
import { Mailer } from '../mail/mailer.ts';
import { Outbox } from '../mail/outbox.ts';
import { type Chat, chatOver } from '../matrix/chat.ts';
import type { MatrixBotSdk } from '../matrix/crypto-seam.ts';
import { readableEvent } from '../matrix/readable-event.ts';
import { reportUndecryptable } from '../matrix/undecryptable.ts';
import { chatNotifier } from '../notify/chat-notifier.ts';
import { withMail } from '../notify/mail-notifier.ts';
import type { Notifier } from '../notify/notifier.ts';
import { persistSyncTokenAfterProcessing } from '../patches/matrix-bot-sdk.ts';
import { RequestDesk } from '../requests/desk.ts';
import { Maintenance } from '../requests/maintenance.ts';
import { pseudonymiser } from '../requests/pseudonym.ts';
import { BOT } from '../requests/request.ts';
import { RequestService } from '../requests/requests.ts';
import type { Db } from '../store/database.ts';
import { Inbox } from '../store/inbox.ts';
import { firstStartedAt } from '../store/meta.ts';
import { SqliteSdkStorage } from '../store/sdk-storage.ts';
import { SyncGaps } from '../store/sync-gaps.ts';
import { GapFiller } from '../sync/gap-filler.ts';
import { syncWithoutGaps } from '../sync/gapless-sync.ts';
import { answering } from './answering.ts';
import { Background, firstLine } from './background.ts';
import { answerFor, type BotParts, type ListeningBot, onInvite, onTimelineEvent } from './bot.ts';
import { type GiveUpDependencies, reportGivenUp } from './give-up.ts';
import { type JobMessages, jobEventsFor } from './job-messages.ts';
import { RateLimiter } from './rate-limit.ts';
import { RoomCache } from './room-cache.ts';
import { BotState } from './state.ts';
import { type AdminTelling, postServerNotes, reportPolicyDiscrepancies } from './tell-admins.ts';

export type BotDependencies = {
  config: BotConfig;
  secrets: Secrets;
  sdk: MatrixBotSdk;
  /** Whether to use end-to-end encryption (an engine loaded, it is allowed, and its store is open). */
  encryption: boolean;
  /** The end-to-end encryption store (crypto/crypto-store.ts), when encryption is on. */
  cryptoStore?: RustSdkCryptoStorageProvider | undefined;
  db: Db;
  homeserver: Homeserver;
  /** Makes export packages (run.ts: each in a process of its own). */
  makePackage: PackageMaker;
  /** What the admins should know about this server, posted to the admin room at start-up. */
  serverNotes: string[];
  log: Logger;
  now?: () => number;
  /** The background work of requests (exports, erasures), by kind: a test's stand-in replaces the bot's own. */
  jobHandlers?: readonly JobHandler[];
  /** What else the bot keeps about a person, deleted when their erasure ends (besides their exports). */
  forgetHooks?: readonly ForgetHook[];
  /** Base of the backoff between a job's attempts (default 30 s; tests make it short). */
  jobRetryBaseMs?: number;
};

/** The request lifecycle's parts, for the CLI and for tests that look inside. */
export type RequestServices = {
  desk: RequestDesk;
  erasure: ErasureDesk;
  jobs: JobRunner;
  jobStore: JobStore;
  outbox: Outbox;
  mailer: Mailer | null;
  maintenance: Maintenance;
  start(): void;
  stop(): Promise<void>;
};

export type RunningBot = {
  adminRoomId: string | null;
  /** The request lifecycle's parts, for the CLI and for tests that look inside. */
  services: RequestServices;
  /** Exports: the expiry pass, and `deleteExportsOf(userId)` for after an erasure. */
  exports: ExportDesk;
  /** Resolves once every command received so far was answered, given up, or left for a later attempt, and every known gap read. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

/** Builds the bot, joins its rooms, starts syncing and answers what waited. */
export async function startBot(deps: BotDependencies): Promise<RunningBot> {
  const bot = composeBot(deps);
  await startUp(bot, deps.serverNotes);
  return running(bot);
}

type ComposedBot = ComposedHandlers & { client: MatrixClient; gapFiller: GapFiller };

function composeBot(deps: BotDependencies): ComposedBot {
  const client: MatrixClient = new deps.sdk.MatrixClient(deps.config.homeserver.url, deps.secrets.botToken, new SqliteSdkStorage(deps.db), deps.cryptoStore);
  const chat = chatOver(client, deps.config.bot.userId);
  const handlers = composeHandlers(deps, { chat, canEncryptFor: (userId) => hasEncryptionKeys(client, userId) });
  const gapFiller = listen(client, handlers.bot, deps);
  return { ...handlers, client, gapFiller };
}

/** What the handlers need besides the Matrix client: everything but the SDK, the crypto store and the start-up notes. */
export type HandlerDependencies = Omit<BotDependencies, 'sdk' | 'cryptoStore' | 'serverNotes'>;

export type ComposedHandlers = {
  bot: ListeningBot;
  services: RequestServices;
  giveUp: GiveUpDependencies;
  telling: AdminTelling;
  stopAnswering: () => void;
};

/**
 * Everything between the Matrix client and the homeserver: the bot's state, how it reaches
 * people, the request lifecycle, and the handlers' parts with the answering loop. Given a chat
 * (the client's, or the command harness's stand-in in test/support/command-harness.ts).
 */
export function composeHandlers(deps: HandlerDependencies, matrix: { chat: Chat; canEncryptFor: (userId: string) => Promise<boolean> }): ComposedHandlers {
  const { config, db, log } = deps;
  const { chat } = matrix;
  const now = deps.now ?? Date.now;
  const inbox = new Inbox(db);
  inbox.purgeExpired(now());
  const state = new BotState(config.bot.displayName ?? null);
  const notifier = chatNotifier(chat, { admin: () => state.adminRoomId, privacyContact: () => state.contactRoomId }, log);
  const telling: AdminTelling = { db, toAdmins: notifier.toAdmins, log, now };
  const reportPolicy = (categories: CategoryId[]) => reportPolicyDiscrepancies(telling, categories);
  const lifecycle = composeLifecycle(deps, { chat, notifier, reportPolicy, now });
  const { services } = lifecycle;
  const background = new Background(log);
  const parts: BotParts = {
    config,
    log,
    now,
    state,
    chat,
    inbox,
    background,
    notifier,
    homeserver: deps.homeserver,
    notBefore: firstStartedAt(db, now()),
    encryption: deps.encryption,
    canEncryptFor: matrix.canEncryptFor,
    rooms: new RoomCache(chat),
    rateLimiter: new RateLimiter(config.rateLimits),
    desk: services.desk,
    erasure: services.erasure,
    exports: lifecycle.exports,
    jobStore: services.jobStore,
    jobMessages: lifecycle.jobMessages,
    reportPolicyDiscrepancies: reportPolicy,
  };
  const giveUp: GiveUpDependencies = {
    inbox,
    tellAdmins: async (document, key) => (await notifier.toAdmins(document, key)) !== null,
    // A command that opened a request and can never be answered: the request fails, and is escalated once.
    failRequest: (eventId) => services.desk.failUndeliverable(eventId),
    log,
    now,
  };
  const track = (what: string, work: Promise<void>) => background.track(what, work);
  const answers = answering({ config, inbox, chat, compose: (entry) => answerFor(parts, entry), giveUp, track, log, now });
  const bot: ListeningBot = { ...parts, answer: answers.answer };
  return { bot, services, giveUp, telling, stopAnswering: answers.stop };
}

type LifecycleParts = { services: RequestServices; exports: ExportDesk; jobMessages: JobMessages };

/** The request lifecycle: requests and their audit trail, mail, the job runner and its handlers, the desks commands use, the maintenance timer. */
function composeLifecycle(
  deps: HandlerDependencies,
  bot: { chat: Chat; notifier: Notifier; reportPolicy: (categories: CategoryId[]) => Promise<void>; now: () => number },
): LifecycleParts {
  const { config, secrets, db, homeserver, log } = deps;
  const { chat, now } = bot;
  const info = (line: string) => log.info(line);
  if (secrets.pseudonymKey === null) throw new Error('startBot: no pseudonym key (checked at start-up)');
  const pseudonymise = pseudonymiser(secrets.pseudonymKey);
  const audit = new AuditLog(db);
  const requests = new RequestService({ db, audit, pseudonymise, responseDays: config.policy.responseDays, now });
  const jobStore = new JobStore(db);
  const outbox = new Outbox(db);
  const smtp =
    config.smtp === undefined ? null : { ...config.smtp, password: secrets.smtpPassword ?? undefined, from: config.smtp.from ?? config.privacyContact.email };
  const mailer = smtp === null ? null : new Mailer({ outbox, smtp, now, log: info });
  const notifier = withMail(bot.notifier, mailer === null ? null : { outbox, mailer, to: config.privacyContact.email, now });
  const jobMessages = jobEventsFor({
    chat,
    notifier: bot.notifier,
    progressEventOf: (id) => jobStore.get(id)?.progressEvent ?? null,
    recordProgressEvent: (id, eventId) => jobStore.setProgressEvent(id, eventId),
    log: (line) => log.warn(line),
  });
  const jobs = new JobRunner({
    store: jobStore,
    requests,
    events: jobMessages,
    now,
    log: info,
    ...(deps.jobRetryBaseMs === undefined ? {} : { retryBaseMs: deps.jobRetryBaseMs }),
  });
  const escalations = new Escalations({ db, requests, notifier, rules: config.requests, now });
  const desk = new RequestDesk({ config, requests, audit, jobs, escalations, notifier, now });
  const erasureOps = homeserver.erasure;
  const erasure = new ErasureDesk({
    config,
    requests,
    jobs,
    notifier,
    now,
    ...(erasureOps === null ? {} : { previewRooms: (userId: string) => roomPreview(erasureOps, userId) }),
  });
  const exportStore = new ExportStore(db);
  const expiry: ExpiryDependencies = {
    store: exportStore,
    homeserver,
    outputDir: exportsDir(config.dataDir),
    botUserId: config.bot.userId,
    now,
    log: info,
    audit: (requestId, action, detail) => requests.record(requestId, BOT, action, detail),
  };
  const exports = new ExportDesk({ config, requests, jobs, expiry, pseudonymise, now });

  // The job handlers, now that the desks they clean up through exist. Erasure first; a test's stand-in for a kind replaces the bot's own.
  const forgetHooks = [
    forgetExports({ deleteExportsOf: (userId) => exports.deleteExportsOf(userId), outputDir: expiry.outputDir }),
    ...(deps.forgetHooks ?? []),
  ];
  const forget = personForgetter({ db, requests, pseudonymise, hooks: forgetHooks, now });
  jobs.register(erasureHandler({ homeserver, steps: new ErasureSteps(db), notifier, config, now, forget, log: info }));
  const isCancelled = (id: string) => (requests.get(id)?.state ?? 'cancelled') === 'cancelled';
  jobs.register(
    exportJobHandler({
      config,
      homeserver,
      makePackage: deps.makePackage,
      chat,
      encryption: deps.encryption,
      store: exportStore,
      expiry,
      now,
      isCancelled,
      log: info,
    }),
  );
  jobs.register(messageCountHandler({ config, homeserver, chat, now, reportPolicyDiscrepancies: bot.reportPolicy }));
  for (const handler of deps.jobHandlers ?? []) jobs.register(handler);

  const maintenance = new Maintenance({
    db,
    requests,
    audit,
    escalations,
    notifier,
    mailer,
    pseudonymise,
    settings: config.requests,
    now,
    log: info,
    tasks: [
      ['expired erasure codes', () => erasure.expireConfirmations()],
      ['expired exports', () => exports.expireDue()],
    ],
  });
  // A request that fails is escalated at once, not at the next check.
  requests.onChange(({ request }) => {
    if (request.state === 'failed')
      void escalations.escalate(request, 'failed').catch(() => info('escalating a failed request failed; the next check retries'));
  });

  const services: RequestServices = {
    desk,
    erasure,
    jobs,
    jobStore,
    outbox,
    mailer,
    maintenance,
    start: () => {
      jobs.start();
      maintenance.start();
    },
    stop: async () => {
      await maintenance.stop();
      await jobs.stop();
      await mailer?.stop();
    },
  };
  return { services, exports, jobMessages };
}

/** The client's events to bot.ts's handlers, and the sync's gaps to the gap filler, which reads them into the same handler. */
function listen(client: MatrixClient, bot: ListeningBot, deps: BotDependencies): GapFiller {
  const { db, sdk, log } = deps;
  const syncGaps = new SyncGaps(db);
  const gapFiller = new GapFiller({
    client,
    gaps: syncGaps,
    deliver: async (roomId, raw) => onTimelineEvent(bot, roomId, await readableEvent(sdk, client, roomId, raw)),
    log,
  });
  // End-to-end encryption: room keys re-sent after a crash are delivered once.
  if (deps.cryptoStore !== undefined) useContentAddressedToDeviceTxnIds(client);
  // Save the sync position only after a sync's events were handed to us: together
  // with the inbox this means a crash never skips a command.
  persistSyncTokenAfterProcessing(client);
  // What a limited sync timeline skipped is noted before the sync position moves on, then read.
  syncWithoutGaps(client, (gaps) => {
    syncGaps.record(gaps, bot.now());
    gapFiller.wake();
  });
  // What it cannot decrypt is counted per room and said once per sync, not logged per event.
  if (deps.cryptoStore !== undefined) reportUndecryptable(client, { firstStartedAt: bot.notBefore, log });
  client.on('room.event', (roomId: string, raw: unknown) => onTimelineEvent(bot, roomId, raw));
  client.on('room.invite', (roomId: string, raw: unknown) => onInvite(bot, roomId, raw));
  return gapFiller;
}

/** Joins the admin room first (so that what is found later can be told), then the privacy contact's, starts syncing, and answers what waited. */
async function startUp({ client, bot, services, gapFiller, giveUp, telling }: ComposedBot, serverNotes: string[]): Promise<void> {
  const { config, chat, state, inbox, background, log } = bot;
  try {
    state.adminRoomId = await chat.join(config.adminRoom);
  } catch (error) {
    log.error(`could not join the admin room ${config.adminRoom}: ${firstLine(error)}`);
  }
  try {
    state.contactRoomId = await chat.join(config.privacyContact.room);
  } catch (error) {
    log.warn(`could not join the privacy contact room ${config.privacyContact.room}: ${firstLine(error)}`);
  }
  state.displayName ??= await client.getUserProfile(config.bot.userId).then(
    (profile: { displayname?: string }) => profile.displayname ?? null,
    () => null,
  );

  // Commands accepted before a crash or stop and never answered, listed before the sync adds new ones (answered as they come).
  const backlog = inbox.unanswered();
  await client.start();
  log.info('privacy bot started and syncing');
  // After start: with encryption on, sending needs the crypto engine, which start() prepares.
  background.track('telling the admins about the server', postServerNotes(telling, serverNotes));
  services.start();
  // Now answer the backlog, report what was given up without the admins hearing of it, and read the gaps left open.
  for (const entry of backlog) background.track('answering a command', bot.answer(entry));
  for (const entry of inbox.failedUnreported()) background.track('reporting a command given up', reportGivenUp(giveUp, entry));
  gapFiller.wake();
}

function running({ client, bot, services, gapFiller, stopAnswering }: ComposedBot): RunningBot {
  const { state, background } = bot;
  return {
    get adminRoomId() {
      return state.adminRoomId;
    },
    services,
    exports: bot.exports,
    idle: async () => {
      do {
        await gapFiller.idle();
        await background.settled();
      } while (background.size > 0);
    },
    stop: async () => {
      state.stopped = true;
      client.stop();
      stopAnswering();
      await gapFiller.stop();
      await services.stop();
      await background.settled();
    },
  };
}
