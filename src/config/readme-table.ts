// The README's table of settings, made from the schema's documentation
// (settings-doc.ts), so it cannot drift from what the bot enforces.
// `npm run docs:config` writes it into README.md between the markers below;
// test/config/readme-table.test.ts fails when README.md holds another table.
import { childrenOf, configJsonSchema, defaultText, descriptionOf, isObject, type JsonSchema, rootSetting, type Setting, valueText } from './settings-doc.ts';

export const TABLE_BEGIN = '<!-- begin settings table: made from src/config/schema.ts by `npm run docs:config`; edit the schema, not this table -->';
export const TABLE_END = '<!-- end settings table -->';

/** An object whose entries all take the same settings (the 13 category declarations): documented once, as "*". */
function entriesAreAlike(s: Setting): boolean {
  const children = childrenOf(s);
  return children.length > 1 && children.every((c) => JSON.stringify(c.schema) === JSON.stringify(children[0]!.schema));
}

type Row = { name: string; meaning: string; value: string; fallback: string };

function rowsOf(s: Setting, name: string): Row[] {
  const alike = isObject(s) && entriesAreAlike(s);
  const children = childrenOf(s);
  const meaning = alike ? `${descriptionOf(s)}: ${children.map((c) => c.key).join(', ')}` : descriptionOf(s);
  const row: Row = { name, meaning, value: valueText(s), fallback: defaultText(s) ?? (s.required ? 'required' : 'optional') };
  if (!isObject(s)) return [row];
  const shown = alike ? [{ ...children[0]!, key: '*' }] : children;
  return [row, ...shown.flatMap((c) => rowsOf(c, `${name}.${c.key}`))];
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The Markdown table: one row per setting, in the schema's order. */
export function settingsTable(root: JsonSchema = configJsonSchema()): string {
  const rows = childrenOf(rootSetting(root)).flatMap((c) => rowsOf(c, c.key!));
  return [
    '| setting | what it is | value | default |',
    '|---|---|---|---|',
    ...rows.map(
      (r) => `| \`${r.name}\` | ${cell(r.meaning)} | ${cell(r.value)} | ${/^(required|optional)$/.test(r.fallback) ? r.fallback : `\`${r.fallback}\``} |`,
    ),
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `table`. */
export function withSettingsTable(readme: string, table: string = settingsTable()): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no "${TABLE_BEGIN}" … "${TABLE_END}" markers`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${readme.slice(end)}`;
}
