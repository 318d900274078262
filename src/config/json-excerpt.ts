// The line of a broken bot.config.json shown under a syntax error, with a caret
// under the column. A broken file may hold a secret anywhere (a token pasted
// without quotes, a password under a misspelt key, a value on the line after
// its key), so only what is known to be harmless is shown: structure, setting
// names, numbers, true/false/null. Every text value, bare word and comment is
// masked with "*", character for character, so the caret stays in place.
import { createScanner } from 'jsonc-parser';
import { looksLikeSecretValue } from './redact.ts';
import { isSecretKey } from './secret-keys.ts';

type Token = { offset: number; text: string };

/** Every token of `text` as jsonc-parser's scanner cuts it, whitespace included. */
function tokensOf(text: string): Token[] {
  const scanner = createScanner(text, false);
  const tokens: Token[] = [];
  for (;;) {
    scanner.scan();
    const length = scanner.getTokenLength();
    if (length === 0) return tokens; // end of text
    const offset = scanner.getTokenOffset();
    tokens.push({ offset, text: text.slice(offset, offset + length) });
  }
}

const isSpace = (token: Token | undefined) => token !== undefined && /^\s+$/.test(token.text);
const isString = (token: Token | undefined) => token?.text.startsWith('"') === true;
const isKeyword = (token: Token) => /^(-?\d[\d.eE+-]*|true|false|null)$/.test(token.text);

/** Setting names are identifiers; a "name" with spaces is more likely a broken text value. */
const isSettingName = (name: string) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(name) && !looksLikeSecretValue(name);

/** Every character masked except line breaks (a block comment may span lines). */
const stars = (text: string) => text.replace(/[^\r\n]/g, '*');

/** The text between a string's quotes (the closing one may be missing: the string is broken). */
function stringBody(token: Token): string {
  const closed = token.text.length > 1 && token.text.endsWith('"');
  return token.text.slice(1, closed ? -1 : undefined);
}

/** A string token with its body masked, keeping its quotes. */
function maskString(token: Token): string {
  const closed = token.text.length > 1 && token.text.endsWith('"');
  return `"${stars(stringBody(token))}${closed ? '"' : ''}`;
}

/** Anything else (a bare word, a comment, a single-quoted text): masked, keeping comment marks and single quotes. */
function maskOther(token: Token): string {
  const mark = /^(\/\/|\/\*)/.exec(token.text)?.[0] ?? '';
  return mark + token.text.slice(mark.length).replace(/[^\r\n']/g, '*');
}

/** `text` with the same length and line breaks, everything that could be a secret replaced by "*". */
function maskedJson(text: string): string {
  const tokens = tokensOf(text);
  const significant = tokens.filter((t) => !isSpace(t));
  const shown = new Map<Token, string>();
  significant.forEach((token, i) => {
    const next = significant[i + 1];
    const isKey = isString(token) && next?.text === ':';
    // A value written right after a secret-looking key: "password": 123456 is hidden too.
    const key = significant[i - 2];
    const secretValue = significant[i - 1]?.text === ':' && isString(key) && isSecretKey(stringBody(key!));
    if (isKey) shown.set(token, isSettingName(stringBody(token)) ? token.text : maskString(token));
    else if (isString(token)) shown.set(token, maskString(token));
    else if (/^[{}[\],:]$/.test(token.text)) shown.set(token, token.text);
    else if (isKeyword(token) && !secretValue) shown.set(token, token.text);
    else shown.set(token, maskOther(token));
  });
  return tokens.map((t) => shown.get(t) ?? t.text).join('');
}

const WIDTH = 100;

/**
 * The masked line holding `offset`, and a caret under it. Long lines are cut
 * to a window around the caret. Empty when the line is blank.
 */
export function excerptAt(text: string, offset: number): string {
  const masked = maskedJson(text);
  const lineStart = masked.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = masked.indexOf('\n', offset);
  // One column per character, so the caret lines up: tabs and unusual spaces become spaces.
  let shown = masked
    .slice(lineStart, lineEnd < 0 ? masked.length : lineEnd)
    .replace(/\r$/, '')
    .replace(/\s/g, ' ');
  if (shown.trim() === '') return '';
  let caret = offset - lineStart;
  if (shown.length > WIDTH) {
    const start = Math.max(0, Math.min(caret - WIDTH / 2, shown.length - WIDTH));
    shown = `${start > 0 ? '…' : ''}${shown.slice(start, start + WIDTH)}${start + WIDTH < shown.length ? '…' : ''}`;
    caret = caret - start + (start > 0 ? 1 : 0);
  }
  return `${shown}\n${' '.repeat(Math.max(0, caret))}^`;
}
