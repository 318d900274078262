// SECURITY.md backs every claim with a test it names (`file › test`). This keeps the names
// honest: each file must exist and hold a test with that exact title.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const doc = fs.readFileSync(path.join(ROOT, 'SECURITY.md'), 'utf8');

/** Every `test/... › title` and the `› title`s that follow it in the same table cell. */
function references(): { file: string; title: string | null }[] {
  const found: { file: string; title: string | null }[] = [];
  for (const line of doc.split('\n')) {
    let file: string | null = null;
    for (const [, ref] of line.matchAll(/`([^`]+)`/g)) {
      const withFile = /^(test\/\S+\.ts)(?: › (.+))?$/.exec(ref!);
      if (withFile) {
        file = withFile[1]!;
        found.push({ file, title: withFile[2] ?? null });
      } else if (ref!.startsWith('› ') && file !== null) {
        found.push({ file, title: ref!.slice(2) });
      }
    }
  }
  return found;
}

describe('SECURITY.md', () => {
  const refs = references();

  it('names tests for its claims', () => {
    expect(refs.length).toBeGreaterThan(30);
  });

  it.each(refs.map((r) => [`${r.file}${r.title ? ` › ${r.title}` : ''}`, r] as const))('%s exists', (_name, { file, title }) => {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    if (title === null) return;
    // The title as written in an it(...) call, in whichever quotes the file uses.
    const quoted = [`'${title.replace(/'/g, "\\'")}'`, `"${title}"`, `\`${title}\``];
    expect(
      quoted.some((q) => source.includes(q)),
      `${file} has no test titled: ${title}`,
    ).toBe(true);
  });
});
