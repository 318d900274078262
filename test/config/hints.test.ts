// The hints in problem messages are made from the schema: every setting is
// documented, and what a hint says about a number (its range, its default) is
// what validation really enforces.
import { describe, expect, it } from 'vitest';
import { exampleOf, hintFor } from '../../src/config/hints.ts';
import { validateConfig } from '../../src/config/load.ts';
import { childrenOf, descriptionOf, isNumber, itemsOf, rootSetting, type Setting } from '../../src/config/settings-doc.ts';
import { problemAt, sample } from './helpers.ts';

function everySetting(s: Setting = rootSetting()): Setting[] {
  const items = itemsOf(s);
  return [s, ...childrenOf(s).flatMap((c) => everySetting(c)), ...(items ? everySetting(items) : [])];
}

function setAt(raw: Record<string, any>, path: readonly (string | number)[], value: unknown): void {
  const parent = path.slice(0, -1).reduce((obj: any, key) => (obj[key] ??= {}), raw);
  if (value === undefined) delete parent[path.at(-1)!];
  else parent[path.at(-1)!] = value;
}

/** The sample with every optional section present, so that each setting can be changed alone. */
function fullSample(): Record<string, any> {
  const raw = sample();
  raw.smtp = { host: 'mail.example.org', port: 587, tls: 'starttls' };
  return raw;
}

const valueAt = (obj: any, path: readonly (string | number)[]) => path.reduce((o, k) => o?.[k], obj);

describe('hints from the schema', () => {
  it('every setting has a description and an example line', () => {
    const settings = everySetting();
    expect(settings.length).toBeGreaterThan(100); // 13 category declarations included
    for (const s of settings) {
      expect(descriptionOf(s).length, `description of ${s.path.join('.')}`).toBeGreaterThan(10);
      expect(exampleOf(s), `example of ${s.path.join('.')}`).not.toBe('');
    }
  });

  it('every choice of a setting with choices is explained in its description', () => {
    const withChoices = everySetting().filter((s) => s.schema.enum !== undefined);
    expect(withChoices.map((s) => s.path.join('.'))).toEqual(['bot.encryption', 'smtp.tls']);
    for (const s of withChoices) {
      for (const choice of s.schema.enum!) expect(descriptionOf(s), s.path.join('.')).toContain(JSON.stringify(choice));
    }
  });

  it("a number's hint states the maximum and the default that validation enforces", () => {
    const numbers = everySetting().filter(isNumber);
    expect(numbers.length).toBeGreaterThanOrEqual(14);
    for (const s of numbers) {
      const name = s.path.join('.');
      const max = s.schema.maximum!;
      const tooLarge = fullSample();
      setAt(tooLarge, s.path, max + 1);
      const result = validateConfig(tooLarge);
      if (result.ok) throw new Error(`${name}: ${max + 1} was accepted`);
      const problem = problemAt(result.problems, name);
      expect(problem.problem, name).toBe(`The number ${max + 1} is too large: the maximum is ${max}.`);
      expect(problem.expected, name).toMatch(new RegExp(`(to|at most) ${max}\\b`));

      if (s.schema.default === undefined) continue;
      const absent = fullSample();
      setAt(absent, s.path, undefined);
      const filled = validateConfig(absent);
      if (!filled.ok) throw new Error(`${name}: rejected when absent`);
      expect(valueAt(filled.config, s.path), name).toBe(s.schema.default);
      expect(hintFor(s.path, absent).expected, name).toContain(`(default ${s.schema.default})`);
    }
  });

  it("examples name the operator's own server and bot", () => {
    const raw = { homeserver: { serverName: 'chat.example.net' }, bot: { userId: '@dsar:chat.example.net' } };
    expect(hintFor(['bot', 'userId'], raw).example).toBe('"userId": "@dsar:chat.example.net"');
    expect(hintFor(['smtp'], raw).example).toBe('"smtp": { "host": "mail.chat.example.net", "port": 587, "tls": "starttls" }');
    expect(hintFor(['homeserver', 'url'], raw).example).toBe('"url": "https://matrix.chat.example.net"  (or "http://127.0.0.1:8008")');
  });

  it('an object lists its settings, with their defaults', () => {
    expect(hintFor(['export'], {}).expected).toBe(
      'how !export runs: how many at once, how often one person may ask, how long a package can be downloaded (optional): ' +
        'concurrency (default 2), perUserHours (default 24), retentionDays (default 7), roomsAtOnce (default 4)',
    );
    expect(hintFor(['export'], {}).example).toBe('"export": { "concurrency": 2, "perUserHours": 24, "retentionDays": 7, "roomsAtOnce": 4 }');
  });
});
