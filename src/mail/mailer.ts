// Sends the outbox with nodemailer over SMTP, in the background: a failure is retried with
// exponential backoff and recorded, and never blocks or crashes the bot.
import nodemailer, { type Transporter } from 'nodemailer';
import { backoffDelay } from '../backoff.ts';
import type { Outbox } from './outbox.ts';

export type SmtpSettings = {
  host: string;
  port: number;
  /** implicit: TLS from the first byte (port 465); starttls: upgrade, required; none: plain (loopback only). */
  tls: 'implicit' | 'starttls' | 'none';
  user?: string | undefined;
  password?: string | undefined;
  from: string;
};

export type MailerOptions = {
  outbox: Outbox;
  smtp: SmtpSettings;
  now: () => number;
  /** Attempts before a mail is given up (and the failure recorded). */
  maxAttempts?: number;
  retryBaseMs?: number;
  log?: (line: string) => void;
};

function transportFor(smtp: SmtpSettings): Transporter {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
}

export class Mailer {
  readonly #outbox: Outbox;
  readonly #from: string;
  readonly #transport: Transporter;
  readonly #now: () => number;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;
  readonly #log: (line: string) => void;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #stopped = false;

  constructor(options: MailerOptions) {
    this.#outbox = options.outbox;
    this.#from = options.smtp.from;
    this.#transport = transportFor(options.smtp);
    this.#now = options.now;
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#retryBaseMs = options.retryBaseMs ?? 60_000;
    this.#log = options.log ?? (() => {});
  }

  /** Sends what is due now, then sleeps until the next retry. Concurrent calls share one pass. */
  flush(): Promise<void> {
    this.#flushing ??= this.#sendDue().finally(() => {
      this.#flushing = null;
      this.#schedule();
    });
    return this.#flushing;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#flushing;
    this.#transport.close();
  }

  async #sendDue(): Promise<void> {
    for (const mail of this.#outbox.due(this.#now())) {
      if (this.#stopped) return;
      try {
        await this.#transport.sendMail({ from: this.#from, to: mail.to, subject: mail.subject, text: mail.body });
        this.#outbox.sent(mail.key, this.#now());
      } catch (error) {
        const reason = describeMailError(error);
        if (mail.attempts + 1 >= this.#maxAttempts) {
          this.#outbox.gaveUp(mail.key, this.#now(), reason);
          this.#log(`mail ${mail.key} given up after ${mail.attempts + 1} attempts: ${reason}`);
        } else {
          this.#outbox.retryLater(mail.key, this.#now() + backoffDelay(mail.attempts, this.#retryBaseMs, Math.random), reason);
          this.#log(`mail ${mail.key} failed (${reason}); will retry`);
        }
      }
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    const next = this.#outbox.nextAttemptAt();
    if (next === null) return;
    this.#timer = setTimeout(() => void this.flush(), Math.min(Math.max(0, next - this.#now()), 2 ** 31 - 1));
    this.#timer.unref();
  }
}

/** An SMTP failure in a few words: the error code and response code, never addresses or content. */
function describeMailError(error: unknown): string {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const parts = [typeof code === 'string' ? code : null, typeof responseCode === 'number' ? `SMTP ${responseCode}` : null].filter((p) => p !== null);
  return parts.length > 0 ? parts.join(', ') : 'unknown error';
}
