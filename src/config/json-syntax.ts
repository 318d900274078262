// Finds the first JSON syntax error in a text and explains it with its line and
// column. JSON.parse stays the authority on what is valid; this only runs after
// it failed, because its messages lack positions in some cases and can quote
// the surrounding text (which might hold a secret).
import { isSecretKey } from './secret-keys.ts';
import { looksLikeSecretValue } from './redact.ts';

export type JsonSyntaxError = { offset: number; line: number; column: number; message: string; excerpt: string };

class Stop extends Error {
  offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

function scan(text: string): void {
  let i = 0;
  const fail: (message: string, at?: number) => never = (message, at = i) => {
    throw new Stop(at, message);
  };
  const ws = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) fail('comments are not allowed in JSON; remove it');
      else return;
    }
  };
  const endOfFile: (what: string) => never = (what) => fail(`the file ends too early: ${what}`, text.length);

  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) endOfFile('a closing " is missing');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('a line break or control character inside text: is a closing " missing?');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) endOfFile('a closing " is missing');
        if (e === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) fail('"\\u" must be followed by four hexadecimal digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail('a backslash inside text starts an escape like \\n; to write a backslash itself (as in a Windows path), write \\\\ or use /');
        }
        continue;
      }
      i++;
    }
  };

  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('this is not a valid number');
    i += m[0].length;
    if (/^[0-9]/.test(text.slice(i))) fail('a number must not start with 0 (write 8, not 08)');
    if (/^[.eE]/.test(text.slice(i))) fail('this is not a valid number');
    if (/^[A-Za-z_]/.test(text.slice(i))) fail('text must be in double quotes');
  };

  const value = (): void => {
    ws();
    const c = text[i];
    if (c === undefined) endOfFile('a value is missing');
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === "'") fail("text must be in double quotes (\"), not single quotes (')");
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i) && !/^[A-Za-z0-9_]/.test(text.slice(i + literal.length))) {
        i += literal.length;
        return;
      }
    }
    if (/[A-Za-z_]/.test(c)) fail('text must be in double quotes (only true, false and null are written without them)');
    if (c === ',') fail('a value is missing before this comma');
    if (c === '}' || c === ']') fail(`a value is missing before "${c}" (a comma too many?)`);
    fail(`unexpected character ${JSON.stringify(c)}`);
  };

  const object = () => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      const c = text[i];
      if (c === undefined) endOfFile('a closing } is missing');
      if (c === '}') fail('there is a comma after the last entry; JSON does not allow it, remove the comma');
      if (c === "'") fail("setting names must be in double quotes (\"), not single quotes (')");
      if (c !== '"') fail('setting names must be in double quotes, like "serverName"');
      string();
      ws();
      if (text[i] === undefined) endOfFile('a ":" and a value are missing');
      if (text[i] !== ':') fail('a ":" is missing between the setting name and its value');
      i++;
      value();
      ws();
      const next = text[i];
      if (next === undefined) endOfFile('a closing } is missing');
      if (next === ',') {
        i++;
        continue;
      }
      if (next === '}') {
        i++;
        return;
      }
      if (next === '"') fail('a comma is missing before this setting');
      fail('a comma or a closing } is missing here');
    }
  };

  const array = () => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === ']') fail('there is a comma after the last entry of the list; JSON does not allow it, remove the comma');
      value();
      ws();
      const next = text[i];
      if (next === undefined) endOfFile('a closing ] is missing');
      if (next === ',') {
        i++;
        continue;
      }
      if (next === ']') {
        i++;
        return;
      }
      if (next === '}') fail('a closing ] is missing before this }');
      fail('a comma or a closing ] is missing here');
    }
  };

  ws();
  if (i >= text.length) fail('the file is empty; it must contain a JSON object { ... }', 0);
  value();
  ws();
  if (i < text.length) fail('unexpected text after the end of the JSON object (a { or [ too many closed?)');
}

/**
 * The line holding the error, with a caret under the column. Text values that
 * could be secrets are masked with "*" (same length, so the caret stays put):
 * all values on a line with a secret-looking key, and token-like values anywhere.
 */
function excerptAt(lineText: string, column: number): string {
  const keys = [...lineText.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => m[1] ?? '');
  const secretLine = keys.some(isSecretKey);
  let shown = '';
  let i = 0;
  while (i < lineText.length) {
    if (lineText[i] !== '"') {
      shown += lineText[i];
      i++;
      continue;
    }
    let j = i + 1;
    while (j < lineText.length && lineText[j] !== '"') j += lineText[j] === '\\' ? 2 : 1;
    const closed = j < lineText.length;
    const body = lineText.slice(i + 1, Math.min(j, lineText.length));
    const isKey = closed && /^\s*:/.test(lineText.slice(j + 1));
    const hide = !isKey && (secretLine || looksLikeSecretValue(body));
    shown += `"${hide ? '*'.repeat(body.length) : body}${closed ? '"' : ''}`;
    i = closed ? j + 1 : lineText.length;
  }
  shown = shown.replace(/\t/g, ' '); // one column per character, so the caret lines up
  let caret = column - 1;
  const width = 100;
  if (shown.length > width) {
    const start = Math.max(0, Math.min(caret - width / 2, shown.length - width));
    shown = `${start > 0 ? '…' : ''}${shown.slice(start, start + width)}${start + width < shown.length ? '…' : ''}`;
    caret = caret - start + (start > 0 ? 1 : 0);
  }
  return `${shown}\n${' '.repeat(Math.max(0, caret))}^`;
}

/** The first syntax error in `text`, or null if it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  try {
    scan(text);
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const column = e.offset - lineStart + 1;
    const lineEnd = text.indexOf('\n', lineStart);
    const lineText = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
    return { offset: e.offset, line, column, message: e.message, excerpt: lineText.trim() === '' ? '' : excerptAt(lineText, column) };
  }
}
