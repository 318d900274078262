// What the inbox keeps of a command: its word and the arguments it takes, each
// capped, never the rest of the message. Pure.
import type { Command } from '../commands/command.ts';
import type { ParsedMessage } from '../commands/parse.ts';

/** An unknown word is kept only to say that it is unknown: its start is plenty. */
export const MAX_KEPT_WORD_CHARS = 32;
/** An argument is an ID or a keyword, never prose. */
export const MAX_KEPT_ARG_CHARS = 100;

export function inboxCommand(parsed: Exclude<ParsedMessage, { kind: 'none' }>, commands: readonly Command[]): string {
  if (parsed.kind === 'unknown') return `!${parsed.word.slice(0, MAX_KEPT_WORD_CHARS)}`;
  const kept = commands.find((c) => c.name === parsed.name)?.keptWords ?? 0;
  return [`!${parsed.name}`, ...parsed.args.slice(0, kept).map((arg) => arg.slice(0, MAX_KEPT_ARG_CHARS))].join(' ');
}
