// For each setting: what is expected, and an example of a correct line, so a
// problem message can tell the operator how to fix it. Both are made from the
// schema's own documentation (settings-doc.ts): the description and examples
// in its metadata, the range, default and choices it enforces. Examples use
// the operator's own server name and bot when the file has valid ones.
import { serverNameProblem, userIdProblem } from './matrix-ids.ts';
import {
  childrenOf,
  defaultText,
  descriptionOf,
  exampleValues,
  isList,
  isNumber,
  isObject,
  jsonText,
  type Setting,
  settingAt,
  valueText,
} from './settings-doc.ts';

export type Hint = { expected: string; example: string };

type Context = { server: string; botLocalpart: string };

function contextOf(raw: unknown): Context {
  const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const serverName = obj(obj(raw)['homeserver'])['serverName'];
  const server = typeof serverName === 'string' && serverNameProblem(serverName) === null ? serverName : 'example.org';
  const userId = obj(obj(raw)['bot'])['userId'];
  const botLocalpart = typeof userId === 'string' && userIdProblem(userId) === null ? userId.slice(1, userId.indexOf(':')) : 'privacybot';
  return { server, botLocalpart };
}

/** " (default 7)", " (optional)" or nothing (required). */
function presence(s: Setting): string {
  const fallback = defaultText(s);
  if (fallback !== null) return ` (default ${fallback})`;
  return s.required ? '' : ' (optional)';
}

/**
 * What the setting expects: its description, completed by what the schema
 * enforces, e.g. "days a delivered export can be downloaded ...: a whole
 * number from 1 to 90 (default 7)"; for an object, the settings in it.
 */
function expectedOf(s: Setting): string {
  const description = descriptionOf(s);
  if (isObject(s))
    return `${description}${presence(s)}: ${childrenOf(s)
      .map((c) => `${c.key}${presence(c)}`)
      .join(', ')}`;
  if (isNumber(s)) return `${description}: ${valueText(s)}${presence(s)}`;
  if (isList(s) && s.schema.minItems) return `${description} (at least ${s.schema.minItems})${presence(s)}`;
  return `${description}${presence(s)}`;
}

const SAMPLE = 'the sample bot.config.json that comes with the bot';
/** A longer example (the whole policy) is no help in a message: the sample has it. */
const LONGEST_EXAMPLE = 200;

/** A correct line for the setting, e.g. '"retentionDays": 7', with its other examples after it. */
export function exampleOf(s: Setting): string {
  if (s.path.length === 0) return `start from ${SAMPLE}`;
  const [first, ...others] = exampleValues(s);
  if (first === undefined) return '';
  const line = s.key === null ? jsonText(first) : `${JSON.stringify(s.key)}: ${jsonText(first)}`;
  const text = [line, ...others.map((value) => `(or ${jsonText(value)})`)].join('  ');
  return text.length > LONGEST_EXAMPLE ? `copy ${JSON.stringify(s.key)} from ${SAMPLE} and adapt it` : text;
}

/** The schema's examples are written for example.org and @privacybot; the operator's own names read better. */
function localised(example: string, c: Context): string {
  return example.replaceAll('@privacybot:example.org', () => `@${c.botLocalpart}:${c.server}`).replaceAll('example.org', () => c.server);
}

/** The display form of a path: "bot.userId", "admins[1]", "policy.categories.emails.purpose". */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function hintFor(path: readonly PropertyKey[], raw: unknown): Hint {
  const setting = settingAt(path);
  if (setting === null) {
    return { expected: 'a valid value for this setting', example: `see ${SAMPLE}` };
  }
  return { expected: expectedOf(setting), example: localised(exampleOf(setting), contextOf(raw)) };
}
