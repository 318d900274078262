// Reading @conduit's answer to an `!admin` command in Tuwunel's admin room. Pure.
//
// What Tuwunel 1.9.0 writes (matrix-construct/tuwunel src/service/admin/processor.rs and
// respond.rs): the command's markdown output; on failure "Command failed with error:" and the
// message in a fenced code block; for a command line that does not parse, clap's plain-text
// error ("error: ..."), without that prefix; after a panic, "Panic occurred while processing
// command:". Info-level log lines the command produced may come first, as a markdown table
// followed by a blank line. Output too long for one event is cut at lines into parts (a code
// fence open at a cut is closed there and reopened in the next part) or uploaded as a file.

export type AdminAnswer = { ok: true; text: string } | { ok: false; kind: 'failed' | 'usage' | 'panic'; message: string };

const LOG_TABLE_HEAD = '| level | span | message |';
const FAILED = 'Command failed with error:';
const PANIC = 'Panic occurred while processing command:';

/** The answer without the log lines that may come before it. */
function withoutLogTable(text: string): string {
  if (!text.startsWith(LOG_TABLE_HEAD)) return text;
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('|')) i++;
  // The table ends with a blank line before the answer.
  if (lines[i] === '') i++;
  return lines.slice(i).join('\n');
}

/** The text inside the first fenced code block, or the whole rest when there is none. */
function fenced(text: string): string {
  const match = /```[^\n]*\n([\s\S]*?)\n?```/.exec(text);
  return (match ? match[1]! : text).trim();
}

export function readAnswer(raw: string): AdminAnswer {
  const text = withoutLogTable(raw).trim();
  if (text.startsWith(FAILED)) return { ok: false, kind: 'failed', message: fenced(text.slice(FAILED.length)) };
  if (text.startsWith(PANIC)) return { ok: false, kind: 'panic', message: fenced(text.slice(PANIC.length)) };
  if (text.startsWith('error:')) return { ok: false, kind: 'usage', message: text.split('\n')[0]!.slice('error:'.length).trim() };
  return { ok: true, text };
}

/**
 * The output whole again from its parts, in order. Where a part ends with a fence and the next
 * begins with one, the cut fell inside a code block, which Tuwunel closed and reopened: both
 * fences go. (Two code blocks meeting exactly at a cut would be merged; no answer the bot
 * reads has two.)
 */
export function joinParts(parts: readonly string[]): string {
  return parts.reduce((joined, part) => {
    const cutInsideFence = joined.endsWith('```\n') && /^```[^\n]*\n/.test(part);
    return cutInsideFence ? joined.slice(0, -'```\n'.length) + part.slice(part.indexOf('\n') + 1) : joined + part;
  }, '');
}
