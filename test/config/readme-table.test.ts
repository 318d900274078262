// The README's settings table is made from the schema; these tests keep README.md equal to it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsTable, TABLE_BEGIN, TABLE_END, withSettingsTable } from '../../src/config/readme-table.ts';
import { configJsonSchema, type JsonSchema } from '../../src/config/settings-doc.ts';
import { tempDir } from './helpers.ts';

const README = new URL('../../README.md', import.meta.url);
const SCRIPT = new URL('../../src/config/write-readme-table.ts', import.meta.url);

const readme = () => fs.readFileSync(README, 'utf8');
const tableIn = (text: string) => text.slice(text.indexOf(TABLE_BEGIN) + TABLE_BEGIN.length, text.indexOf(TABLE_END)).trim();
const rowNames = (table: string) => [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);

describe("README.md's settings table", () => {
  it('is the table the schema gives (after changing a setting, run npm run docs:config)', () => {
    expect(tableIn(readme())).toBe(settingsTable());
  });

  it('lists every setting once, in the schema order', () => {
    const names = rowNames(settingsTable());
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n === 'erasure')).toEqual(['erasure']);
    expect(names.slice(0, 4)).toEqual(['homeserver', 'homeserver.url', 'homeserver.serverName', 'homeserver.requestTimeoutMs']);
    expect(names).toContain('policy.categories.*.legalBasis');
    expect(names).toContain('smtp.from');
  });

  it('changes when a default or a range changes in the schema', () => {
    const changed = structuredClone(configJsonSchema()) as any;
    const retention: JsonSchema = changed.properties.export.properties.retentionDays;
    retention.maximum = 120;
    retention.default = 14;
    const table = settingsTable(changed);
    expect(table).not.toBe(settingsTable());
    expect(table).toContain(
      '| `export.retentionDays` | days a delivered export can be downloaded before its files are deleted from the server and the bot | a whole number from 1 to 120 | `14` |',
    );
    expect(settingsTable()).toContain('| a whole number from 1 to 90 | `7` |');
  });

  it('npm run docs:config rewrites a stale table in place and leaves the rest of the file alone', () => {
    const file = path.join(tempDir(), 'README.md');
    const stale = withSettingsTable(readme(), '| setting | what it is |\n|---|---|\n| `erasure` | twice |\n| `erasure` | twice |');
    fs.writeFileSync(file, stale);
    const run = () => execFileSync(process.execPath, ['--disable-warning=DEP0060', SCRIPT.pathname, file], { encoding: 'utf8' });
    expect(run()).toContain('was rewritten');
    expect(fs.readFileSync(file, 'utf8')).toBe(withSettingsTable(readme()));
    expect(run()).toContain('is up to date');
  });

  it('refuses a README without the markers instead of guessing where the table goes', () => {
    expect(() => withSettingsTable('# no table here\n')).toThrow(/markers/);
  });
});
