// Builds the request lifecycle's parts over one database and wires them together: the
// request service, the job runner, escalations, mail, the desk commands use, and the
// maintenance timer. The bot supplies how to reach people (the Notifier) and job handlers.
import { AuditLog } from '../audit/audit-log.ts';
import type { BotConfig, Secrets } from '../config/load.ts';
import { Escalations } from '../escalation/escalations.ts';
import { JobStore } from '../jobs/job-store.ts';
import { JobRunner, type JobEvents, type JobHandler } from '../jobs/runner.ts';
import { Mailer } from '../mail/mailer.ts';
import { Outbox } from '../mail/outbox.ts';
import type { Notifier } from '../notify/notifier.ts';
import { ErasureDesk } from '../erasure/erasure-desk.ts';
import { personForgetter, type ForgetHook } from '../erasure/forget.ts';
import { erasureHandler } from '../erasure/pipeline.ts';
import { ErasureSteps } from '../erasure/steps-store.ts';
import { roomPreview } from '../erasure/room-preview.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import { RequestDesk } from '../requests/desk.ts';
import { Maintenance } from '../requests/maintenance.ts';
import { pseudonymiser } from '../requests/pseudonym.ts';
import { RequestService } from '../requests/requests.ts';
import type { Db } from '../store/database.ts';

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

export type ServiceOptions = {
  config: BotConfig;
  secrets: Secrets;
  db: Db;
  /** How to reach people; its mail part is added here. */
  chatNotifier: Notifier;
  handlers: readonly JobHandler[];
  jobEvents: JobEvents;
  /** Periodic work besides the lifecycle's own (e.g. deleting expired exports). */
  tasks?: ReadonlyArray<readonly [string, () => unknown]>;
  now: () => number;
  log: (line: string) => void;
  /** Where erasures run; without it, no erasure job is registered. */
  homeserver?: Pick<Homeserver, 'capabilities' | 'erasure'>;
  /** What else the bot keeps about a person, deleted when their erasure ends (export files ...). */
  forgetHooks?: readonly ForgetHook[];
  /** Base of the backoff between a job's attempts (default 30 s). */
  jobRetryBaseMs?: number;
};

export function createRequestServices(options: ServiceOptions): RequestServices {
  const { config, secrets, db, now, log } = options;
  if (secrets.pseudonymKey === null) throw new Error('createRequestServices: no pseudonym key (checked at start-up)');
  const pseudonymise = pseudonymiser(secrets.pseudonymKey);
  const audit = new AuditLog(db);
  const requests = new RequestService({ db, audit, pseudonymise, responseDays: config.policy.responseDays, now });
  const jobStore = new JobStore(db);
  const outbox = new Outbox(db);
  const mailer =
    config.smtp === undefined
      ? null
      : new Mailer({ outbox, smtp: { ...config.smtp, password: secrets.smtpPassword ?? undefined, from: config.smtp.from ?? config.privacyContact.email }, now, log });
  const notifier = withMail(options.chatNotifier, mailer === null ? null : { outbox, mailer, to: config.privacyContact.email, now });
  const forget = personForgetter({ db, requests, pseudonymise, hooks: options.forgetHooks ?? [], now });
  const erasures = options.homeserver === undefined ? [] : [erasureHandler({ homeserver: options.homeserver, steps: new ErasureSteps(db), notifier, config, now, forget, log })];
  // A handler given by the caller wins over the bot's own of the same kind.
  const jobs = new JobRunner({
    store: jobStore, requests, handlers: [...erasures, ...options.handlers], events: options.jobEvents, now, log,
    ...(options.jobRetryBaseMs === undefined ? {} : { retryBaseMs: options.jobRetryBaseMs }),
  });
  const escalations = new Escalations({ db, requests, notifier, rules: config.requests, now });
  const desk = new RequestDesk({ config, requests, audit, jobs, escalations, notifier, now });
  const erasureOps = options.homeserver?.erasure ?? null;
  const erasure = new ErasureDesk({ config, requests, jobs, notifier, now, ...(erasureOps === null ? {} : { previewRooms: (userId: string) => roomPreview(erasureOps, userId) }) });
  const maintenance = new Maintenance({
    db, requests, audit, escalations, notifier, mailer, pseudonymise, settings: config.requests, now, log,
    tasks: [['expired erasure codes', () => erasure.expireConfirmations()], ...(options.tasks ?? [])],
  });

  // A request that fails is escalated at once, not at the next check.
  requests.onChange(({ request }) => {
    if (request.state === 'failed') void escalations.escalate(request, 'failed').catch(() => log('escalating a failed request failed; the next check retries'));
  });

  return {
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
}

/** The privacy contact also gets a mail, queued in the outbox and sent in the background. */
function withMail(chat: Notifier, mail: { outbox: Outbox; mailer: Mailer; to: string; now: () => number } | null): Notifier {
  if (mail === null) return chat;
  return {
    ...chat,
    toPrivacyContact: async (document, key, message) => {
      if (message !== undefined && mail.outbox.queue({ key, to: mail.to, subject: message.subject, body: message.body }, mail.now())) void mail.mailer.flush();
      await chat.toPrivacyContact(document, key);
    },
  };
}
