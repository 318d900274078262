// Turns zod's validation issues into ConfigProblems an operator can act on:
// no zod vocabulary, the value they wrote (never a secret), what was expected,
// an example, and "did you mean" for misspelt names and choices.
import { z } from 'zod';
import { CATEGORY_LABELS, CategoryId } from './categories.ts';
import { closest } from './did-you-mean.ts';
import { hintFor, pathText } from './hints.ts';
import type { ConfigProblem } from './problems.ts';
import { describeValue, quote } from './redact.ts';
import { BotConfig } from './schema.ts';

type Path = readonly PropertyKey[];

/** From this many undeclared categories on, they are reported as one problem. */
const COLLAPSE_CATEGORIES_FROM = 4;

function valueAt(raw: unknown, path: Path): unknown {
  let current = raw;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Strips optional/default/prefault wrappers to reach an object schema, if any. */
function asObject(schema: unknown): z.ZodObject | null {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap();
  return s instanceof z.ZodObject ? s : null;
}

/** The setting names allowed in the object at `path`. */
function knownKeysAt(path: Path): string[] {
  let schema: z.ZodObject | null = asObject(BotConfig);
  for (const segment of path) {
    if (schema === null) return [];
    schema = asObject(schema.shape[String(segment)]);
  }
  return schema === null ? [] : Object.keys(schema.shape);
}

/** Every (object path, key) in the schema, to say where a misplaced setting belongs. */
function allKeys(): { parent: string[]; key: string }[] {
  const out: { parent: string[]; key: string }[] = [];
  const walk = (schema: z.ZodObject, parent: string[]) => {
    for (const [key, child] of Object.entries(schema.shape)) {
      out.push({ parent, key });
      const obj = asObject(child);
      // Category declarations repeat 13 times; list their fields once.
      if (obj && !(parent[0] === 'policy' && parent[1] === 'categories' && key !== 'account')) walk(obj, [...parent, key]);
    }
  };
  const root = asObject(BotConfig);
  if (root) walk(root, []);
  return out;
}

function expectedKind(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text in double quotes';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false (without quotes)';
    case 'object':
      return 'an object { ... }';
    case 'array':
      return 'a list [ ... ]';
    default:
      return 'a different kind of value';
  }
}

function isCategoryPath(path: Path): boolean {
  return path.length === 3 && path[0] === 'policy' && path[1] === 'categories' && CategoryId.safeParse(path[2]).success;
}

function typeProblem(issue: z.core.$ZodIssueInvalidType, value: unknown, path: Path): string {
  if (value === undefined) {
    if (isCategoryPath(path)) {
      const id = CategoryId.parse(path[2]);
      return (
        `The category "${id}" (${CATEGORY_LABELS[id]}) is not declared. Every category must be declared, ` +
        'even data you do not keep (with "stored": false), so users are never shown data without its purpose and retention.'
      );
    }
    return 'This required setting is missing.';
  }
  if (issue.expected === 'int' && typeof value === 'number') return `This is ${describeValue(value)}, but it must be a whole number.`;
  let text = `This is ${describeValue(value)}, but it must be ${expectedKind(issue.expected)}.`;
  if ((issue.expected === 'number' || issue.expected === 'int') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    text += ' Remove the quotes around the number.';
  }
  if (issue.expected === 'boolean' && (value === 'true' || value === 'false')) text += ' Remove the quotes.';
  if (issue.expected === 'array' && typeof value === 'string') text += ' Put it in a list: ["…"].';
  return text;
}

function issueProblem(issue: z.core.$ZodIssue, raw: unknown): string {
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return typeProblem(issue, value, issue.path);
    case 'invalid_value': {
      const choices = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const guess = typeof value === 'string' ? closest(value, issue.values.map(String)) : null;
      return `${describeValue(value)} is not one of the choices (${choices}).${guess ? ` Did you mean "${guess}"?` : ''}`.replace(/^the /, 'The ');
    }
    case 'too_small':
      if (issue.origin === 'array') return 'The list is empty; it needs at least one entry.';
      if (issue.origin === 'string') return 'This text is empty.';
      return `${describeValue(value)} is too small: the minimum is ${String(issue.minimum)}.`.replace(/^the /, 'The ');
    case 'too_big':
      if (issue.origin === 'number') return `${describeValue(value)} is too large: the maximum is ${String(issue.maximum)}.`.replace(/^the /, 'The ');
      return 'This value is too long.';
    case 'custom':
      return issue.message;
    default:
      return 'This value is not valid.';
  }
}

/** The problems for a set of issues. Unknown keys at `skipPaths` (secrets, reported elsewhere) are left out. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, skipPaths: ReadonlySet<string>): ConfigProblem[] {
  // First pass: unknown keys, and the missing settings they are probably a typo of.
  type Unknown = { path: Path; key: string; suggestion: string | null; elsewhere: string | null };
  const unknowns = new Map<z.core.$ZodIssue, Unknown[]>();
  const explained = new Set<string>(); // missing settings explained by a typo
  const missing = new Set(issues.filter((i) => i.code === 'invalid_type' && valueAt(raw, i.path) === undefined).map((i) => pathText(i.path)));
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownKeysAt(issue.path);
    const list: Unknown[] = [];
    for (const key of issue.keys) {
      const path = [...issue.path, key];
      if (skipPaths.has(pathText(path))) continue;
      const suggestion = closest(key, known);
      let elsewhere: string | null = null;
      if (suggestion === null) {
        const match = allKeys().find((k) => k.key.toLowerCase() === key.toLowerCase());
        if (match) elsewhere = match.parent.length === 0 ? '(the top level)' : `"${match.parent.join('.')}"`;
      }
      if (suggestion !== null && missing.has(pathText([...issue.path, suggestion]))) explained.add(pathText([...issue.path, suggestion]));
      list.push({ path, key, suggestion, elsewhere });
    }
    unknowns.set(issue, list);
  }

  // Many undeclared categories (e.g. a policy written from scratch) become one problem that names them all.
  const undeclared = issues.filter((i) => i.code === 'invalid_type' && isCategoryPath(i.path) && valueAt(raw, i.path) === undefined);
  const collapse = undeclared.length >= COLLAPSE_CATEGORIES_FROM;
  let collapsedAdded = false;

  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (collapse && undeclared.includes(issue) && !explained.has(pathText(issue.path))) {
      if (collapsedAdded) continue;
      collapsedAdded = true;
      const ids = undeclared.filter((i) => !explained.has(pathText(i.path))).map((i) => String(i.path[2]));
      problems.push({
        path: 'policy.categories',
        problem:
          `${ids.length} categories are not declared: ${ids.join(', ')}. Every category must be declared, ` +
          'even data you do not keep (with "stored": false), so users are never shown data without its purpose and retention.',
        expected: hintFor(['policy', 'categories'], raw).expected,
        example: 'copy the categories of the sample bot.config.json and adapt them to your privacy policy',
      });
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const u of unknowns.get(issue) ?? []) {
        const parent = u.path.slice(0, -1);
        const known = knownKeysAt(parent);
        const where = parent.length === 0 ? 'at the top level' : `in ${pathText(parent)}`;
        let problem = `Unknown setting ${quote(u.key)} ${where}.`;
        let example = `remove ${quote(u.key)}`;
        if (u.suggestion !== null) {
          const suggested = [...parent, u.suggestion];
          problem += ` Did you mean "${u.suggestion}"?`;
          if (explained.has(pathText(suggested))) problem += ` ("${u.suggestion}" is required and is missing.)`;
          else if (valueAt(raw, suggested) !== undefined) problem += ` ("${u.suggestion}" is also set, so remove this one.)`;
          const hint = hintFor(suggested, raw);
          if (hint.example !== '') example = hint.example;
        } else if (u.elsewhere !== null) {
          problem += ` This setting belongs in ${u.elsewhere}.`;
          example = `move ${quote(u.key)} into ${u.elsewhere}`;
        }
        problems.push({
          path: pathText(u.path),
          problem,
          expected: `one of the settings allowed ${where}: ${known.join(', ')}`,
          example,
        });
      }
      continue;
    }
    const path = pathText(issue.path);
    if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined && explained.has(path)) continue;
    const hint = hintFor(issue.path, raw);
    problems.push({ path, problem: issueProblem(issue, raw), expected: hint.expected, example: hint.example });
  }
  return problems;
}
