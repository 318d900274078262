import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/config/json-error.ts';
import { SAMPLE_CONFIG_PATH } from '../../src/config/load.ts';

function errorIn(text: string) {
  expect(() => JSON.parse(text), 'the text must really be invalid').toThrow();
  const found = findJsonSyntaxError(text);
  if (found === null) throw new Error('no error found');
  return found;
}

describe('findJsonSyntaxError', () => {
  it('finds nothing in valid JSON', () => {
    expect(findJsonSyntaxError('{ "a": [1, -2.5e3, true, null, "x\\n\\u00e9"], "b": {} }')).toBeNull();
  });

  it.each([
    ['{\n  "a": 1,\n}', 3, 1, 'comma after the last entry'],
    ['{ "a": [1, 2,] }', 1, 14, 'comma after the last entry of the list'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'a comma is missing before this setting'],
    ["{ 'a': 1 }", 1, 3, 'not single quotes'],
    ['{ a: 1 }', 1, 3, 'setting names must be in double quotes'],
    ['{ "a": yes }', 1, 8, 'text must be in double quotes'],
    ['{\n  // note\n  "a": 1\n}', 2, 3, 'comments are not allowed'],
    ['{ "dir": "C:\\data" }', 1, 13, 'write \\\\ or use /'],
    ['{ "a": 08 }', 1, 9, 'must not start with 0'],
    ['{ "a": "line\nbreak" }', 1, 13, 'is a closing " missing?'],
    ['{ "a": 1 }}', 1, 11, 'unexpected text after the end'],
    ['{ "a": 1', 1, 9, 'the file ends too early'],
    ['', 1, 1, 'the file is empty'],
    ['{ "a": 1 } x', 1, 12, 'unexpected text after the end'],
    ['{ "a" 1 }', 1, 7, 'a ":" is missing'],
    ['{ "a": }', 1, 8, 'a value is missing after the ":"'],
    ['{ "a": 1,, "b": 2 }', 1, 10, 'a setting name is missing before this comma'],
    ['{ "a": [1 2] }', 1, 11, 'a comma or a closing ] is missing'],
    ['{ "a": [1 }', 1, 11, 'a closing ] is missing before this }'],
    ['{ "a": 1 "b" }', 1, 10, 'a comma is missing before this setting'],
    ['{ "a": \'x\' }', 1, 8, 'not single quotes'],
    ['{ "a": "\\u12" }', 1, 9, 'four hexadecimal digits'],
    ['{ "a": "x\ty" }', 1, 10, 'a tab inside text'],
    ['{ "a": /* note */ 1 }', 1, 8, 'comments are not allowed'],
    ['{ "a": 1.5e }', 1, 8, 'not a valid number'],
    ['{ "a": "unclosed', 1, 17, 'a closing " is missing'],
    ['[1, 2', 1, 6, 'a closing ] is missing'],
    ['{\n  "a":\u00a01\n}', 2, 7, 'unusual space character (U+00A0'],
    ['{ "a": 1,\u2028"b": 2 }', 1, 10, 'unusual space character (U+2028'],
  ])('%j: line %i, column %i', (text, line, column, message) => {
    const found = errorIn(text);
    expect([found.line, found.column]).toEqual([line, column]);
    expect(found.message).toContain(message);
  });

  it('shows the line with a caret under the column', () => {
    expect(errorIn('{\n  "a": 1\n  "b": 2\n}').excerpt).toBe('  "b": 2\n  ^');
  });

  it('masks values on a line with a secret-looking key, keeping the caret aligned', () => {
    const found = errorIn('{ "bot": { "access_token": "abc def ghi" "x": 1 } }');
    expect(found.excerpt).not.toContain('abc def ghi');
    expect(found.excerpt).toBe('{ "bot": { "access_token": "***********" "x": 1 } }\n                                         ^');
  });

  it('masks token-like values anywhere', () => {
    const found = errorIn('{ "x": "syt_dG9rZW4_Secret_123456", }');
    expect(found.excerpt).not.toContain('syt_');
  });

  it('a secret written without quotes, right where the error is, is not shown', () => {
    for (const secret of ['syt_dG9rZW4_RightHere_123456', 'hunter2-plain-words']) {
      const text = `{\n  "bot": { "accessToken": ${secret} }\n}`;
      const found = errorIn(text);
      expect(found.offset).toBe(text.indexOf(secret));
      expect(found.message).toContain('text must be in double quotes');
      expect(`${found.message}\n${found.excerpt}`).not.toContain(secret);
      expect(found.excerpt).toBe(`  "bot": { "accessToken": ${'*'.repeat(secret.length)} }\n${' '.repeat(26)}^`);
    }
  });

  it('hides every text value, whatever its key, on the line or the line after', () => {
    const cases = [
      '{ "smtp": { "pass": "my secret words\n } }', // broken at the end of the line
      '{ "smtp": { "pass": "my secret words" "x": 1 } }', // under a key that does not look secret
      '{ "accessToken":\n  "my secret words" "x": 1 }', // on the line after its key
      '{ "a": "my\\qsecret words" }', // the error inside the secret itself
      '{ "a": 1, // my secret words\n}', // in a comment
    ];
    for (const text of cases) {
      const found = errorIn(text);
      expect(`${found.message}\n${found.excerpt}`, text).not.toMatch(/secret|words/);
    }
  });

  it('hides a number or true/false written right after a secret-looking key', () => {
    const found = errorIn('{ "password": 31415926 "x": 1 }');
    expect(found.excerpt).toBe('{ "password": ******** "x": 1 }\n                       ^');
  });

  // The file as people break it: the sample, with a token pasted somewhere and
  // a few random edits. JSON.parse decides what is valid; every invalid text
  // gets a position, and the token never appears in what the operator sees.
  it('finds an error in every text JSON.parse rejects, and never shows a token', () => {
    const sample = fs.readFileSync(SAMPLE_CONFIG_PATH, 'utf8');
    const token = 'syt_cHJvcGVydHk_PastedToken_0a1b2c';
    const places = [`"${token}"`, token, `"x": "${token}",`, `// ${token}\n`, `"${token}":`];
    const edit = fc.record({
      at: fc.nat({ max: sample.length }),
      remove: fc.nat({ max: 3 }),
      insert: fc.array(fc.constantFrom(...',:{}[]"\'\\/ \n\t\u00a0\u2028\ufeff08ae-'.split('')), { maxLength: 3 }).map((c) => c.join('')),
    });
    const apply = (text: string, e: { at: number; remove: number; insert: string }) =>
      text.slice(0, e.at % (text.length + 1)) + e.insert + text.slice((e.at % (text.length + 1)) + e.remove);
    fc.assert(
      fc.property(fc.nat({ max: sample.length }), fc.constantFrom(...places), fc.array(edit, { minLength: 1, maxLength: 3 }), (at, place, edits) => {
        const text = edits.reduce(apply, sample.slice(0, at) + place + sample.slice(at));
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const found = findJsonSyntaxError(text);
        if (valid) return found === null;
        return found !== null && found.line >= 1 && found.column >= 1 && !`${found.message}\n${found.excerpt}`.includes(token);
      }),
      { seed: 20260411, numRuns: 2000 },
    );
  });
});
