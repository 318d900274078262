// Rules that relate two settings. They run on the raw (possibly partly invalid)
// input, and each rule only fires when the settings it compares are valid on
// their own, so they add to the other problems instead of masking them.
import { serverNameProblem, serverPart, userIdProblem } from './matrix-ids.ts';
import { quote } from './redact.ts';

export type CrossFieldIssue = { path: (string | number)[]; message: string };

function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const validUserId = (v: unknown): v is string => typeof v === 'string' && userIdProblem(v) === null;

export function crossFieldIssues(raw: unknown): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const serverName = field(raw, 'homeserver', 'serverName');
  const botUserId = field(raw, 'bot', 'userId');

  if (validUserId(botUserId) && typeof serverName === 'string' && serverNameProblem(serverName) === null) {
    const botServer = serverPart(botUserId);
    if (botServer !== serverName) {
      const caseOnly = botServer.toLowerCase() === serverName.toLowerCase() ? ' (they differ only in upper/lower case, which Matrix IDs do not ignore)' : '';
      issues.push({
        path: ['bot', 'userId'],
        message:
          `The bot's user ID ${quote(botUserId)} is on the server ${quote(botServer)}, but homeserver.serverName is ${quote(serverName)}${caseOnly}. ` +
          'The bot must be an account on the homeserver it serves: fix whichever of the two is wrong.',
      });
    }
  }

  const admins = field(raw, 'admins');
  if (validUserId(botUserId) && Array.isArray(admins)) {
    admins.forEach((admin, index) => {
      if (admin === botUserId) {
        issues.push({
          path: ['admins', index],
          message: `${quote(admin)} is the bot itself; admins are the people who review requests, so list their own accounts.`,
        });
      }
    });
  }
  return issues;
}
