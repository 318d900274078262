// The documentation of every setting, read from the schema. zod turns BotConfig,
// with the descriptions and examples in its metadata, into a JSON Schema of
// bot.config.json as it is written (defaults, ranges, choices, which settings
// are required). The problem hints (hints.ts) and the README's configuration
// table (readme-table.ts) are both made from it, so each default and range is
// stated once: in the zod schema that also enforces it.
import { z } from 'zod';
import { BotConfig } from './schema.ts';

export type JsonSchema = z.core.JSONSchema.JSONSchema;

/** One setting: its place in the file, its JSON Schema, and whether the file must contain it. */
export type Setting = {
  path: readonly (string | number)[];
  /** Its name in its object; null for the top level and for list entries. */
  key: string | null;
  schema: JsonSchema;
  required: boolean;
};

let cached: JsonSchema | null = null;

/** The JSON Schema of bot.config.json as written (so a setting with a default is optional). */
export function configJsonSchema(): JsonSchema {
  cached ??= z.toJSONSchema(BotConfig, { io: 'input' });
  return cached;
}

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The settings inside an object setting, in the schema's order. */
export function childrenOf(setting: Setting): Setting[] {
  const properties = setting.schema.properties ?? {};
  return Object.entries(properties).flatMap(([key, schema]) =>
    isSchema(schema) ? [{ path: [...setting.path, key], key, schema, required: setting.schema.required?.includes(key) ?? false }] : [],
  );
}

/** The entries of a list setting. */
export function itemsOf(setting: Setting): Setting | null {
  const items = setting.schema.items;
  return isSchema(items) ? { path: [...setting.path, 0], key: null, schema: items, required: true } : null;
}

export function rootSetting(root: JsonSchema = configJsonSchema()): Setting {
  return { path: [], key: null, schema: root, required: true };
}

/** The setting at `path` ("admins", 1 for a list entry), or null if the schema has none there. */
export function settingAt(path: readonly PropertyKey[], root: JsonSchema = configJsonSchema()): Setting | null {
  let setting: Setting | null = rootSetting(root);
  for (const segment of path) {
    if (setting === null) return null;
    setting = typeof segment === 'number' ? itemsOf(setting) : (childrenOf(setting).find((c) => c.key === segment) ?? null);
  }
  return setting;
}

export const isObject = (s: Setting) => s.schema.type === 'object';
export const isList = (s: Setting) => s.schema.type === 'array';
export const isNumber = (s: Setting) => s.schema.type === 'number' || s.schema.type === 'integer';
export const descriptionOf = (s: Setting) => s.schema.description ?? '';

/** A value as the operator would write it in the file. */
export function jsonText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${jsonText(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** The default as written in the file, or null. Objects that default to {} are simply optional. */
export function defaultText(s: Setting): string | null {
  return s.schema.default === undefined || isObject(s) ? null : jsonText(s.schema.default);
}

function listOf(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** What kind of value the setting takes, with its range: "a whole number from 1 to 90", '"auto", "required" or "off"'. */
export function valueText(s: Setting): string {
  const { schema } = s;
  if (schema.enum !== undefined) return listOf(schema.enum.map((v) => JSON.stringify(v)));
  if (isNumber(s)) {
    const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
    const { minimum: min, maximum: max } = schema;
    const above = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
    if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
    if (above !== undefined && max !== undefined) return `${kind} more than ${above} and at most ${max}`;
    if (min !== undefined) return `${kind} of at least ${min}`;
    if (max !== undefined) return `${kind} of at most ${max}`;
    return kind;
  }
  if (schema.type === 'boolean') return 'true or false';
  if (schema.type === 'string') return 'text';
  if (isList(s)) return schema.minItems ? `a list of at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}` : 'a list';
  if (isObject(s)) return 'an object';
  return 'a value';
}

/**
 * Example values: the ones in the metadata, else the default, else (for an
 * object) one made of its required settings' examples, or of its defaults when
 * nothing in it is required.
 */
export function exampleValues(s: Setting): unknown[] {
  if (Array.isArray(s.schema.examples) && s.schema.examples.length > 0) return s.schema.examples;
  if (s.schema.default !== undefined && !isObject(s)) return [s.schema.default];
  if (isList(s)) {
    const items = itemsOf(s);
    const item = items === null ? undefined : exampleValues(items)[0];
    return item === undefined ? [] : [[item]];
  }
  if (isObject(s)) {
    const children = childrenOf(s);
    const required = children.filter((c) => c.required);
    const shown = required.length > 0 ? required : children.filter((c) => c.schema.default !== undefined);
    const example: Record<string, unknown> = {};
    for (const child of shown) {
      const value = exampleValues(child)[0];
      if (value === undefined) return [];
      example[child.key!] = value;
    }
    return shown.length === 0 ? [] : [example];
  }
  return [];
}
