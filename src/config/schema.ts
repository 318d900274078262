// The shape of bot.config.json. Strict everywhere: an unknown key is an error,
// so a misspelt setting is reported instead of silently ignored.
//
// Every setting carries its documentation as zod metadata, next to the rules
// that enforce it (here, in policy.ts and homeserver-url.ts): a description in
// the operator's words and examples; the range, default and choices are the
// schema's own. The problem hints (hints.ts) and the README's settings table
// (readme-table.ts) are made from it, so each setting is described once.
// Examples use example.org and @privacybot; a hint puts in the operator's own
// server name and bot.
import { z } from 'zod';
import { crossFieldIssues } from './cross-field.ts';
import { HomeserverUrl } from './homeserver-url.ts';
import { RoomRef, ServerName, UserId } from './matrix-ids.ts';
import { Policy, Text } from './policy.ts';
import { quote } from './redact.ts';

export const ENCRYPTION_MODES = ['auto', 'required', 'off'] as const;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Why `text` is not a usable data directory, or null. Relative paths are resolved by loadConfig. */
function dataDirProblem(text: string): string | null {
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
  .array(
    UserId.meta({
      description: 'the Matrix user ID of a person who reviews requests, "@localpart:server", listed once',
      examples: ['@alice:example.org'],
    }),
  )
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

const RequestSettings = z
  .object({
    awaitingApprovalHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(48)
      .meta({ description: 'hours an erasure may wait for an admin before the privacy contact is told' }),
    dueWithinDays: z
      .number()
      .int()
      .min(0)
      .max(30)
      .default(7)
      .meta({ description: "days before a request's due date when the privacy contact is told it is not finished" }),
    checkEveryMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15)
      .meta({ description: 'how often, in minutes, deadlines, the digest and retention are checked' }),
    digestHourUtc: z
      .number()
      .int()
      .min(0)
      .max(23)
      .default(8)
      .meta({ description: 'the hour of the day (UTC) after which the daily digest of open requests is posted' }),
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(90)
      .meta({ description: "days a closed request keeps its requester's Matrix ID before it is replaced by a pseudonym" }),
  })
  .strict()
  .prefault({})
  .meta({ description: 'when people are reminded, and how long closed requests keep names' });

const ErasureSettings = z
  .object({
    coolingOffHours: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(24)
      .meta({
        description: "hours between an admin's approval and the start of an erasure, during which the user may still !cancel; 0 for none",
      }),
    fourEyes: z
      .boolean()
      .default(false)
      .meta({
        description: 'true when every erasure needs the approval of two different admins; an admin who entered the request with !erase counts as the first',
        examples: [true],
      }),
  })
  .strict()
  .prefault({})
  .meta({ description: 'account erasure, !delete and !erase' });

const ExportSettings = z
  .object({
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(2)
      .meta({ description: 'how many exports are made at the same time; the others wait their turn, first come first served' }),
    perUserHours: z
      .number()
      .min(0)
      .max(24 * 365)
      .default(24)
      .meta({
        description: 'hours before the same person may have another export, 0 for no limit (a request within them is refused and recorded, GDPR Art. 12(5))',
      }),
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(90)
      .default(7)
      .meta({ description: 'days a delivered export can be downloaded before its files are deleted from the server and the bot' }),
    roomsAtOnce: z.number().int().min(1).max(32).default(4).meta({ description: "how many of a person's rooms one export reads at the same time" }),
  })
  .strict()
  .prefault({})
  .meta({ description: 'how !export runs: how many at once, how often one person may ask, how long a package can be downloaded' });

const RateLimitSettings = z
  .object({
    perUserPerMinute: z.number().int().min(1).max(1000).default(10).meta({ description: 'commands one person may send per minute before being asked to wait' }),
    globalPerMinute: z.number().int().min(1).max(100_000).default(300).meta({ description: 'commands the bot answers per minute from everyone together' }),
  })
  .strict()
  .prefault({})
  .meta({ description: 'how many commands the bot answers per minute, beyond which a person is told once a minute when to try again' });

const SmtpSettings = z
  .object({
    host: z
      .string()
      .trim()
      .min(1)
      .meta({ description: "the mail server's host name", examples: ['mail.example.org'] }),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .meta({ description: "the mail server's port, usually 587 (starttls) or 465 (implicit)", examples: [587] }),
    tls: z.enum(['implicit', 'starttls', 'none']).meta({
      description:
        '"implicit" (TLS from the start, usually port 465), "starttls" (upgrade to TLS, required; usually port 587) ' +
        'or "none" (plain, only for a relay on the same machine)',
      examples: ['starttls'],
    }),
    user: z
      .string()
      .trim()
      .min(1)
      .optional()
      .meta({ description: 'the login name at the mail server', examples: ['privacybot@example.org'] }),
    from: EmailAddress.optional().meta({
      description: 'the sender address of the mails; by default privacyContact.email',
      examples: ['privacybot@example.org'],
    }),
  })
  .strict()
  .meta({ description: 'the mail server escalations are sent through, with the password in DSAR_SMTP_PASSWORD' });

export const BotConfig = z
  .object({
    homeserver: z
      .object({
        url: HomeserverUrl,
        serverName: ServerName.meta({
          description: "your server's Matrix name: the part after the colon in your users' IDs (host, or host:port); users whose ID ends in it are local",
          examples: ['example.org'],
        }),
        requestTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(300_000)
          .default(DEFAULT_REQUEST_TIMEOUT_MS)
          .meta({ description: 'how long to wait for the homeserver, in milliseconds' }),
      })
      .strict()
      .meta({ description: "the homeserver's address and Matrix server name" }),
    bot: z
      .object({
        userId: UserId.meta({
          description: 'the bot account\'s full Matrix user ID, "@localpart:server", on the homeserver named in homeserver.serverName',
          examples: ['@privacybot:example.org'],
        }),
        encryption: z
          .enum(ENCRYPTION_MODES)
          .default('auto')
          .meta({
            description:
              '"auto" uses end-to-end encryption with the native engine where it loads, else the WebAssembly one, and without either warns and runs without; ' +
              '"required" refuses to start when neither engine works; "off" runs without encryption and needs no passphrase',
          }),
        displayName: Text.optional().meta({
          description: 'a name people may address the bot by, as in "Privacy Bot: !help"; by default the name in its profile',
          examples: ['Privacy Bot'],
        }),
      })
      .strict()
      .meta({ description: "the bot's own account" }),
    adminRoom: RoomRef.meta({
      description:
        'the room where the bot reports to the admins and they approve erasures: a room alias "#name:server" or a room ID "!id:server"; invite the bot',
      examples: ['#privacy-admins:example.org'],
    }),
    admins: Admins.meta({ description: 'the Matrix user IDs of the people who review requests, each listed once' }),
    privacyContact: z
      .object({
        room: RoomRef.meta({
          description: 'a room where users can reach a human about privacy: a room alias "#name:server" or a room ID "!id:server"; invite the bot',
          examples: ['#privacy-contact:example.org'],
        }),
        email: EmailAddress.meta({ description: 'the email address users can write to about privacy', examples: ['privacy@example.org'] }),
        name: Text.optional().meta({ description: 'the name of the person or team users reach', examples: ['Privacy team'] }),
      })
      .strict()
      .meta({ description: 'the human users reach about privacy' }),
    // As written in the file; loadConfig makes it absolute (relative to the config file's folder).
    dataDir: DataDir.meta({
      description: 'the folder where the bot keeps its state (its SQLite database); a relative path is relative to the folder of the config file',
      examples: ['./data'],
    }),
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
  )
  .meta({ description: 'a JSON object with the settings' });
export type BotConfig = z.infer<typeof BotConfig>;
