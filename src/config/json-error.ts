// Explains why a bot.config.json is not JSON: the first error's line, column
// and a fix in plain words. JSON.parse stays the authority on what is valid
// (its own messages can quote the text around the error, which might hold a
// secret); this runs after it failed. The error and its position come from
// jsonc-parser, the parser VS Code uses, in strict mode: comments and trailing
// commas are errors, as they are for JSON.parse.
import { printParseErrorCode, visit } from 'jsonc-parser';
import { excerptAt } from './json-excerpt.ts';

export type JsonSyntaxError = { offset: number; line: number; column: number; message: string; excerpt: string };

type ErrorName = ReturnType<typeof printParseErrorCode>;

/** What the parser saw: its first error, and whether that was inside an object or a list (for a missing comma). */
type FirstError = { name: ErrorName; offset: number; length: number; inside: 'object' | 'array' | 'top' };

function firstParseError(text: string): FirstError | null {
  const open: ('object' | 'array')[] = [];
  let first: FirstError | null = null;
  visit(
    text,
    {
      onObjectBegin: () => void open.push('object'),
      onArrayBegin: () => void open.push('array'),
      onObjectEnd: () => void open.pop(),
      onArrayEnd: () => void open.pop(),
      onError: (error, offset, length) => {
        first ??= { name: printParseErrorCode(error), offset, length, inside: open.at(-1) ?? 'top' };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return first;
}

const endOfFile = (what: string) => `the file ends too early: ${what}`;

/** JSON's spaces are space, tab and line breaks; others (a no-break space pasted from a web page) are errors. */
const UNUSUAL_SPACE = /[^\S \t\r\n]/;

function unusualSpaceMessage(space: string): string {
  const code = space.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `an unusual space character (U+${code}, often pasted from a web page or document); JSON allows only ordinary spaces, tabs and line breaks: retype it`;
}

const TRAILING_COMMA = 'there is a comma after the last entry; JSON does not allow it, remove the comma';
const TRAILING_COMMA_IN_LIST = 'there is a comma after the last entry of the list; JSON does not allow it, remove the comma';
const BROKEN_TEXT = 'a line break or control character inside text: is a closing " missing?';
const AFTER_THE_END = 'unexpected text after the end of the JSON object (a { or [ too many closed?)';
const BACKSLASH = 'a backslash inside text starts an escape like \\n; to write a backslash itself (as in a Windows path), write \\\\ or use /';

/** A comma or the closing } is missing at `offset`, inside an object. */
function missingInObject(text: string, offset: number): string {
  if (offset >= text.length) return endOfFile('a closing } is missing');
  return text[offset] === '"' ? 'a comma is missing before this setting' : 'a comma or a closing } is missing here';
}

/** A comma or the closing ] is missing at `offset`, inside a list. */
function missingInList(text: string, offset: number): string {
  if (offset >= text.length) return endOfFile('a closing ] is missing');
  return text[offset] === '}' ? 'a closing ] is missing before this }' : 'a comma or a closing ] is missing here';
}

/** A bare word or stray character, by where it stands: a setting name or a value. */
function symbolMessage(symbol: string, atName: boolean): string {
  const c = symbol[0] ?? '';
  if (atName) {
    return c === "'" ? 'setting names must be in double quotes ("), not single quotes (\')' : 'setting names must be in double quotes, like "serverName"';
  }
  if (c === "'") return 'text must be in double quotes ("), not single quotes (\')';
  if (/[A-Za-z_]/.test(c)) return 'text must be in double quotes (only true, false and null are written without them)';
  if (/[-+.0-9]/.test(c)) return 'this is not a valid number';
  if (c === '/') return 'comments are not allowed in JSON; remove it';
  return `unexpected character ${JSON.stringify(c)}`;
}

/** The message for the parser's first error, and where exactly to point (inside a string, at the culprit). */
function explain(text: string, e: FirstError): { offset: number; message: string } {
  const at = text[e.offset];
  const atEnd = e.offset >= text.length;
  const before = text.slice(0, e.offset).trimEnd();
  const previous = before.at(-1);
  const token = text.slice(e.offset, e.offset + e.length);
  const inToken = (pattern: RegExp) => e.offset + Math.max(0, token.search(pattern));
  const say = (message: string, offset = e.offset) => ({ offset, message });

  // "08": the parser reads 0, then stumbles on the 8.
  if (at !== undefined && /[0-9]/.test(at) && /(^|[^0-9.eE+-])-?0$/.test(text.slice(0, e.offset))) {
    return say('a number must not start with 0 (write 8, not 08)');
  }

  switch (e.name) {
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return say('comments are not allowed in JSON; remove it');
    case 'InvalidSymbol': {
      const space = token.search(UNUSUAL_SPACE);
      if (space >= 0) return say(unusualSpaceMessage(token[space]!), e.offset + space);
      if (e.inside === 'top' && before !== '') return say(AFTER_THE_END);
      return say(symbolMessage(token, e.inside === 'object' && (previous === '{' || previous === ',')));
    }
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return say('this is not a valid number');
    case 'PropertyNameExpected':
      if (atEnd) return say(endOfFile('a closing } is missing'));
      if (at === '}' && previous === ',') return say(TRAILING_COMMA);
      if (at === ',') return say('a setting name is missing before this comma (a comma too many?)');
      return say(symbolMessage(at ?? '', true));
    case 'ValueExpected':
      if (text.trim() === '') return say('the file is empty; it must contain a JSON object { ... }', 0);
      if (atEnd) return say(endOfFile('a value is missing'));
      if (at === ']' && previous === ',') return say(TRAILING_COMMA_IN_LIST);
      if (at === '}' && previous === ',') return say(TRAILING_COMMA);
      if (at === ',') return say('a value is missing before this comma');
      return say(previous === ':' ? 'a value is missing after the ":"' : `a value is missing before "${at}"`);
    case 'ColonExpected':
      return say(atEnd ? endOfFile('a ":" and a value are missing') : 'a ":" is missing between the setting name and its value');
    case 'CommaExpected':
      return say(e.inside === 'array' ? missingInList(text, e.offset) : missingInObject(text, e.offset));
    case 'CloseBraceExpected':
      return say(missingInObject(text, e.offset));
    case 'CloseBracketExpected':
      return say(missingInList(text, e.offset));
    case 'EndOfFileExpected':
      return say(AFTER_THE_END);
    case 'UnexpectedEndOfString':
      // The string runs to the end of its line (or of the file): point there.
      return e.offset + e.length >= text.length ? say(endOfFile('a closing " is missing'), text.length) : say(BROKEN_TEXT, e.offset + e.length);
    case 'InvalidUnicode':
      return say('"\\u" must be followed by four hexadecimal digits', inToken(/\\u(?![0-9A-Fa-f]{4})/));
    case 'InvalidEscapeCharacter':
      return say(BACKSLASH, inToken(/\\[^"\\/bfnrtu]/));
    case 'InvalidCharacter': {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in text; this finds one.
      const offset = inToken(/[\u0000-\u001f]/);
      return say(text[offset] === '\t' ? 'a tab inside text: write it as \\t, or use spaces' : BROKEN_TEXT, offset);
    }
    case '<unknown ParseErrorCode>':
      return say('this is not valid JSON here');
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The first syntax error in `text`, or null if there is none. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const parsed = firstParseError(text);
  if (parsed === null) return null;
  const found = explain(text, parsed);
  return { ...found, ...lineAndColumn(text, found.offset), excerpt: excerptAt(text, found.offset) };
}
