// What runs on a timer: escalations, the daily digest, retention, and the mail outbox.
// Each step is idempotent, so running it twice (two timers, a restart) changes nothing.
import type { AuditLog } from '../audit/audit-log.ts';
import { dailyDigest, digestDay } from '../escalation/digest.ts';
import type { Escalations } from '../escalation/escalations.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Db } from '../store/database.ts';
import type { Pseudonymise } from './pseudonym.ts';
import type { RequestService } from './requests.ts';
import { purgeClosedRequests } from './retention.ts';

const DIGEST_KEY = 'digest_posted_for';

export type MaintenanceOptions = {
  db: Db;
  requests: RequestService;
  audit: AuditLog;
  escalations: Escalations;
  notifier: Notifier;
  mailer: Mailer | null;
  pseudonymise: Pseudonymise;
  settings: { digestHourUtc: number; retentionDays: number; checkEveryMinutes: number };
  /** Other periodic work (e.g. cancelling erasures whose confirmation code expired). */
  tasks?: ReadonlyArray<readonly [string, () => unknown]>;
  now: () => number;
  log: (line: string) => void;
};

export class Maintenance {
  readonly #o: MaintenanceOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(options: MaintenanceOptions) {
    this.#o = options;
  }

  start(): void {
    void this.run();
    this.#timer = setInterval(() => void this.run(), this.#o.settings.checkEveryMinutes * 60_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  /** One pass; concurrent calls share it. */
  run(): Promise<void> {
    this.#running ??= this.#pass().finally(() => (this.#running = null));
    return this.#running;
  }

  async #pass(): Promise<void> {
    const { escalations, mailer, log } = this.#o;
    for (const [what, step] of [
      ['escalations', () => escalations.check()],
      ['the daily digest', () => this.#digest()],
      ['retention', () => this.#retention()],
      ...(this.#o.tasks ?? []),
      ['mail', () => mailer?.flush()],
    ] as const) {
      try {
        await step();
      } catch (error) {
        log(`maintenance: ${what} failed: ${error instanceof Error ? error.name : 'unknown error'}`);
      }
    }
  }

  async #digest(): Promise<void> {
    const { db, requests, audit, notifier, settings, now } = this.#o;
    const day = digestDay(now(), settings.digestHourUtc);
    if (day === null) return;
    const claimed =
      db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value')
        .run(DIGEST_KEY, day).changes === 1;
    if (!claimed) return;
    const digest = dailyDigest(requests.store.open(), now(), audit.head());
    if (digest !== null) await notifier.toAdmins(digest, `digest:${day}`);
  }

  #retention(): void {
    const { db, requests, pseudonymise, settings, now, log } = this.#o;
    const { pseudonymised } = purgeClosedRequests(db, requests.store, pseudonymise, settings.retentionDays, now());
    if (pseudonymised > 0) log(`retention: ${pseudonymised} closed request(s) no longer name their requester`);
  }
}
