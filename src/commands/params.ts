// The typed parameters commands declare (as Draupnir does): each reads one word of the
// message, or says it cannot. Pure.

import { userIdProblem } from '../config/matrix-ids.ts';
import { parseDay } from '../report/transparency.ts';
import { parseRequestId } from '../requests/request-id.ts';

export type Param<T> = {
  /** How usage lines name it: "request ID", "from (YYYY-MM-DD)". */
  label: string;
  optional: boolean;
  /** A correct example, for the answer to a word that does not parse. */
  example: string;
  /** The value, or null when the word is not one. */
  parse(word: string): T | null;
};

export const requestId = (label = 'request ID'): Param<string> => ({ label, optional: false, example: 'R-7K3Q', parse: parseRequestId });

/** A date as YYYY-MM-DD (UTC). */
export const day = (label: string): Param<string> => ({ label, optional: false, example: '2026-01-31', parse: (w) => (parseDay(w) === null ? null : w) });

/** One of a few fixed words, e.g. `!audit verify`. */
export const keyword = <W extends string>(...words: W[]): Param<W> => ({
  label: words.join('|'),
  optional: false,
  example: words[0]!,
  parse: (w) => ((words as string[]).includes(w.toLowerCase()) ? (w.toLowerCase() as W) : null),
});

export const optional = <T>(param: Param<T>): Param<T | undefined> => ({ ...param, optional: true });

/** A full Matrix user ID, "@localpart:server". */
export const userId = (label = 'user ID'): Param<string> => ({
  label,
  optional: false,
  example: '@alice:example.org',
  parse: (w) => (userIdProblem(w) === null ? w : null),
});

/** One word as written, for what the command checks itself (a confirmation code). */
export const word = (label: string, example: string): Param<string> => ({ label, optional: false, example, parse: (w) => (w.length <= 64 ? w : null) });
