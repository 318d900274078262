// One composition root (issue 17): every part of the bot is built in src/bot/composition.ts,
// and src/bot/bot.ts holds only the event handlers, short enough to read top to bottom; the
// README's path from an event to a reply names files that exist.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** The code without comments, so that a comment naming `new X` or `.on(` does not count. */
const code = (source: string): string =>
  source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/ \/\/ .*$/gm, '');

/** Top-level declarations and how many lines each spans: from its first line to the last line before the next one begins. */
function topLevelSpans(source: string): Array<{ name: string; lines: number }> {
  const lines = source.split('\n');
  const starts: Array<{ name: string; at: number }> = [];
  lines.forEach((line, at) => {
    const match = /^(?:export )?(?:async )?(?:function\s+(\w+)|const\s+(\w+)\s*=|class\s+(\w+)|type\s+(\w+))/.exec(line);
    if (match) starts.push({ name: match[1] ?? match[2] ?? match[3] ?? match[4]!, at });
  });
  return starts.map((start, i) => {
    let end = (starts[i + 1]?.at ?? lines.length) - 1;
    // Blank lines and the next declaration's comment belong to neither.
    while (end > start.at && (/^\s*$/.test(lines[end]!) || /^\s*(\/\/|\/\*\*|\*)/.test(lines[end]!))) end--;
    return { name: start.name, lines: end - start.at + 1 };
  });
}

describe('the composition root', () => {
  it('bot.ts builds nothing and subscribes to nothing: no `new`, no patching, no listeners', () => {
    const bot = code(read('src/bot/bot.ts'));
    expect(bot).not.toMatch(/\bnew\s+[A-Z]/);
    expect(bot).not.toMatch(/Reflect\.set|\.on\(|\.prototype\./);
    expect(read('src/bot/composition.ts')).toMatch(/client\.on\('room\.event'/);
  });

  it('no function in bot.ts is over 80 lines', () => {
    const spans = topLevelSpans(read('src/bot/bot.ts'));
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['onTimelineEvent', 'onInvite', 'answerFor']));
    expect(spans.filter((s) => s.lines > 80)).toEqual([]);
  });

  it('measures a long function as long (the check can fail)', () => {
    const long = ['export function long(): void {', ...Array.from({ length: 90 }, (_, i) => `  step(${i});`), '}', '', '// next', 'const short = 1;'].join(
      '\n',
    );
    expect(topLevelSpans(long)).toEqual([
      { name: 'long', lines: 92 },
      { name: 'short', lines: 1 },
    ]);
  });

  it('the README’s path from a Matrix event to a reply names files that exist, bot.ts and composition.ts among them', () => {
    const readme = read('README.md');
    const start = readme.indexOf('### From a Matrix event to a reply, a job and the homeserver');
    const section = readme.slice(start, readme.indexOf('\n#', start + 10));
    const files = [...section.matchAll(/`([\w/-]+\.ts)`/g)].map((m) => m[1]!);
    expect(files).toEqual(expect.arrayContaining(['bot/composition.ts', 'bot/bot.ts', 'bot/answering.ts', 'homeserver/homeserver.ts', 'jobs/runner.ts']));
    expect(files.filter((file) => !fs.existsSync(path.join(ROOT, 'src', file)))).toEqual([]);
  });
});
