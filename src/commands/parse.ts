// Recognises a command in a message body. Pure.
//
// A command is `!word [args]`, case-insensitive, optionally after the bot's name
// or mention: "!help", "privacybot: !help", "@privacybot:example.org !HELP".

export type ParsedMessage = { kind: 'command'; name: string; args: string[] } | { kind: 'unknown'; word: string } | { kind: 'none' };

/** The ways people address the bot: its user ID, its localpart, its display name. */
export type BotNames = { userId: string; displayName?: string | null };

function namesOf(bot: BotNames): string[] {
  const localpart = bot.userId.slice(1).split(':')[0] ?? '';
  return [bot.userId, localpart, bot.displayName ?? ''].filter((name) => name.length > 0);
}

/** Removes a leading "name:", "name," or "name " when it addresses the bot. */
function stripAddress(body: string, bot: BotNames): string {
  const lower = body.toLowerCase();
  for (const name of namesOf(bot).sort((a, b) => b.length - a.length)) {
    const candidate = name.toLowerCase();
    for (const prefix of [candidate, `@${candidate}`]) {
      if (lower.startsWith(prefix)) {
        const rest = body.slice(prefix.length);
        const match = /^[:,]?\s+/.exec(rest);
        if (match) return rest.slice(match[0].length);
      }
    }
  }
  return body;
}

export function parseMessage(body: string, bot: BotNames, knownCommands: ReadonlySet<string>): ParsedMessage {
  const firstLine = stripAddress(body.trim(), bot).split('\n')[0]!.trim();
  const match = /^!([a-z][a-z0-9_-]*)(?:\s+(.*))?$/i.exec(firstLine);
  if (!match) return { kind: 'none' };
  const word = match[1]!.toLowerCase();
  const args = (match[2] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
  return knownCommands.has(word) ? { kind: 'command', name: word, args } : { kind: 'unknown', word };
}

/**
 * The free text after a command and its first `keptWords` words, over every line: the message a
 * user asks the bot to relay, or a reason. Whitespace inside is kept as written.
 */
export function commandText(body: string, bot: BotNames, keptWords: number): string {
  let rest = stripAddress(body.trim(), bot).replace(/^![a-z][a-z0-9_-]*/i, '');
  for (let i = 0; i < keptWords; i++) rest = rest.replace(/^\s*\S+/, '');
  return rest.trim();
}
