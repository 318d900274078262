// Every command the bot answers has its wording and branches tested here, through the command
// harness: a command added to the registry without a test in test/commands/ fails this.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry.ts';

const DIR = import.meta.dirname;
const sent = fs
  .readdirSync(DIR)
  .filter((file) => file.endsWith('.test.ts') && file !== path.basename(import.meta.filename))
  .map((file) => fs.readFileSync(path.join(DIR, file), 'utf8'))
  .join('\n');

describe('the command tests', () => {
  it('send every command the bot knows', () => {
    const untested = COMMANDS.map((c) => c.name).filter((name) => !new RegExp(`(?:ask|say)\\([^\\n]*['\`](?:[^'\`\\n]*: )?!${name}\\b`, 'i').test(sent));
    expect(untested).toEqual([]);
  });
});
