// For each setting: what is expected, and an example of a correct line, so a
// problem message can tell the operator how to fix it. Examples use the
// operator's own server name when the file has a valid one.
import { CATEGORY_IDS } from './categories.ts';
import { serverNameProblem, userIdProblem } from './matrix-ids.ts';

export type Hint = { expected: string; example: string };

type Context = { server: string; botLocalpart: string };

function contextOf(raw: unknown): Context {
  const obj = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const serverName = obj(obj(raw)['homeserver'])['serverName'];
  const server = typeof serverName === 'string' && serverNameProblem(serverName) === null ? serverName : 'example.org';
  const userId = obj(obj(raw)['bot'])['userId'];
  const botLocalpart =
    typeof userId === 'string' && userIdProblem(userId) === null ? userId.slice(1, userId.indexOf(':')) : 'privacybot';
  return { server, botLocalpart };
}

const CATEGORY_EXAMPLE = (id: string) =>
  `"${id}": { "stored": true, "purpose": "…", "legalBasis": "…", "retention": "…", "recipients": [] }`;

const HINTS: Record<string, (c: Context) => Hint> = {
  '': () => ({
    expected: 'a JSON object with homeserver, bot, adminRoom, admins, privacyContact, dataDir and policy',
    example: 'start from the sample bot.config.json that comes with the bot',
  }),
  homeserver: (c) => ({
    expected: 'an object with the homeserver\'s address (url) and Matrix server name (serverName)',
    example: `"homeserver": { "url": "https://matrix.${c.server}", "serverName": "${c.server}" }`,
  }),
  'homeserver.url': (c) => ({
    expected: 'the address where the bot reaches the homeserver: "http://" or "https://", a host and an optional port, nothing after it',
    example: `"url": "https://matrix.${c.server}"  (or "http://127.0.0.1:8008" on the same machine)`,
  }),
  'homeserver.serverName': () => ({
    expected: 'your server\'s Matrix name: the part after the colon in your users\' IDs (host, or host:port)',
    example: '"serverName": "example.org"',
  }),
  'homeserver.requestTimeoutMs': () => ({
    expected: 'how long to wait for the homeserver, in milliseconds: a whole number from 1000 to 300000 (default 30000)',
    example: '"requestTimeoutMs": 30000',
  }),
  bot: (c) => ({
    expected: 'an object with the bot account\'s user ID (userId) and optionally encryption and displayName',
    example: `"bot": { "userId": "@${c.botLocalpart}:${c.server}", "encryption": "auto" }`,
  }),
  'bot.userId': (c) => ({
    expected: 'the bot account\'s full Matrix user ID, "@localpart:server", on the homeserver named in homeserver.serverName',
    example: `"userId": "@${c.botLocalpart}:${c.server}"`,
  }),
  'bot.encryption': () => ({
    expected:
      '"auto" (use end-to-end encryption when its native library loads, otherwise warn and run without), ' +
      '"required" (refuse to start without encryption) or "off"; default "auto"',
    example: '"encryption": "auto"',
  }),
  'bot.displayName': () => ({
    expected: 'a name people may address the bot by (text, optional; by default the name in its profile)',
    example: '"displayName": "Privacy Bot"',
  }),
  adminRoom: (c) => ({
    expected: 'the room where the bot reports to the admins: a room alias "#name:server" or a room ID "!id:server"',
    example: `"adminRoom": "#privacy-admins:${c.server}"`,
  }),
  admins: (c) => ({
    expected: 'a list of one or more Matrix user IDs: the people who review requests, each listed once',
    example: `"admins": ["@alice:${c.server}"]`,
  }),
  'admins[]': (c) => ({
    expected: 'the Matrix user ID of a person who reviews requests, "@localpart:server", listed once',
    example: `"@alice:${c.server}"`,
  }),
  privacyContact: (c) => ({
    expected: 'an object with the room (room) and email address (email) where users reach a human about privacy',
    example: `"privacyContact": { "room": "#privacy-contact:${c.server}", "email": "privacy@${c.server}" }`,
  }),
  'privacyContact.room': (c) => ({
    expected: 'a room where users can reach a human about privacy: a room alias "#name:server" or a room ID "!id:server"',
    example: `"room": "#privacy-contact:${c.server}"`,
  }),
  'privacyContact.email': (c) => ({
    expected: 'the email address users can write to about privacy',
    example: `"email": "privacy@${c.server}"`,
  }),
  'privacyContact.name': () => ({
    expected: 'the name of the person or team users reach (text, optional)',
    example: '"name": "Privacy team"',
  }),
  dataDir: () => ({
    expected: 'the folder where the bot keeps its state; a relative path is relative to the folder of the config file',
    example: '"dataDir": "./data"',
  }),
  requests: () => ({
    expected: 'optional settings of the request lifecycle: awaitingApprovalHours, dueWithinDays, checkEveryMinutes, digestHourUtc, retentionDays',
    example: '"requests": { "awaitingApprovalHours": 48, "dueWithinDays": 7, "retentionDays": 90 }',
  }),
  'requests.awaitingApprovalHours': () => ({
    expected: 'hours an erasure may wait for an admin before the privacy contact is told (more than 0, at most 720; default 48)',
    example: '"awaitingApprovalHours": 48',
  }),
  'requests.dueWithinDays': () => ({
    expected: 'days before a request\'s due date when the privacy contact is told it is not finished (0 to 30; default 7)',
    example: '"dueWithinDays": 7',
  }),
  'requests.checkEveryMinutes': () => ({
    expected: 'how often, in minutes, deadlines, the digest and retention are checked (1 to 1440; default 15)',
    example: '"checkEveryMinutes": 15',
  }),
  'requests.digestHourUtc': () => ({
    expected: 'the hour of the day (UTC, 0 to 23) after which the daily digest of open requests is posted (default 8)',
    example: '"digestHourUtc": 8',
  }),
  'requests.retentionDays': () => ({
    expected: 'days a closed request keeps its requester\'s Matrix ID before it is replaced by a pseudonym (1 to 3650; default 90)',
    example: '"retentionDays": 90',
  }),
  erasure: () => ({
    expected: 'optional settings of account erasure: coolingOffHours (hours between approval and start, default 24, 0 for none) and fourEyes (two admins must approve, default false)',
    example: '"erasure": { "coolingOffHours": 24, "fourEyes": false }',
  }),
  'erasure.coolingOffHours': () => ({ expected: 'hours between an admin\'s approval and the start of the erasure, during which the user may still cancel: 0 to 720 (default 24)', example: '"coolingOffHours": 24' }),
  'erasure.fourEyes': () => ({ expected: 'true when every erasure needs the approval of two different admins (default false)', example: '"fourEyes": true' }),
  export: () => ({
    expected: 'optional settings of !export: concurrency (exports made at once, default 2), perUserHours (one export per person per this many hours, default 24), retentionDays (days a package can be downloaded, default 7), roomsAtOnce (rooms read at once, default 4)',
    example: '"export": { "concurrency": 2, "perUserHours": 24, "retentionDays": 7, "roomsAtOnce": 4 }',
  }),
  'export.concurrency': () => ({ expected: 'how many exports are made at the same time; the others wait their turn: 1 to 16 (default 2)', example: '"concurrency": 2' }),
  'export.perUserHours': () => ({
    expected: 'hours before the same person may have another export (a request within them is refused and recorded, GDPR Art. 12(5)): 0 (no limit) to 8760 (default 24)',
    example: '"perUserHours": 24',
  }),
  'export.retentionDays': () => ({ expected: 'days a delivered export can be downloaded before its files are deleted from the server and the bot: 1 to 90 (default 7)', example: '"retentionDays": 7' }),
  'export.roomsAtOnce': () => ({ expected: 'how many of a person\'s rooms one export reads at the same time: 1 to 32 (default 4)', example: '"roomsAtOnce": 4' }),
  rateLimits: () => ({
    expected: 'optional limits on commands per minute: perUserPerMinute (default 10) and globalPerMinute (default 300)',
    example: '"rateLimits": { "perUserPerMinute": 10, "globalPerMinute": 300 }',
  }),
  'rateLimits.perUserPerMinute': () => ({ expected: 'commands one person may send per minute before being asked to wait: 1 to 1000 (default 10)', example: '"perUserPerMinute": 10' }),
  'rateLimits.globalPerMinute': () => ({ expected: 'commands the bot answers per minute from everyone together: 1 to 100000 (default 300)', example: '"globalPerMinute": 300' }),
  smtp: (c) => ({
    expected: 'optional: the mail server escalations are sent through: host, port, tls ("implicit", "starttls" or "none"), and optionally user and from; the password goes in DSAR_SMTP_PASSWORD',
    example: `"smtp": { "host": "mail.${c.server}", "port": 587, "tls": "starttls", "user": "privacybot@${c.server}" }`,
  }),
  'smtp.host': (c) => ({ expected: 'the mail server\'s host name', example: `"host": "mail.${c.server}"` }),
  'smtp.port': () => ({ expected: 'the mail server\'s port: a whole number, usually 587 (starttls) or 465 (implicit)', example: '"port": 587' }),
  'smtp.tls': () => ({
    expected: '"implicit" (TLS from the start, port 465), "starttls" (upgrade to TLS, required; port 587) or "none" (plain, only for a relay on the same machine)',
    example: '"tls": "starttls"',
  }),
  'smtp.user': (c) => ({ expected: 'the login name at the mail server (optional)', example: `"user": "privacybot@${c.server}"` }),
  'smtp.from': (c) => ({ expected: 'the sender address of the mails (optional; by default privacyContact.email)', example: `"from": "privacybot@${c.server}"` }),
  policy: () => ({
    expected: 'your declared data processing, from your privacy policy: controller, supervisoryAuthority, automatedDecisionMaking, categories and optionally responseDays',
    example: 'copy the "policy" object of the sample bot.config.json and adapt it to your privacy policy',
  }),
  'policy.controller': () => ({
    expected: 'the name of the organisation or person responsible for the data (the "controller"), as in your privacy policy',
    example: '"controller": "Example Ltd, Singapore"',
  }),
  'policy.supervisoryAuthority': () => ({
    expected: 'the data protection authority users can complain to: an object with name and howToComplain',
    example: '"supervisoryAuthority": { "name": "Personal Data Protection Commission (PDPC), Singapore", "howToComplain": "https://www.pdpc.gov.sg" }',
  }),
  'policy.supervisoryAuthority.name': () => ({
    expected: 'the name of the authority (or authorities) users can complain to',
    example: '"name": "Personal Data Protection Commission (PDPC), Singapore"',
  }),
  'policy.supervisoryAuthority.howToComplain': () => ({
    expected: 'how to complain to it: a web page, postal address or short instructions',
    example: '"howToComplain": "Through the PDPC\'s website, https://www.pdpc.gov.sg"',
  }),
  'policy.responseDays': () => ({
    expected: 'the number of days you promise to answer a request in: a whole number from 1 to 30 (GDPR allows one month, Singapore\'s PDPA 30 days; default 30)',
    example: '"responseDays": 30',
  }),
  'policy.automatedDecisionMaking': () => ({
    expected: 'whether any decision about users is made automatically, and if so how (text)',
    example: '"automatedDecisionMaking": "None."',
  }),
  'policy.categories': () => ({
    expected: `a declaration for each of the ${CATEGORY_IDS.length} categories: ${CATEGORY_IDS.join(', ')}`,
    example: CATEGORY_EXAMPLE('emails'),
  }),
  'policy.categories.*': () => ({
    expected: 'a declaration of this category: stored, purpose, legalBasis, retention, recipients, and optionally source and note',
    example: '',
  }),
  'policy.categories.*.stored': () => ({
    expected: 'true if your privacy policy says you keep this data, false if it says you do not',
    example: '"stored": false',
  }),
  'policy.categories.*.purpose': () => ({
    expected: 'why you keep this data, in plain words (text)',
    example: '"purpose": "To let you log in."',
  }),
  'policy.categories.*.legalBasis': () => ({
    expected: 'the legal ground for keeping it (text)',
    example: '"legalBasis": "Needed to provide the account you signed up for (GDPR Art. 6(1)(b))."',
  }),
  'policy.categories.*.retention': () => ({
    expected: 'how long you keep it, or how that is decided (text)',
    example: '"retention": "Until you delete your account."',
  }),
  'policy.categories.*.recipients': () => ({
    expected: 'a list of who receives this data (other Matrix servers count); [] if nobody',
    example: '"recipients": ["Other Matrix servers in rooms you join (federation)"]',
  }),
  'policy.categories.*.recipients[]': () => ({
    expected: 'a short description of one recipient (text)',
    example: '"Other Matrix servers in rooms you join (federation)"',
  }),
  'policy.categories.*.source': () => ({
    expected: 'where the data comes from, if not from the user (text, optional, default "you")',
    example: '"source": "Your Matrix apps"',
  }),
  'policy.categories.*.note': () => ({
    expected: 'an extra explanation users see with this category (text, optional)',
    example: '"note": "In encrypted rooms we store only ciphertext we cannot read."',
  }),
};

/** The pattern of a path: array indexes become "[]", category IDs become "*". */
export function pathPattern(path: readonly PropertyKey[]): string {
  let out = '';
  path.forEach((segment, i) => {
    if (typeof segment === 'number') out += '[]';
    else if (i === 2 && path[0] === 'policy' && path[1] === 'categories') out += '.*';
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  });
  return out;
}

/** The display form of a path: "bot.userId", "admins[1]", "policy.categories.emails.purpose". */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function hintFor(path: readonly PropertyKey[], raw: unknown): Hint {
  const pattern = pathPattern(path);
  const make = HINTS[pattern];
  if (make === undefined) {
    return { expected: 'a valid value for this setting', example: 'see the sample bot.config.json that comes with the bot' };
  }
  const hint = make(contextOf(raw));
  if (pattern === 'policy.categories.*') {
    return { ...hint, example: CATEGORY_EXAMPLE(String(path[2])) };
  }
  return hint;
}
