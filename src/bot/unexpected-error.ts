// An unexpected error (a bug) as the log says it: its class and where it was thrown, so that
// an operator can report it, and never its message, which can carry what a user wrote. Pure.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Enough frames to find the bug, few enough for one log line. */
const MAX_FRAMES = 8;

/** The project's folder: frames name files relative to it. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** "TypeError at run (src/commands/help.ts:12:5) < runCommand (src/bot/bot.ts:201:19) < …" */
export function unexpectedErrorForLog(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error (not an Error)';
  // V8's stack is "Name: message" (the message may span lines), then one "    at …" line per frame.
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim().slice('at '.length).replaceAll('file://', '').replaceAll(`${ROOT}${path.sep}`, ''));
  return frames.length === 0 ? `${error.name} (no stack)` : `${error.name} at ${frames.join(' < ')}`;
}
