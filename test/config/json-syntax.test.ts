import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/config/json-syntax.ts';

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
});
