// Every runtime patch to a library lives in src/patches/ (issue 17): elsewhere in src/ nothing
// replaces a library's members. The crypto seam's module substitution is the one named
// exception: it chooses which engine the SDK loads, it changes none of the SDK's members.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : entry.name.endsWith('.ts') ? [full] : [];
  });

/** Replacing a member: through Reflect, on a prototype, or on the objects libraries hand the bot. */
const PATCHING = /Reflect\.set\(|\.prototype\.[A-Za-z_$]+\s*=[^=]|\b(?:client|factory|db|sdk)\.[A-Za-z_$]+\s*=[^=]|require\.cache\[/;

/** Where patching is the point: the patches, the test homeserver's own objects, the crypto seam's module substitution. */
const ALLOWED = ['patches/', 'test-homeserver/', 'matrix/crypto-seam.ts'];

describe('library patches', () => {
  it('are all in src/patches/', () => {
    const outside = files(SRC)
      .map((file) => path.relative(SRC, file))
      .filter((file) => !ALLOWED.some((allowed) => file.startsWith(allowed)))
      .flatMap((file) =>
        fs
          .readFileSync(path.join(SRC, file), 'utf8')
          .split('\n')
          .map((line, i) => ({ file, line: i + 1, text: line.trim() }))
          .filter(({ text }) => !text.startsWith('//') && !text.startsWith('*') && PATCHING.test(text)),
      );
    expect(outside).toEqual([]);
  });

  it('would be found: the check matches the ways patches were written before they moved', () => {
    for (const line of [
      "Reflect.set(client, 'doSync', doSync);",
      'RustEngine.prototype.addTrackedUsers = async function () {};',
      'client.sendToDevices = async () => {};',
      'db.prepare = reuse;',
      'factory.open = (name) => open(name);',
    ]) {
      expect(PATCHING.test(line), line).toBe(true);
    }
    expect(PATCHING.test('if (client.syncingPresence === null) return;')).toBe(false);
  });
});
