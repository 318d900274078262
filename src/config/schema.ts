// The shape of bot.config.json. Strict everywhere: an unknown key is an error,
// so a misspelt setting is reported instead of silently ignored.
import { z } from 'zod';
import { crossFieldIssues } from './cross-field.ts';
import { HomeserverUrl } from './homeserver-url.ts';
import { RoomRef, ServerName, UserId } from './matrix-ids.ts';
import { Policy, Text } from './policy.ts';
import { quote } from './redact.ts';

export const ENCRYPTION_MODES = ['auto', 'required', 'off'] as const;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Why `text` is not a usable data directory, or null. Relative paths are resolved by loadConfig. */
export function dataDirProblem(text: string): string | null {
  if (text.trim() === '') return 'it is empty';
  if (text.includes('\0')) return 'it contains a NUL character';
  if (text === '~' || text.startsWith('~/')) return '"~" is not expanded here: write the full path, or a path relative to the config file';
  return null;
}

const DataDir = z.string().superRefine((value, ctx) => {
  const why = dataDirProblem(value);
  if (why !== null) ctx.addIssue({ code: 'custom', message: `${quote(value)} is not a usable folder: ${why}.` });
});

const EmailAddress = z.string().superRefine((value, ctx) => {
  const problem = (): string | null => {
    if (value.trim() === '') return 'it is empty';
    if (/^mailto:/i.test(value)) return 'remove "mailto:"';
    if (/\s/.test(value)) return 'it contains spaces';
    const at = value.lastIndexOf('@');
    if (at < 0) return 'it has no "@"';
    if (at === 0) return 'there is nothing before "@"';
    const domain = value.slice(at + 1);
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(domain)) return `the part after "@" must be a domain name like "example.org"`;
    if (value.slice(0, at).includes('@')) return 'it contains more than one "@"';
    return null;
  };
  const why = problem();
  if (why !== null) ctx.addIssue({ code: 'custom', message: `${quote(value)} is not an email address: ${why}.` });
});

const Admins = z
  .array(UserId)
  .min(1)
  .superRefine(
    (admins, ctx) => {
      const seen = new Map<unknown, number>();
      admins.forEach((admin, index) => {
        const first = seen.get(admin);
        if (first === undefined) seen.set(admin, index);
        else if (typeof admin === 'string') {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `${quote(admin)} is listed twice (also at admins[${first}]); list each admin once.`,
          });
        }
      });
    },
    // Also when some entries are invalid: every problem is reported at once.
    { when: (payload) => Array.isArray(payload.value) },
  );

/** The request lifecycle: when people are reminded, and how long closed requests keep names. */
const RequestSettings = z
  .object({
    /** An erasure waiting this long for an admin is escalated to the privacy contact. */
    awaitingApprovalHours: z.number().positive().max(24 * 30).default(48),
    /** An open request due within this many days is escalated. */
    dueWithinDays: z.number().int().min(0).max(30).default(7),
    /** How often escalations, the digest and retention are checked. */
    checkEveryMinutes: z.number().int().min(1).max(24 * 60).default(15),
    /** The hour (UTC) after which the daily digest is posted. */
    digestHourUtc: z.number().int().min(0).max(23).default(8),
    /** Days after closing before a request's requester is replaced by a pseudonym. */
    retentionDays: z.number().int().min(1).max(3650).default(90),
  })
  .strict()
  .prefault({});

/** Account erasure (!delete, !erase). */
const ErasureSettings = z
  .object({
    /** Hours between approval and the start of an erasure, during which the requester may still cancel. 0: none. */
    coolingOffHours: z.number().min(0).max(24 * 30).default(24),
    /** Two different admins must approve every erasure. */
    fourEyes: z.boolean().default(false),
  })
  .strict()
  .prefault({});

/** !export: how many run at once, how often one person may ask, how long a package can be downloaded. */
const ExportSettings = z
  .object({
    /** Exports made at the same time; the others wait their turn, first come first served. */
    concurrency: z.number().int().min(1).max(16).default(2),
    /** One export per person per this many hours (GDPR Art. 12(5): repeated requests may be refused). 0: no limit. */
    perUserHours: z.number().min(0).max(24 * 365).default(24),
    /** Days a delivered package can be downloaded; then its uploads and local files are deleted. */
    retentionDays: z.number().int().min(1).max(90).default(7),
    /** Rooms read at the same time during one export. */
    roomsAtOnce: z.number().int().min(1).max(32).default(4),
  })
  .strict()
  .prefault({});

/** How many commands the bot answers per minute, per person and for everyone together. */
const RateLimitSettings = z
  .object({
    perUserPerMinute: z.number().int().min(1).max(1000).default(10),
    globalPerMinute: z.number().int().min(1).max(100_000).default(300),
  })
  .strict()
  .prefault({});

/** Where escalations are mailed from; the password comes from DSAR_SMTP_PASSWORD. */
const SmtpSettings = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535),
    /** "implicit" (TLS from the start, usually port 465), "starttls" (upgrade, required; usually 587), "none" (plain, for a relay on the same machine). */
    tls: z.enum(['implicit', 'starttls', 'none']),
    user: z.string().trim().min(1).optional(),
    /** The sender address; by default the privacy contact's own. */
    from: EmailAddress.optional(),
  })
  .strict();

export const BotConfig = z
  .object({
    homeserver: z
      .object({
        url: HomeserverUrl,
        serverName: ServerName,
        requestTimeoutMs: z.number().int().min(1000).max(300_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
      })
      .strict(),
    bot: z
      .object({
        userId: UserId,
        encryption: z.enum(ENCRYPTION_MODES).default('auto'),
        displayName: Text.optional(),
      })
      .strict(),
    adminRoom: RoomRef,
    admins: Admins,
    privacyContact: z
      .object({
        room: RoomRef,
        email: EmailAddress,
        name: Text.optional(),
      })
      .strict(),
    /** As written in the file; loadConfig makes it absolute (relative to the config file's folder). */
    dataDir: DataDir,
    policy: Policy,
    requests: RequestSettings,
    erasure: ErasureSettings,
    export: ExportSettings,
    rateLimits: RateLimitSettings,
    smtp: SmtpSettings.optional(),
  })
  .strict()
  .superRefine(
    (config, ctx) => {
      for (const issue of crossFieldIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    },
    // Runs even when other fields have problems; crossFieldIssues checks only the fields it needs.
    { when: () => true },
  );
export type BotConfig = z.infer<typeof BotConfig>;
